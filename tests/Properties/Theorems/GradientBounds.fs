/// Theorem 6 (Pascanu, Mikolov & Bengio 2013): the Jacobian of an Elman recursion is bounded by (γ σ_max(W_h))^{t−k},
/// checked on the C# BPTT with W_h = s·Q, Q rational orthogonal, so σ_max(W_h) = s exactly.
module RnnVerify.Properties.Theorems.GradientBounds

open System
open Expecto
open FsCheck.FSharp
open RnnVerify.Cells
open RnnVerify.Properties.Catalogue
open RnnVerify.Properties.Exact.Rational
open RnnVerify.Properties.Exact.Matrix
open RnnVerify.Properties.Generators.Linear
open RnnVerify.Properties.Generators.Cells
open RnnVerify.Properties.Generators.Nonlinear

/// W_h = (p/8)·Q (Cayley), the rest of an Elman case (its Wh is ignored), and the probe vectors.
type JacobianCase = { Cay: Cayley; P: int; Cell: CellCase; Probe: int[] }

let private jacGen act =
    gen {
        let! q = cayley 1 4
        let! p = Gen.choose (1, 16)
        let! c = cellCase CellKind.Rnn [ act ]
        let n = q.Dim
        let c2 = c
        let! wx = Gen.arrayOfLength (n * c2.M) wild
        let! bx = Gen.arrayOfLength n wild
        let! h0 = Gen.arrayOfLength n (Gen.choose (-4, 4) |> Gen.map (fun k -> float k / 4.0))
        let! probe = Gen.arrayOfLength n (Gen.choose (-3, 3))
        let! t = Gen.choose (1, 20)
        let! xs = Gen.arrayOfLength (t * c2.M) wild
        return { Cay = q; P = p; Probe = probe
                 Cell = { c2 with N = n; Wx = wx; Wh = Array.zeroCreate (n * n); Bx = bx; Bh = Array.zeroCreate n; H0 = h0; Xs = xs; C0 = [||] } }
    }

let private validJac (j: JacobianCase) =
    validCayley j.Cay && j.P >= 1 && j.P <= 16 && j.Probe.Length = j.Cay.Dim && j.Cell.N = j.Cay.Dim && validCell j.Cell

/// Theorem 6.
let pascanu =
    { Id = "06 GradientBounds"
      Statement = "vanishing/exploding gradients: ‖(∂h_T/∂h_{−1})ᵀ v‖₂ ≤ (γ σ_max(W_h))^{T+1}‖v‖₂ (γ = 1 for tanh, ¼ for σ) for the C# BPTT, σ_max known exactly, within the derived rounding factor"
      Hypotheses = [ "W_h = s·Q, s = p/8 ≤ 2, Q = (I − S)(I + S)⁻¹ rational orthogonal (σ_max(W_h) = s exactly)"; "W_x, b, inputs arbitrary (saturating allowed); n ≤ 4, T + 1 ≤ 21 steps"; "v = e_j and one integer probe" ]
      Source = "Pascanu, Mikolov & Bengio, 'On the difficulty of training recurrent neural networks', ICML 2013 (arXiv:1211.5063), §3; docs/theory.md §6"
      Proof = "∂h_t/∂h_{t−1} = diag(φ′(a_t)) W_h with 0 ≤ φ′ ≤ γ; the 2-norm is submultiplicative. The computed product has per-step factor ≤ γ s (1 + 3u)(1 + √n γ_{n+1})(1 + √n u) (rounded W, φ′ evaluated from the rounded state, the n-term dot products)."
      Decided = "the bound (γ s)^{T+1} times the rounding factor to the power T + 1, in binary64; squared norms compared" }

let private setup (j: JacobianCase) =
    let q = orthogonal j.Cay
    let s = Q.frac j.P 8
    let w = scale s q |> Array.collect (Array.map Q.toFloat)
    { j.Cell with Wh = w }

/// vᵀ(∂h_T/∂h_{−1}) by the C# BPTT (upstream gradient v on the final state).
let private vjp (c: CellCase) (act: Activation) (v: float[]) =
    let net = Network<float>(network c [ act ])
    let grads = NetworkGradients<float>(net.Spec)
    let dh0 = Array.zeroCreate c.N
    net.Backward(1, ReadOnlySpan c.Xs, ReadOnlySpan.Empty, ReadOnlySpan c.H0, ReadOnlySpan.Empty, ReadOnlySpan.Empty,
                 ReadOnlySpan v, ReadOnlySpan.Empty, grads, Span.Empty, Span dh0, Span.Empty)
    dh0

/// The same product by a local backward recursion with φ′ replaced (for the broken variants): g ← W_hᵀ(φ′ ⊙ g).
let private localVjp (deriv: float -> float -> float) (c: CellCase) (act: Activation) (v: float[]) =
    let states = runDouble (network c [ act ]) (inputs c) c.H0 [||] |> Array.map fst
    let n = c.N
    let pre t =
        let hp = if t = 0 then c.H0 else states[t - 1]
        let x = (inputs c)[t]
        Array.init n (fun i -> c.Bx[i] + c.Bh[i] + Array.sum (Array.init c.M (fun k -> c.Wx[i * c.M + k] * x[k])) + Array.sum (Array.init n (fun k -> c.Wh[i * n + k] * hp[k])))
    let mutable g = v
    for t in states.Length - 1 .. -1 .. 0 do
        let a = pre t
        let d = Array.init n (fun i -> deriv (a.[i]) (states.[t].[i]) * g.[i])
        g <- Array.init n (fun k -> Array.sum (Array.init n (fun i -> c.Wh[i * n + k] * d[i])))
    g

let private checkPascanu (act: Activation) (product: CellCase -> Activation -> float[] -> float[]) (j: JacobianCase) : Verdict =
    let c = setup j
    let n = c.N
    let u = 2.0 ** -53.0
    let gam = if act = Activation.Tanh then 1.0 else 0.25
    let s = float j.P / 8.0
    let gamN = float (n + 1) * u * 2.0
    let factor = (1.0 + 3.0 * u) * (1.0 + sqrt (float n) * gamN) * (1.0 + sqrt (float n) * u)
    let steps = c.T
    let bound = Math.Pow(gam * s * factor, float steps) * (1.0 + 64.0 * u)
    let probes = [ for k in 0 .. n - 1 -> Array.init n (fun i -> if i = k then 1.0 else 0.0) ] @ [ Array.map float j.Probe ]
    let sides =
        [ for v in probes ->
            let g = product c act v
            v, g |> Array.sumBy (fun x -> x * x), bound * bound * (v |> Array.sumBy (fun x -> x * x)) * (1.0 + 8.0 * u) ]
    observeWorst "‖(∂h_T/∂h_{−1})ᵀv‖₂ ÷ (γσ_max(W_h))^{T+1}‖v‖₂ × rounding factor (worst probe v)" (fun () ->
        seq { for _, lhs, rhs in sides -> sqrt lhs, sqrt rhs })
    all [
        for v, lhs, rhs in sides ->
            check (Double.IsFinite lhs && lhs <= rhs) (fun () ->
                $"{act}, T = {steps}, s = {s}: ‖Jᵀv‖₂² = %.17g{lhs} > (γs)^(2T)‖v‖² = %.17g{rhs}; v = %A{v}")
    ]

[<Tests>]
let tests =
    testList "Theorem 6: gradient bounds" [
        theorem pascanu (arbitrary (jacGen Activation.Tanh) validJac) (checkPascanu Activation.Tanh vjp)
        theorem { pascanu with Statement = pascanu.Statement + " [σ]" } (arbitrary (jacGen Activation.Sigmoid) validJac) (checkPascanu Activation.Sigmoid vjp)
        catches pascanu "the tanh derivative taken at the pre-activation (1 − a² instead of 1 − tanh² a)" (jacGen Activation.Tanh)
            (checkPascanu Activation.Tanh (localVjp (fun a _ -> 1.0 - a * a)))
        catches { pascanu with Statement = pascanu.Statement + " [σ]" } "the activation derivative dropped (linearised backward pass)" (jacGen Activation.Sigmoid)
            (checkPascanu Activation.Sigmoid (localVjp (fun _ _ -> 1.0)))
    ]
