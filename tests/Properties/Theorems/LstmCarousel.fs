/// Theorem 8: LSTM bounds and the constant error carousel, on the C# LSTM in binary64 and binary32.
module RnnVerify.Properties.Theorems.LstmCarousel

open System
open Expecto
open FsCheck.FSharp
open RnnVerify.Cells
open RnnVerify.Properties.Catalogue
open RnnVerify.Properties.Exact.Rational
open RnnVerify.Properties.Generators.Cells
open RnnVerify.Properties.Generators.Nonlinear

let private lstmDefault = [ Activation.Sigmoid; Activation.Tanh; Activation.Tanh ]

/// Theorem 8.
let lstmBounds =
    { Id = "08 LstmBounds"
      Statement = "LSTM, any weights: |h_t| ≤ 1 and ‖c_t‖∞ ≤ B_t with B_{−1} = ‖c_{−1}‖∞, B_t = (B_{t−1} + 1)(1 + 3u) — i.e. ‖c_t‖∞ ≤ ‖c_{−1}‖∞ + t + 1 up to rounding — for the C# cell in binary64 and binary32"
      Hypotheses = [ "arbitrary weights, biases, h_{−1}, c_{−1} and inputs (up to 10⁴)"; "n ≤ 4, m ≤ 3, T ≤ 12, no peepholes"; "floating-point σ ∈ [0, 1], tanh ∈ [−1, 1] (theorem 5)" ]
      Source = "Hochreiter & Schmidhuber, Neural Computation 9(8) 1997; Greff et al. arXiv:1503.04069 (equations); docs/theory.md §8"
      Proof = "c_t = f⊙c_{t−1} + i⊙g with f, i ∈ [0, 1], |g| ≤ 1 gives |c_t| ≤ |c_{t−1}| + 1; h = o⊙tanh(c) with o ∈ [0, 1]. In floating point fl(fl(fc) + fl(ig)) ≤ (|fc| + |ig|)(1 + u)² ≤ (|c| + 1)(1 + 3u)."
      Decided = "the bound B_t evaluated exactly in rationals from the format's u; NaN rejected" }

let private checkLstm (acts: Activation list) (c: CellCase) : Verdict =
    let u = Q.ofFloat (unitRoundoff c)
    let grow = Q.one + Q.ofInt 3 * u
    let states = runWith c acts
    let bounds = states |> Array.scan (fun b _ -> (b + Q.one) * grow) (Q.ofFloat (normInf c.C0)) |> Array.tail
    observeWorst "‖c_t‖∞ ÷ B_t (worst t)" (fun () -> seq { for t, (_, cs) in Array.indexed states -> normInf cs, Q.toFloat bounds[t] })
    all [
        for t, (h, cs) in Array.indexed states do
            yield check (h |> Array.forall (fun v -> not (Double.IsNaN v) && abs v <= 1.0)) (fun () -> $"t = {t}: h = %A{h}")
            let nc = normInf cs
            yield check (Double.IsFinite nc && compare (Q.ofFloat nc) bounds[t] <= 0) (fun () ->
                $"t = {t}: ‖c_t‖∞ = %.17g{nc} > B_t = %.17g{Q.toFloat bounds[t]}")
    ]

/// Theorem 8b.
let lstmForgetBound =
    { Id = "08b LstmForgetBound"
      Statement = "LSTM with f ≤ f_max < 1 and i ≤ i_max: ‖c_t‖∞ ≤ max(‖c_{−1}‖∞, M̂), M̂ = i_max(1+u)²/(1 − f_max(1+u)²) → i_max/(1 − f_max) as u → 0, for the C# cell"
      Hypotheses = [ "forget and input gates built to be bounded: their biases b ≤ −β − s with pre-activations ≤ ‖row W_x‖₁‖x‖∞ + ‖row W_h‖₁ − β, s twice the format's rounding bound of the pre-activation; f_max, i_max = σ of those bounds raised by the format's rounding of the pre-activation (γ_{k+2}Σ|terms|, k = M + N + 2), then by the activation error 8u·σ + 4u"; "other weights arbitrary; n ≤ 4, T ≤ 12" ]
      Source = "docs/theory.md §8 (derivation)"
      Proof = "if ‖c_{t−1}‖ ≤ M := max(‖c_{−1}‖, M̂) then ‖c_t‖ ≤ (f_max M + i_max)(1 + u)² ≤ M, since M(1 − f_max(1+u)²) ≥ i_max(1+u)²."
      Decided = "the bound evaluated in binary64 and raised by 16 ulps (its own evaluation error); NaN rejected" }

let private sigmoid (z: float) = 1.0 / (1.0 + Math.Exp(-z))

/// Gate bounds of a case: the largest pre-activation of the gate's rows over the run, using |h| ≤ 1 for t ≥ 0, raised by
/// the rounding error the cell's own format may commit on it: the weights and inputs are converted to the format and the
/// k = M + N + 2 terms summed in any order, so |fl(z) − z| ≤ γ_{k+2} Σ|terms| with γ_n = nu/(1 − nu) and u the format's unit
/// roundoff (binary32 matters: with |terms| ~ 4·10⁷ a pre-activation of −2 can come out as 0).
let private gateMax (c: CellCase) (gate: int) =
    let xs = inputs c
    let hmax = max 1.0 (normInf c.H0)
    let u = unitRoundoff c
    let k = float (c.M + c.N + 4)
    let gamma = k * u / (1.0 - k * u)
    [ for r in gate * c.N .. (gate + 1) * c.N - 1 do
        let wxr = c.Wx[r * c.M .. (r + 1) * c.M - 1] |> Array.sumBy abs
        let whr = c.Wh[r * c.N .. (r + 1) * c.N - 1] |> Array.sumBy abs
        for x in xs ->
            let z = wxr * normInf x + whr * hmax + c.Bx[r] + c.Bh[r]
            let terms = wxr * normInf x + whr * hmax + abs c.Bx[r] + abs c.Bh[r]
            z + gamma * terms ]
    |> List.max
    |> fun z -> z + 64.0 * 2.0 ** -53.0 * abs z

let private gated (c: CellCase) =
    // gates 0 (i) and 1 (f): biases pushed down by β ∈ [1, 8] below their row sums, so the gates stay < 1.
    let bx = Array.copy c.Bx
    for r in 0 .. 2 * c.N - 1 do
        let wxr = c.Wx[r * c.M .. (r + 1) * c.M - 1] |> Array.sumBy abs
        let whr = c.Wh[r * c.N .. (r + 1) * c.N - 1] |> Array.sumBy abs
        let xm = inputs c |> Array.map normInf |> Array.max
        let reach = wxr * xm + whr * max 1.0 (normInf c.H0) + abs c.Bh[r]
        // β also exceeds the format's rounding of the pre-activation (γ_{k+2} times its ~2·reach of cancelling terms),
        // so the gate stays below σ(−1) even in binary32.
        let k = float (c.M + c.N + 4)
        let slack = 2.0 * (k * unitRoundoff c / (1.0 - k * unitRoundoff c)) * 2.0 * reach
        bx[r] <- -reach - (1.0 + float (abs (int c.Bx[r]) % 8)) - slack
    { c with Bx = bx }

let private lstmGated = cellCase CellKind.Lstm lstmDefault |> Gen.map gated
/// The hypothesis f ≤ f_max < 1 itself, so that shrinking never leaves it (a shrunk bias can raise the forget gate to 1).
let private validGated (c: CellCase) =
    validCell c && c.Kind = CellKind.Lstm
    && (let u = unitRoundoff c
        let s = sigmoid (gateMax c 1)
        s + 8.0 * u * s + 4.0 * u < 1.0)

let private checkForgetFed (feed: CellCase -> CellCase) (acts: Activation list) (c: CellCase) : Verdict =
    let u = unitRoundoff c
    let raise (s: float) = s + 8.0 * u * s + 4.0 * u
    let fmax, imax = raise (sigmoid (gateMax c 1)), raise (sigmoid (gateMax c 0))
    let g2 = (1.0 + u) * (1.0 + u)
    let mhat = imax * g2 / (1.0 - fmax * g2) * (1.0 + 16.0 * 2.0 ** -53.0)
    let bound = max (normInf c.C0) mhat
    let states = runWith (feed c) acts
    observeWorst "‖c_t‖∞ ÷ max(‖c_{−1}‖∞, M̂) (worst t)" (fun () -> seq { for _, cs in states -> normInf cs, bound })
    all [
        for t, (_, cs) in states |> Array.indexed ->
            let nc = normInf cs
            check (not (Double.IsNaN nc) && nc <= bound) (fun () ->
                $"t = {t}: ‖c_t‖∞ = %.17g{nc} > max(‖c0‖, M̂) = %.17g{bound} (f_max = %.17g{fmax}, i_max = %.17g{imax})")
    ]

let private checkForget = checkForgetFed id

/// Theorem 8c.
let carousel =
    { Id = "08c ConstantErrorCarousel"
      Statement = "constant error carousel: with h held fixed, ∂c_t/∂c_{t−1} = diag(f_t) — the C# BPTT's ∂L/∂c_{t−1} equals f_t ⊙ ∂L/∂c_t within the derived rounding bound"
      Hypotheses = [ "one LSTM step, arbitrary weights (n ≤ 4), upstream gradient only on c_t (dh_t = 0, dy = 0)"; "f_t recomputed in binary64 from the same weights" ]
      Source = "Hochreiter & Schmidhuber 1997 (constant error carousel); Greff et al. arXiv:1503.04069, eq. for δc_t; docs/theory.md §8"
      Proof = "c_t = f_t⊙c_{t−1} + i_t⊙g_t where no gate depends on c_{t−1} (no peepholes), so the partial derivative with h_{t−1} held fixed is diag(f_t)."
      Decided = "|dc_{t−1} − f⊙dc_t| ≤ (2(¼γ_k S + 8u f + 4u) + u)|dc_t|, S = Σ|terms| of the forget pre-activation (docs/tolerances.md)" }

let private checkCarousel (gateRow: int) (c: CellCase) : Verdict =
    let c = { c with Xs = c.Xs[.. c.M - 1]; Single = false }
    let n = c.N
    let net = Network<float>(network c lstmDefault)
    let x = c.Xs
    let fOf r =
        let terms = Array.append (Array.map2 (*) c.Wx[r * c.M .. (r + 1) * c.M - 1] x) (Array.map2 (*) c.Wh[r * n .. (r + 1) * n - 1] c.H0)
        let z = Array.sum terms + c.Bx[r] + c.Bh[r]
        sigmoid z, (terms |> Array.sumBy abs) + abs c.Bx[r] + abs c.Bh[r]
    let u = 2.0 ** -53.0
    let k = float (c.M + n + 4)
    all [
        for j in 0 .. n - 1 ->
            let dcN = Array.init n (fun i -> if i = j then 1.0 else 0.0)
            let grads = NetworkGradients<float>(net.Spec)
            let dc0 = Array.zeroCreate n
            net.Backward(1, ReadOnlySpan x, ReadOnlySpan.Empty, ReadOnlySpan c.H0, ReadOnlySpan c.C0, ReadOnlySpan.Empty,
                         ReadOnlySpan(Array.zeroCreate<float> n), ReadOnlySpan dcN, grads, Span.Empty, Span.Empty, Span dc0)
            let f, s = fOf (gateRow * n + j)
            let tol = 2.0 * (0.25 * 2.0 * k * u * s + 8.0 * u * f + 4.0 * u) + u
            observeWorst "|∂L/∂c_{t−1} − f_t ⊙ ∂L/∂c_t| ÷ derived rounding tolerance (worst unit)" (fun () ->
                seq { for i in 0 .. n - 1 -> abs (dc0[i] - (if i = j then f else 0.0)), tol })
            all [
                for i in 0 .. n - 1 ->
                    let expected = if i = j then f else 0.0
                    check (not (Double.IsNaN dc0[i]) && abs (dc0[i] - expected) <= tol) (fun () ->
                        $"unit {j}: ∂c_t[{j}]/∂c_(t−1)[{i}] = %.17g{dc0[i]}, f_t = %.17g{expected}, tolerance %.17g{tol}")
            ]
    ]

let private lstmGen = cellCase CellKind.Lstm lstmDefault

[<Tests>]
let tests =
    testList "Theorem 8: LSTM" [
        theorem lstmBounds (arbitrary lstmGen validCell) (checkLstm lstmDefault)
        theorem lstmForgetBound (arbitrary lstmGated validGated) (checkForget lstmDefault)
        theorem carousel (arbitrary lstmGen validCell) (checkCarousel 1)
        example carousel "f ≡ 1, i ≡ 0 (biases ±800): c_t = c_{−1} exactly and ∂c_T/∂c_{−1} = I exactly over 1,000 steps" (fun () ->
            let n, steps = 2, 1000
            let g = 4 * n
            let bx = Array.init g (fun r -> match r / n with 0 -> -800.0 | 1 -> 800.0 | _ -> 0.0)
            let wx = Array.init (g * 1) (fun r -> 0.5 - float (r % 3) * 0.25)
            let wh = Array.init (g * n) (fun r -> 0.125 * float (r % 5 - 2))
            let w = weights (spec CellKind.Lstm [] 1 n) wx wh bx (Array.zeroCreate g)
            let c0 = [| 0.7; -0.3 |]
            let xs = Array.init steps (fun t -> [| sin (float t) |])
            let states = runDouble w xs [| 0.1; 0.2 |] c0
            let net = Network<float>(w)
            let grads = NetworkGradients<float>(net.Spec)
            let dc0 = Array.zeroCreate n
            net.Backward(1, ReadOnlySpan(Array.concat xs), ReadOnlySpan.Empty, ReadOnlySpan [| 0.1; 0.2 |], ReadOnlySpan c0,
                         ReadOnlySpan.Empty, ReadOnlySpan(Array.zeroCreate<float> n), ReadOnlySpan [| 1.0; 1.0 |], grads,
                         Span.Empty, Span.Empty, Span dc0)
            all [
                yield! [ for t, (_, cs) in Array.indexed states -> check (cs = c0) (fun () -> $"c_{t} = %A{cs} ≠ c0") ]
                yield check (dc0 = [| 1.0; 1.0 |]) (fun () -> $"∂c_T/∂c_-1 · 1 = %A{dc0}, expected exactly (1, 1)")
            ])
        catches lstmBounds "the gate activation misread as identity" lstmGen (checkLstm [ Activation.Identity; Activation.Tanh; Activation.Tanh ])
        catches lstmForgetBound "a gate permutation (blocks i, f swapped with g, o)" lstmGated (checkForgetFed (fun c ->
            let g = c.N
            let swap (a: float[]) width = Array.init a.Length (fun k -> let r = k / width in let gate = r / g in let r2 = (if gate < 2 then r + 2 * g else r - 2 * g) in a[r2 * width + k % width])
            { c with Wx = swap c.Wx c.M; Wh = swap c.Wh c.N; Bx = swap c.Bx 1; Bh = swap c.Bh 1 }) lstmDefault)
        catches carousel "the derivative compared with the input gate (gate order i, f swapped)" lstmGen (checkCarousel 0)
    ]
