/// Theorem 9: the GRU state is a convex combination, on the C# GRU in binary64 and binary32, both reset placements.
module RnnVerify.Properties.Theorems.GruConvexity

open System
open Expecto
open FsCheck.FSharp
open RnnVerify.Cells
open RnnVerify.Properties.Catalogue
open RnnVerify.Properties.Generators.Nonlinear

/// Theorem 9.
let gruConvexity =
    { Id = "09 GruConvexity"
      Statement = "GRU, any weights: h_t = (1 − z)⊙n + z⊙h_{t−1} is a convex combination, so ‖h_t‖∞ ≤ max(‖h_{t−1}‖∞, 1)(1 + 8u) ≤ max(‖h_{−1}‖∞, 1)(1 + 8u)^{t+1} for the C# cell in binary64 and binary32, reset before or after the product"
      Hypotheses = [ "arbitrary weights, biases, h_{−1} and inputs (up to 10⁴); n ≤ 4, m ≤ 3, T ≤ 12"; "floating-point σ ∈ [0, 1], tanh ∈ [−1, 1] (theorem 5)"; "the update evaluated in any usual form ((1−z)n + zh, n + z(h − n), …)" ]
      Source = "Cho et al. arXiv:1406.1078 (GRU); docs/theory.md §9; rounding of the update: docs/tolerances.md (rule for (1−z)n + zh, ≤ 6u·max(|n|, |h|))"
      Proof = "z ∈ [0, 1] and |n| ≤ 1, so |(1 − z)n + zh| ≤ max(|n|, |h|) ≤ max(1, ‖h_{t−1}‖∞); every usual evaluation of the update is within 6u·max(|n|, |h|) + O(u²) of it."
      Decided = "the bound evaluated in binary64 with the factor (1 + 8u) per step, the bound's own evaluation raised by 4 ulps per step; NaN rejected" }

let private gruGen =
    gen {
        let! c = cellCase CellKind.Gru [ Activation.Sigmoid; Activation.Tanh ]
        let! lbr = Gen.elements [ true; false ]
        return { c with Acts = (if lbr then c.Acts else c.Acts @ [ Activation.Tanh ]) }
    }

/// The real cell run with its reset placement encoded in `Acts` (a third entry marks reset-before-product).
let private runGru (gateAct: Activation) (candAct: Activation) (c: CellCase) =
    let s = CellSpec(Kind = CellKind.Gru, InputSize = c.M, HiddenSize = c.N, LinearBeforeReset = (c.Acts.Length = 2),
                     Activations = ResizeArray [ gateAct; candAct ])
    let w = RnnVerify.Properties.Generators.Cells.weights s c.Wx c.Wh c.Bx c.Bh
    (if c.Single then RnnVerify.Properties.Generators.Cells.runSingle else RnnVerify.Properties.Generators.Cells.runDouble) w (inputs c) c.H0 [||]

let private checkGruRun (gateAct: Activation) (candAct: Activation) (c: CellCase) : Verdict =
    let placement = if c.Acts.Length = 2 then "after" else "before"
    let u = unitRoundoff c
    let step = (1.0 + 8.0 * u) * (1.0 + 4.0 * 2.0 ** -53.0)
    let states = runGru gateAct candAct c
    observeWorst "‖h_t‖∞ ÷ max(‖h_{−1}‖∞, 1)(1 + 8u)^{t+1} (worst t)" (fun () ->
        seq { for t, (h, _) in Array.indexed states -> normInf h, max (normInf c.H0) 1.0 * Math.Pow(step, float (t + 1)) })
    all [
        for t, (h, _) in states |> Array.indexed ->
            let bound = max (normInf c.H0) 1.0 * Math.Pow(step, float (t + 1))
            let nh = normInf h
            check (not (Double.IsNaN nh) && nh <= bound) (fun () -> $"t = {t}, reset {placement} the product: ‖h_t‖∞ = %.17g{nh} > %.17g{bound}")
    ]

[<Tests>]
let tests =
    testList "Theorem 9: GRU" [
        theorem gruConvexity (arbitrary gruGen validCell) (checkGruRun Activation.Sigmoid Activation.Tanh)
        catches gruConvexity "the update gate's activation misread as identity (z unbounded)" gruGen (checkGruRun Activation.Identity Activation.Tanh)
        catches gruConvexity "the candidate's activation misread as identity" gruGen (checkGruRun Activation.Sigmoid Activation.Identity)
    ]
