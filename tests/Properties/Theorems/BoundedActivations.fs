/// Theorem 5: bounded activations give bounded states for any weights (the C# cells in binary64 and binary32); ReLU
/// recursions and time-delay networks.
module RnnVerify.Properties.Theorems.BoundedActivations

open System
open Expecto
open FsCheck.FSharp
open RnnVerify.Cells
open RnnVerify.Reference
open RnnVerify.Properties.Catalogue
open RnnVerify.Properties.Generators.Cells
open RnnVerify.Properties.Generators.Nonlinear

/// Theorem 5.
let boundedActivations =
    { Id = "05 BoundedActivations"
      Statement = "bounded activations give BIBO for any weights: the C# Elman cell has ‖h_t‖∞ ≤ 1 with tanh and 0 ≤ h_t ≤ 1 with σ, in binary64 and binary32"
      Hypotheses = [ "arbitrary weights, biases, h_{−1} and inputs (magnitudes up to 10⁴, saturating)"; "n ≤ 4, m ≤ 3, T ≤ 12"; "floating-point tanh and σ return values in [−1, 1] and [0, 1] (they round bounded values; 1 is representable)" ]
      Source = "Soleymani (Sharif 2020) after Raj, slide 15 ('guaranteed if output and hidden activations are bounded'); docs/theory.md §5"
      Proof = "h_t = φ(a_t) and |tanh| < 1, 0 < σ < 1 on ℝ, whatever a_t is; in floating point the rounded values can reach 1 (tanh x rounds to 1 for x ≥ 19.06 in binary64) but not exceed it. The strict inequality holds in exact arithmetic only."
      Decided = "directly on the cell's values (no tolerance: the bound 1 is exact in floating point); NaN rejected" }

let private checkBounded (acts: Activation list) (c: CellCase) : Verdict =
    let lo = if c.Acts = [ Activation.Sigmoid ] then 0.0 else -1.0
    let states = runWith c acts
    observeWorst "max_t ‖h_t‖∞ ÷ 1" (fun () -> seq { for h, _ in states -> normInf h, 1.0 })
    all [
        for t, (h, _) in states |> Array.indexed do
            for i, v in Array.indexed h ->
                check (not (Double.IsNaN v) && lo <= v && v <= 1.0) (fun () ->
                    $"{c.Acts} cell, t = {t}, i = {i}: h = %.17g{v} outside [{lo}, 1]")
    ]

let private elmanGen = Gen.oneof [ cellCase CellKind.Rnn [ Activation.Tanh ]; cellCase CellKind.Rnn [ Activation.Sigmoid ] ]

/// Theorem 5b.
let reluWitness =
    { Id = "05b ReluWitness"
      Statement = "ReLU recursions are not BIBO: with W_h = I + N (N ≥ 0), W_x ≥ 0 with first column ≥ 1, zero bias and x ≡ 1, the C# ReLU cell has h_t ≥ t + 1 in every unit"
      Hypotheses = [ "N entrywise non-negative (multiples of 1/8 up to 1), W_x ≥ 0 with W_x[:,0] ≥ 1, h_{−1} = 0, x_t = (1, …, 1)"; "n ≤ 4, T ≤ 40 (all values exact in binary64)" ]
      Source = "Soleymani (Sharif 2020) after Raj, slide 15 ('what if the activations are linear?'); docs/theory.md §5"
      Proof = "induction: h_t = relu(W_h h_{t−1} + W_x x_t) ≥ h_{t−1} + N h_{t−1} + 1 ≥ h_{t−1} + 1 ≥ 0, so h_t ≥ t + 1; the input is bounded by 1."
      Decided = "directly on the cell's values (they are small multiples of 1/8, exact in binary64)" }

type ReluCase = { N: int; M: int; Nn: int[]; Ux: int[]; T: int }

let private reluGen =
    gen {
        let! n = Gen.choose (1, 4)
        let! m = Gen.choose (1, 3)
        let! nn = Gen.arrayOfLength (n * n) (Gen.choose (0, 8))
        let! ux = Gen.arrayOfLength (n * m) (Gen.choose (0, 16))
        let! t = Gen.choose (1, 40)
        return { N = n; M = m; Nn = nn; Ux = ux; T = t }
    }
let private validRelu (r: ReluCase) =
    r.N >= 1 && r.M >= 1 && r.T >= 1 && r.T <= 40 && r.Nn.Length = r.N * r.N && r.Ux.Length = r.N * r.M
    && Array.forall (fun k -> 0 <= k && k <= 8) r.Nn && Array.forall (fun k -> 0 <= k && k <= 16) r.Ux

let private checkRelu (act: Activation) (r: ReluCase) : Verdict =
    let wh = Array.init (r.N * r.N) (fun k -> (if k / r.N = k % r.N then 1.0 else 0.0) + float r.Nn[k] / 8.0)
    let wx = Array.init (r.N * r.M) (fun k -> (if k % r.M = 0 then 1.0 else 0.0) + float r.Ux[k] / 8.0)
    let w = weights (spec CellKind.Rnn [ act ] r.M r.N) wx wh (Array.zeroCreate r.N) (Array.zeroCreate r.N)
    let hs = runDouble w (Array.init r.T (fun _ -> Array.create r.M 1.0)) (Array.zeroCreate r.N) [||]
    observeWorst "the lower bound t + 1 ÷ min_i h_t[i] (worst t)" (fun () -> seq { for t, (h, _) in Array.indexed hs -> float (t + 1), Array.min h })
    all [
        for t, (h, _) in Array.indexed hs do
            for i, v in Array.indexed h -> check (v >= float (t + 1)) (fun () -> $"t = {t}, i = {i}: h = %.17g{v} < t + 1")
    ]

/// Theorem 5c.
let timeDelay =
    { Id = "05c TimeDelay"
      Statement = "a time-delay network y_t = φ(Σ_{j<K} A_j x_{t−j} + b) is BIBO for any weights: ‖y_t‖∞ ≤ 1 for φ = tanh, and ‖y_t‖∞ ≤ (Σ_j‖A_j‖∞B + ‖b‖∞)(1 + γ_{Km+2}) for φ = identity, ‖x‖∞ ≤ B"
      Hypotheses = [ "the network is the C# Elman cell with W_h = 0 reading the window (x_t, …, x_{t−K+1}) (zero-padded), K ≤ 4, m ≤ 2"; "arbitrary A_j, b, inputs" ]
      Source = "Soleymani (Sharif 2020) after Raj, slide 13 ('time-delay structures have bounded output if f has bounded output for bounded input'); docs/theory.md §5"
      Proof = "y_t depends on finitely many bounded inputs through a fixed map; for tanh the range is bounded; for identity the triangle inequality, and the computed sum is within γ_{Km+2} relative of Σ|terms|."
      Decided = "tanh: directly (the bound 1 is exact); identity: a derived rounding factor (1 + γ_{Km+2}), γ evaluated upward" }

let private checkTdnnWith (recurrent: float) (act: Activation) (run: Activation) (c: CellCase) : Verdict =
    // Reinterpret the case: K = n taps over m-dimensional inputs; one output unit per tap row of Wx is not needed, so the
    // network has hidden size N with input size K·m and zero recurrence.
    let k = c.N
    let inSize = k * c.M
    let a = Array.init (c.N * inSize) (fun i -> c.Wx[i % c.Wx.Length])
    let w = weights (spec CellKind.Rnn [ run ] inSize c.N) a (Array.init (c.N * c.N) (fun k -> if k / c.N = k % c.N then recurrent else 0.0)) c.Bx (Array.zeroCreate c.N)
    let xs = inputs c
    let window t = Array.init k (fun j -> if t - j >= 0 then xs[t - j] else Array.zeroCreate c.M) |> Array.concat
    let ys = (if c.Single then runSingle else runDouble) w (Array.init xs.Length window) (Array.zeroCreate c.N) [||]
    let b = xs |> Array.map normInf |> Array.fold max 0.0
    let rowSums = Array.init c.N (fun i -> a[i * inSize .. (i + 1) * inSize - 1] |> Array.sumBy abs)
    let nk = float (inSize + 3) * unitRoundoff c
    let bound = (Array.max rowSums * b + normInf c.Bx) * (1.0 + 2.0 * nk) * (1.0 + 32.0 * 2.0 ** -53.0)
    let bound = if Double.IsFinite bound then bound else Double.MaxValue
    observeWorst (if act = Activation.Tanh then "‖y_t‖∞ ÷ 1 (worst t)" else "‖y_t‖∞ ÷ (Σ_j‖A_j‖∞B + ‖b‖∞)(1 + γ_{Km+2}) (worst t)") (fun () ->
        seq { for y, _ in ys -> normInf y, (if act = Activation.Tanh then 1.0 else bound) })
    all [
        for t, (y, _) in Array.indexed ys do
            for i, v in Array.indexed y ->
                if act = Activation.Tanh then check (not (Double.IsNaN v) && abs v <= 1.0) (fun () -> $"t = {t}: y = %.17g{v}")
                else check (not (Double.IsNaN v) && abs v <= bound) (fun () -> $"t = {t}, i = {i}: |y| = %.17g{abs v} > %.17g{bound}")
    ]

let private checkTdnn = checkTdnnWith 0.0

/// Theorem 5d.
let strictBounds =
    { Id = "05d StrictBoundsExactly"
      Statement = "in exact arithmetic the bounds are strict: the tanh Elman state lies in (−1, 1) and the σ state in (0, 1), decided by ball enclosures at 320 bits"
      Hypotheses = [ "weights, biases and inputs k·2^−8 in [−4, 4], h_{−1} in [−4, 4]; n ≤ 4, m ≤ 3, T ≤ 6 (so |a| ≤ 72 and 1 − tanh|a| ≥ 2^−210, resolvable at 320 bits)" ]
      Source = "as theorem 05; ball arithmetic: Johansson, arXiv:1611.02831 (src/Reference/Ball.fs, Elementary.fs)"
      Proof = "|tanh a| < 1 and 0 < σ(a) < 1 for every real a; the reference's enclosure of h_t contains the exact state, so an enclosure inside the open interval proves the strict bound."
      Decided = "exactly: the enclosing ball lies strictly inside the open interval (no tolerance)" }

/// An Elman case with exact dyadic data k·2^−8.
type ExactElman = { Sig: bool; N: int; M: int; Wx: int[]; Wh: int[]; B: int[]; H0: int[]; Xs: int[] }

let private exactGen =
    gen {
        let! sg = Gen.elements [ false; true ]
        let! n = Gen.choose (1, 4)
        let! m = Gen.choose (1, 3)
        let! t = Gen.choose (1, 6)
        let e k = Gen.arrayOfLength k (Gen.choose (-1024, 1024))
        let! wx = e (n * m)
        let! wh = e (n * n)
        let! b = e n
        let! h0 = e n
        let! xs = e (t * m)
        return { Sig = sg; N = n; M = m; Wx = wx; Wh = wh; B = b; H0 = h0; Xs = xs }
    }

let private validExact (c: ExactElman) =
    c.N >= 1 && c.M >= 1 && c.Wx.Length = c.N * c.M && c.Wh.Length = c.N * c.N && c.B.Length = c.N && c.H0.Length = c.N
    && c.Xs.Length >= c.M && c.Xs.Length % c.M = 0 && Array.forall (fun k -> abs k <= 1024) (Array.concat [ c.Wx; c.Wh; c.B; c.H0; c.Xs ])

let private prec = 320

/// The reference trajectory (balls); `roundState` applied to each state models an implementation's storage.
let private exactRun (roundState: Ball[] -> Ball[]) (c: ExactElman) =
    let d (k: int) = Ball.exact (Dyadic.create (Numerics.BigInteger k) -8)
    let row (a: int[]) width i = Array.init width (fun j -> d a[i * width + j])
    let phi = if c.Sig then Elementary.sigmoid prec else Elementary.tanh prec
    let xs = Array.init (c.Xs.Length / c.M) (fun t -> Array.init c.M (fun j -> d c.Xs[t * c.M + j]))
    xs |> Array.scan (fun (h: Ball[]) x ->
        Array.init c.N (fun i ->
            let a = Ball.add prec (Ball.add prec (Ball.dot prec (row c.Wx c.M i) x) (Ball.dot prec (row c.Wh c.N i) h)) (d c.B[i])
            phi a) |> roundState) (Array.map d c.H0)
    |> Array.tail

let private checkStrict (roundState: Ball[] -> Ball[]) (c: ExactElman) : Verdict =
    let lo = if c.Sig then Dyadic.zero else Dyadic.neg Dyadic.one
    let name = if c.Sig then "σ" else "tanh"
    exactly ()
    all [
        for t, h in exactRun roundState c |> Array.indexed do
            for i, b in Array.indexed h ->
                check (Dyadic.compare lo (Ball.lower b) < 0 && Dyadic.compare (Ball.upper b) Dyadic.one < 0) (fun () ->
                    $"{name}, t = {t}, i = {i}: enclosure {b} not inside the open interval")
    ]

/// Each state rounded to the nearest binary64 (where tanh and σ saturate to exactly ±1 and 1).
let private toBinary64 (h: Ball[]) = h |> Array.map (fun b -> Ball.exact (Dyadic.ofFloat (Dyadic.toFloat b.Mid)))

[<Tests>]
let tests =
    testList "Theorem 5: bounded activations" [
        theorem boundedActivations (arbitrary elmanGen validCell) (fun c -> checkBounded c.Acts c)
        theorem reluWitness (arbitrary reluGen validRelu) (checkRelu Activation.Relu)
        theorem timeDelay (arbitrary (cellCase CellKind.Rnn [ Activation.Tanh ]) validCell) (checkTdnn Activation.Tanh Activation.Tanh)
        theorem { timeDelay with Statement = timeDelay.Statement + " [identity φ]" } (arbitrary (cellCase CellKind.Rnn [ Activation.Identity ]) validCell) (checkTdnn Activation.Identity Activation.Identity)
        example reluWitness "W = 1, U = 1, x ≡ 1: h_t = t + 1 exactly for 1,000 steps" (fun () ->
            let w = weights (spec CellKind.Rnn [ Activation.Relu ] 1 1) [| 1.0 |] [| 1.0 |] [| 0.0 |] [| 0.0 |]
            let hs = runDouble w (Array.init 1000 (fun _ -> [| 1.0 |])) [| 0.0 |] [||]
            all [ for t, (h, _) in Array.indexed hs -> check (h[0] = float (t + 1)) (fun () -> $"h_{t} = %.17g{h[0]}") ])
        theorem strictBounds (arbitrary exactGen validExact) (checkStrict id)
        catches strictBounds "states stored in binary64 (saturating to ±1)" exactGen (checkStrict toBinary64)
        catches boundedActivations "the activation misread as identity" elmanGen (checkBounded [ Activation.Identity ])
        catches reluWitness "the activation misread as tanh" reluGen (checkRelu Activation.Tanh)
        catches timeDelay "the activation misread as identity" (cellCase CellKind.Rnn [ Activation.Tanh ]) (checkTdnn Activation.Tanh Activation.Identity)
        catches { timeDelay with Statement = timeDelay.Statement + " [identity φ]" } "the window fed to a recursion (W_h = I instead of 0)" (cellCase CellKind.Rnn [ Activation.Identity ]) (checkTdnnWith 1.0 Activation.Identity Activation.Identity)
    ]
