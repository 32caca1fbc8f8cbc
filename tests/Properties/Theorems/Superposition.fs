/// Theorem 1 (superposition) for the linear recursion h_t = W h_{t−1} + U x_t, decided exactly in rationals.
module RnnVerify.Properties.Theorems.Superposition

open Expecto
open FsCheck.FSharp
open RnnVerify.Properties.Catalogue
open RnnVerify.Properties.Exact.Rational
open RnnVerify.Properties.Exact.Matrix
open RnnVerify.Properties.Generators.Linear

/// One step of an implementation of the linear recursion: step W U h_{t−1} x_t = h_t.
type Step = Mat -> Mat -> Vec -> Vec -> Vec

/// The specification: h_t = W h_{t−1} + U x_t.
let linearStep: Step = fun w u h x -> addV (mulV w h) (mulV u x)

/// The states h_0 … h_{T−1} produced by a step function.
let trajectory (step: Step) w u (h0: Vec) (xs: Vec list) = xs |> List.scan (fun h x -> step w u h x) h0 |> List.tail

/// All responses H_t(1_k) for 0 ≤ t < T as the implementation computes them: column j of `(responses …)[k + 1][t]` is
/// h_t for the unit impulse e_j at time k (k = −1: the initial state; k ≥ 0: the input x_k), all else zero.
let responses (step: Step) (w: Mat) (u: Mat) (horizon: int) : Mat[][] =
    let n, m = rows w, cols u
    let silent = List.init horizon (fun _ -> zeroVec m)
    let table (runs: Vec list list) = Array.init horizon (fun t -> ofColumns [ for r in runs -> r[t] ])
    let fromState = table [ for j in 0 .. n - 1 -> trajectory step w u (unit n j) silent ]
    let fromInput k =
        table [ for j in 0 .. m - 1 -> trajectory step w u (zeroVec n) (silent |> List.mapi (fun s x -> if s = k then unit m j else x)) ]
    Array.append [| fromState |] (Array.init horizon fromInput)

/// Theorem 1.
let superposition =
    { Id = "01 Superposition"
      Statement = "superposition: h_t = H_t(1_{−1}) h_{−1} + Σ_k H_t(1_k) x_k for the linear recursion h_t = W h_{t−1} + U x_t, exactly"
      Hypotheses = [ "W (n×n), U (n×m), h_{−1}, x_0…x_{T−1} arbitrary dyadic (entries p/4, |p| ≤ 4, n ≤ 4, m ≤ 3, T ≤ 8)"; "identity activation, no bias" ]
      Source = "Bhiksha Raj, 11-785 (CMU 2019) via M. Soleymani, 'RNNs: stability analysis and LSTMs' (Sharif 2020), slides 19–21; derivation in docs/theory.md §1"
      Proof = "h_t is a composition of linear maps of (h_{−1}, x_0, …, x_t); a linear map is the sum of its values on the unit vectors, which are the responses H_t(1_k)."
      Decided = "exact rational arithmetic (equality of rationals, no tolerance)" }

let private checkSuperposition (step: Step) (c: LinearCase) : Verdict =
    let w, u, h0, xs = w c, u c, h0 c, xs c
    let hs = trajectory step w u h0 xs
    let r = responses step w u c.T
    exactly ()
    all [
        for t in 0 .. c.T - 1 ->
            let sum = [ 0..t ] |> List.fold (fun acc k -> addV acc (mulV (r[k + 1][t]) (xs[k]))) (mulV (r[0][t]) h0)
            check (sum = hs[t]) (fun () -> $"t = {t}: h_t = {showV hs[t]} but the sum of responses is {showV sum}; W = {show w}, U = {show u}")
    ]

/// Theorem 1b: linearity of the map (h_{−1}, x) ↦ h_t.
let linearity =
    { Id = "01b Linearity"
      Statement = "linearity: the map (h_{−1}, x_0…x_t) ↦ h_t of the linear recursion satisfies f(a·p + b·q) = a·f(p) + b·f(q), exactly"
      Hypotheses = [ "two initial states and input sequences p, q of the same shape; rational a, b"; "identity activation, no bias" ]
      Source = "derivation in docs/theory.md §1"
      Proof = "each step is linear in (h_{t−1}, x_t); compositions of linear maps are linear."
      Decided = "exact rational arithmetic" }

/// Two inputs of the same shape and the coefficients a = an/3, b = bn/5 (non-dyadic on purpose).
type LinearPair = { Case: LinearCase; H0b: int[]; Xsb: int[]; An: int; Bn: int }

let private pairGen =
    gen {
        let! c = linearCase
        let! h = Gen.arrayOfLength c.N (Gen.choose (-4, 4))
        let! x = Gen.arrayOfLength c.Xs.Length (Gen.choose (-4, 4))
        let! a = Gen.choose (-6, 6)
        let! b = Gen.choose (-6, 6)
        return { Case = c; H0b = h; Xsb = x; An = a; Bn = b }
    }

let private validPair (p: LinearPair) =
    validLinear p.Case && validLinear { p.Case with H0 = p.H0b; Xs = p.Xsb } && p.Xsb.Length = p.Case.Xs.Length

let private checkLinearity (step: Step) (p: LinearPair) : Verdict =
    let c2 = { p.Case with H0 = p.H0b; Xs = p.Xsb }
    let a, b = Q.frac p.An 3, Q.frac p.Bn 5
    let w, u = w p.Case, u p.Case
    let comb (v1: Vec) (v2: Vec) = addV (scaleV a v1) (scaleV b v2)
    let f1 = trajectory step w u (h0 p.Case) (xs p.Case)
    let f2 = trajectory step w u (h0 c2) (xs c2)
    let f12 = trajectory step w u (comb (h0 p.Case) (h0 c2)) (List.map2 comb (xs p.Case) (xs c2))
    exactly ()
    all [
        for t in 0 .. p.Case.T - 1 ->
            let rhs = comb f1[t] f2[t]
            check (f12[t] = rhs) (fun () -> $"t = {t}: f(a p + b q) = {showV f12[t]} but a f(p) + b f(q) = {showV rhs}")
    ]

/// A bias b = 1/4 added at every step (an affine, not linear, recursion).
let biasedStep: Step = fun w u h x -> linearStep w u h x |> Array.map (fun v -> v + Q.frac 1 4)
/// A saturating recursion: each component clipped to [−1, 1] (a nonlinearity).
let clippedStep: Step = fun w u h x -> linearStep w u h x |> Array.map (fun v -> Q.max (Q.ofInt -1) (Q.min Q.one v))

[<Tests>]
let tests =
    testList "Theorem 1: superposition" [
        theorem superposition (arbitrary linearCase validLinear) (checkSuperposition linearStep)
        theorem linearity (arbitrary pairGen validPair) (checkLinearity linearStep)
        catches superposition "a bias added at every step" linearCase (checkSuperposition biasedStep)
        catches superposition "a saturating (clipped) state" linearCase (checkSuperposition clippedStep)
        catches linearity "a bias added at every step" pairGen (checkLinearity biasedStep)
        catches linearity "a saturating (clipped) state" pairGen (checkLinearity clippedStep)
    ]
