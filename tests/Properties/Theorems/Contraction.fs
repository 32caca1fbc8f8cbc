/// Theorem 7 (contraction, Miller & Hardt 2019; the echo-state property): Elman cells with ‖W_h‖₂ L_φ < 1 (also in a
/// diagonally scaled norm) and LSTMs under the sufficient condition derived in docs/theory.md §7, on the C# cells.
module RnnVerify.Properties.Theorems.Contraction

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

let private u = 2.0 ** -53.0

/// An Elman tanh cell with W_h = D⁻¹(s Q)D (D = diag(2^{e_i}), exact), a second initial state, and a truncation point.
type ElmanContraction = { Cay: Cayley; P: int; E: int[]; Cell: CellCase; H0b: int[]; K: int }

let private elmanGen =
    gen {
        let! q = cayley 1 4
        let n = q.Dim
        let! p = Gen.choose (1, 7)
        let! scaled = Gen.elements [ false; true ]
        let! e = Gen.arrayOfLength n (if scaled then Gen.choose (-2, 2) else Gen.constant 0)
        let! c = cellCase CellKind.Rnn [ Activation.Tanh ]
        let! wx = Gen.arrayOfLength (n * c.M) wild
        let! bx = Gen.arrayOfLength n wild
        let! t = Gen.choose (1, 30)
        let! xs = Gen.arrayOfLength (t * c.M) wild
        let! h0 = Gen.arrayOfLength n (Gen.choose (-8, 8))
        let! h0b = Gen.arrayOfLength n (Gen.choose (-8, 8))
        let! k = Gen.choose (0, t - 1)
        return { Cay = q; P = p; E = e; H0b = h0b; K = k
                 Cell = { c with N = n; Wx = wx; Wh = Array.zeroCreate (n * n); Bx = bx; Bh = Array.zeroCreate n; H0 = Array.map (fun v -> float v / 4.0) h0; Xs = xs; C0 = [||] } }
    }

let private validElman (e: ElmanContraction) =
    validCayley e.Cay && e.P >= 1 && e.P <= 7 && e.E.Length = e.Cay.Dim && e.E |> Array.forall (fun x -> abs x <= 2)
    && e.H0b.Length = e.Cay.Dim && e.Cell.N = e.Cay.Dim && validCell e.Cell && e.K >= 0 && e.K < e.Cell.T

/// Theorem 7.
let elmanContraction =
    { Id = "07 ElmanContraction"
      Statement = "contraction: for the C# tanh Elman cell with ‖D W_h D⁻¹‖₂ = s < 1, two trajectories under the same input satisfy ‖D(h_t − h′_t)‖₂ ≤ s^{t+1}‖D(h_{−1} − h′_{−1})‖₂ + 2√n‖D‖δ/(1 − s), and truncating to the last k steps (restart from 0) changes h_t by at most s^k‖D h_{t−k}‖₂ + the same slack"
      Hypotheses = [ "W_h = D⁻¹(sQ)D, Q rational orthogonal (Cayley), s = p/8 ≤ 7/8, D = diag(2^{e_i}), |e_i| ≤ 2 or D = I (so ‖W_h‖₂ may exceed 1 while the scaled norm contracts)"; "W_x, b, inputs arbitrary; n ≤ 4, T ≤ 30"; "δ = γ_{n+m+3}S + 12u: per-step rounding of one state component (docs/tolerances.md), S = max row Σ|terms|" ]
      Source = "Miller & Hardt, 'Stable recurrent models', ICLR 2019 (arXiv:1805.10369), Prop. 2 and Lemma 1 (truncation); Buehner & Young 2006 (diagonal scaling); docs/theory.md §7"
      Proof = "tanh is 1-Lipschitz componentwise and diagonal scalings commute with diag(tanh′): ‖D(φ(a) − φ(a′))‖ ≤ ‖D W_h(h − h′)‖ = ‖(DW_hD⁻¹)D(h − h′)‖ ≤ s‖D(h − h′)‖; rounding adds at most 2δ per component per step."
      Decided = "binary64; the bound evaluated in binary64 with a 2⁻⁴⁰ relative margin for its own evaluation" }

let private elmanParts (feed: float[] -> float[]) (e: ElmanContraction) =
    let n = e.Cay.Dim
    let q = orthogonal e.Cay
    let d = Array.map (fun x -> Q.ofFloat (2.0 ** float x)) e.E
    let wq = Array.init n (fun i -> Array.init n (fun j -> Q.frac e.P 8 * q[i][j] * d[j] / d[i]))
    let c = { e.Cell with Wh = feed (wq |> Array.collect (Array.map Q.toFloat)) }
    let dv = Array.map Q.toFloat d
    c, dv

let private dnorm (d: float[]) (x: float[]) = sqrt (Array.fold2 (fun s di xi -> s + (di * xi) * (di * xi)) 0.0 d x)

let private checkElman (feed: float[] -> float[]) (e: ElmanContraction) : Verdict =
    let c, d = elmanParts feed e
    let n = c.N
    let s = float e.P / 8.0
    let xs = inputs c
    let h0b = Array.map (fun v -> float v / 4.0) e.H0b
    let run h0 xs = runDouble (network c [ Activation.Tanh ]) xs h0 [||] |> Array.map fst
    let ha, hb = run c.H0 xs, run h0b xs
    let hmax = max 1.0 (max (normInf c.H0) (normInf h0b))
    let sRow = [ for x in xs do for i in 0 .. n - 1 -> (Array.init c.M (fun k -> abs (c.Wx[i * c.M + k] * x[k])) |> Array.sum) + abs c.Bx[i] + hmax * (Array.init n (fun k -> abs c.Wh[i * n + k]) |> Array.sum) ] |> List.max
    let delta = 2.0 * float (n + c.M + 3) * u * sRow + 12.0 * u
    let slack = 2.0 * sqrt (float n) * Array.max d * delta / (1.0 - s)
    let margin = 1.0 + 2.0 ** -40.0
    let d0 = dnorm d (Array.map2 (-) c.H0 h0b)
    let truncated = run (Array.zeroCreate n) xs[e.K ..]
    let t0 = e.K
    let before = if t0 = 0 then c.H0 else ha[t0 - 1]
    observeWorst "‖D(h_t − h′_t)‖₂ ÷ s^{t+1}‖D(h_{−1} − h′_{−1})‖₂ + slack, and the truncation distance ÷ its bound (worst t)" (fun () ->
        seq {
            for t in 0 .. ha.Length - 1 do
                yield dnorm d (Array.map2 (-) ha[t] hb[t]), (Math.Pow(s, float (t + 1)) * d0 + slack) * margin
                if t >= t0 then
                    yield dnorm d (Array.map2 (-) ha[t] truncated[t - t0]), (Math.Pow(s, float (t - t0 + 1)) * dnorm d before + slack) * margin })
    all [
        for t in 0 .. ha.Length - 1 do
            let lhs = dnorm d (Array.map2 (-) ha[t] hb[t])
            let rhs = (Math.Pow(s, float (t + 1)) * d0 + slack) * margin
            yield check (lhs <= rhs) (fun () -> $"t = {t}: ‖D(h_t − h′_t)‖ = %.17g{lhs} > %.17g{rhs} (s = {s}, D = %A{d})")
            if t >= t0 then
                let lhs2 = dnorm d (Array.map2 (-) ha[t] truncated[t - t0])
                let rhs2 = (Math.Pow(s, float (t - t0 + 1)) * dnorm d before + slack) * margin
                yield check (lhs2 <= rhs2) (fun () -> $"t = {t}, restart at {t0}: ‖D(h_t − h_t^(k))‖ = %.17g{lhs2} > %.17g{rhs2}")
    ]

/// Adds the identity to W_h (a state buffer accumulated into instead of overwritten).
let private accumulate (w: float[]) = let n = int (sqrt (float w.Length)) in w |> Array.mapi (fun k v -> if k / n = k % n then v + 1.0 else v)
/// Reads W_h transposed.
let private transposeW (w: float[]) = let n = int (sqrt (float w.Length)) in Array.init w.Length (fun k -> w[(k % n) * n + k / n])

/// An LSTM with bounded forget gate and small recurrent blocks so that the derived λ ≤ 0.9, and a second initial state.
type LstmContraction = { Cell: CellCase; Beta: int; H0b: float[]; C0b: float[] }

let private lstmActs = [ Activation.Sigmoid; Activation.Tanh; Activation.Tanh ]

/// λ = f_max + C‖W_f‖∞/4 + ‖W_i‖∞/4 + i_max‖W_g‖∞ + ‖W_o‖∞/4 with i_max = 1, C = max(‖c_{−1}‖∞, ‖c′_{−1}‖∞, M̂) (docs/theory.md §7).
let lstmLambda (c: CellCase) (c0b: float[]) (fmax: float) =
    let n = c.N
    let blockNorm g = [ for r in g * n .. (g + 1) * n - 1 -> c.Wh[r * n .. (r + 1) * n - 1] |> Array.sumBy abs ] |> List.max
    let g2 = (1.0 + u) * (1.0 + u)
    let mhat = g2 / (1.0 - fmax * g2)
    let cc = List.max [ normInf c.C0; normInf c0b; mhat ]
    fmax + cc * blockNorm 1 / 4.0 + blockNorm 0 / 4.0 + blockNorm 2 + blockNorm 3 / 4.0, cc

let private sigmoid (z: float) = 1.0 / (1.0 + Math.Exp(-z))

let private lstmGen =
    gen {
        let! c = cellCase CellKind.Lstm lstmActs
        let n = c.N
        let! beta = Gen.choose (1, 6)
        let! wh = Gen.arrayOfLength (4 * n * n) (Gen.choose (-1000, 1000) |> Gen.map (fun k -> float k / 1000.0))
        let! c0 = Gen.arrayOfLength n (Gen.choose (-8, 8) |> Gen.map (fun k -> float k / 4.0))
        let! c0b = Gen.arrayOfLength n (Gen.choose (-8, 8) |> Gen.map (fun k -> float k / 4.0))
        let! h0b = Gen.arrayOfLength n (Gen.choose (-4, 4) |> Gen.map (fun k -> float k / 4.0))
        let! h0 = Gen.arrayOfLength n (Gen.choose (-4, 4) |> Gen.map (fun k -> float k / 4.0))
        return { Cell = { c with Wh = wh; C0 = c0; H0 = h0; Single = false }; Beta = beta; H0b = h0b; C0b = c0b }
    }

/// Builds the hypotheses: forget bias pushed to −β below the forget pre-activation's bound (so f ≤ σ(−β) + activation
/// error), then the recurrent blocks scaled so that λ = 0.9 when it would exceed it.
let private prepare (l: LstmContraction) =
    let c = l.Cell
    let n = c.N
    let xm = inputs c |> Array.map normInf |> Array.max
    let fmax = sigmoid (-float l.Beta) * (1.0 + 8.0 * u) + 4.0 * u
    let lam0, _ = lstmLambda c l.C0b fmax
    let shrink = if lam0 > 0.9 then (0.9 - fmax) / (lam0 - fmax) else 1.0
    let wh = c.Wh |> Array.map (fun v -> v * shrink * (1.0 - 2.0 ** -30.0))
    let bx = Array.copy c.Bx
    for r in n .. 2 * n - 1 do
        let wxr = c.Wx[r * c.M .. (r + 1) * c.M - 1] |> Array.sumBy abs
        let whr = wh[r * n .. (r + 1) * n - 1] |> Array.sumBy abs
        bx[r] <- -((wxr * xm + whr + abs c.Bh[r]) * (1.0 + 2.0 ** -40.0)) - float l.Beta
    let c = { c with Wh = wh; Bx = bx }
    c, fmax

let private validLstm (l: LstmContraction) =
    validCell l.Cell && l.Cell.Kind = CellKind.Lstm && l.Beta >= 1 && l.H0b.Length = l.Cell.N && l.C0b.Length = l.Cell.N
    && normInf l.Cell.H0 <= 1.0 && normInf l.H0b <= 1.0

/// Theorem 7b.
let lstmContraction =
    { Id = "07b LstmContraction"
      Statement = "LSTM contraction (derived): if λ = f_max + C‖W_f‖∞/4 + ‖W_i‖∞/4 + i_max‖W_g‖∞ + ‖W_o‖∞/4 < 1 (recurrent blocks, C ≥ sup‖c_t‖∞), two trajectories under the same input satisfy max(‖Δc_t‖∞, ‖Δh_t‖∞) ≤ λ^{t+1} max(‖Δc_{−1}‖∞, ‖Δh_{−1}‖∞) + 2δ/(1 − λ), for the C# cell"
      Hypotheses = [ "forget gate f ≤ f_max = σ(−β) (+ activation error) by construction of its bias; i_max = 1; C = max(‖c_{−1}‖∞, ‖c′_{−1}‖∞, M̂) (theorem 8b)"; "recurrent blocks scaled so that λ ≤ 0.9; input weights and inputs arbitrary; ‖h_{−1}‖∞ ≤ 1; n ≤ 4, T ≤ 12"; "δ = (C + 4)(γ_{n+m+3}S + 16u): per-step rounding (docs/tolerances.md)" ]
      Source = "derivation in docs/theory.md §7 (mean-value bounds per gate in the ∞-norm; the form matches the inf-norm condition in the project notes, re-derived here); contraction framework: Miller & Hardt, ICLR 2019 (arXiv:1805.10369)"
      Proof = "Δc′ = f⊙Δc + c̃⊙Δf + g̃⊙Δi + i⊙Δg with |Δf| ≤ ¼‖W_f‖‖Δh‖, |Δi| ≤ ¼‖W_i‖‖Δh‖, |Δg| ≤ ‖W_g‖‖Δh‖; Δh′ = o⊙(tanh c′ − tanh c̃′) + tanh(c̃′)⊙Δo; so with M = max(‖Δc‖, ‖Δh‖): ‖Δc′‖ ≤ (λ − ‖W_o‖/4)M, ‖Δh′‖ ≤ λM."
      Decided = "binary64; the bound evaluated in binary64 with a 2⁻⁴⁰ relative margin" }

let private checkLstm (feed: CellCase -> CellCase) (l: LstmContraction) : Verdict =
    let c, fmax = prepare l
    let lam, cc = lstmLambda c l.C0b fmax
    let n = c.N
    let xs = inputs c
    let run (cs: CellCase) h0 c0 = runDouble (network cs lstmActs) xs h0 c0
    let cf = feed c
    let a, b = run cf c.H0 c.C0, run cf l.H0b l.C0b
    let sRow = [ for x in xs do for r in 0 .. 4 * n - 1 -> (Array.init c.M (fun k -> abs (c.Wx[r * c.M + k] * x[k])) |> Array.sum) + abs c.Bx[r] + abs c.Bh[r] + (Array.init n (fun k -> abs c.Wh[r * n + k]) |> Array.sum) ] |> List.max
    let delta = (cc + 4.0) * (2.0 * float (n + c.M + 3) * u * sRow + 16.0 * u)
    let slack = 2.0 * delta / (1.0 - lam)
    let d0 = max (normInf (Array.map2 (-) c.C0 l.C0b)) (normInf (Array.map2 (-) c.H0 l.H0b))
    observeWorst "max(‖Δc_t‖∞, ‖Δh_t‖∞) ÷ λ^{t+1} max(‖Δc_{−1}‖∞, ‖Δh_{−1}‖∞) + 2δ/(1 − λ) (worst t)" (fun () ->
        seq { for t in 0 .. a.Length - 1 ->
                let (ha, ca), (hb, cb) = a[t], b[t]
                max (normInf (Array.map2 (-) ca cb)) (normInf (Array.map2 (-) ha hb)), (Math.Pow(lam, float (t + 1)) * d0 + slack) * (1.0 + 2.0 ** -40.0) })
    all [
        yield check (lam < 1.0) (fun () -> $"the construction gave λ = {lam}")
        for t in 0 .. a.Length - 1 ->
            let (ha, ca), (hb, cb) = a[t], b[t]
            let lhs = max (normInf (Array.map2 (-) ca cb)) (normInf (Array.map2 (-) ha hb))
            let rhs = (Math.Pow(lam, float (t + 1)) * d0 + slack) * (1.0 + 2.0 ** -40.0)
            check (lhs <= rhs) (fun () -> $"t = {t}: max(‖Δc‖, ‖Δh‖) = %.17g{lhs} > %.17g{rhs} (λ = {lam}, f_max = {fmax})")
    ]

/// The gate order misread: blocks i and f swapped (the forget gate gets the input gate's unconstrained bias).
let private swapIf (c: CellCase) =
    let n = c.N
    let swap (a: float[]) width = Array.init a.Length (fun k -> let r = k / width in let g = r / n in let r2 = (if g = 0 then r + n elif g = 1 then r - n else r) in a[r2 * width + k % width])
    { c with Wx = swap c.Wx c.M; Wh = swap c.Wh c.N; Bx = swap c.Bx 1; Bh = swap c.Bh 1 }

[<Tests>]
let tests =
    testList "Theorem 7: contraction" [
        theorem elmanContraction (arbitrary elmanGen validElman) (checkElman id)
        theorem lstmContraction (arbitrary lstmGen validLstm) (checkLstm id)
        catches elmanContraction "a state buffer accumulated instead of overwritten (W_h + I)" elmanGen (checkElman accumulate)
        catches elmanContraction "a transposed recurrent matrix" (elmanGen |> Gen.filter (fun e -> e.E |> Array.exists ((<>) 0))) (checkElman transposeW)
        catches lstmContraction "the gate order misread (i and f swapped)" lstmGen (checkLstm swapIf)
    ]
