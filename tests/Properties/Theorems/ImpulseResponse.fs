/// Theorem 2 (impulse response and closed form) for the linear recursion, decided exactly in rationals.
module RnnVerify.Properties.Theorems.ImpulseResponse

open Expecto
open RnnVerify.Properties.Catalogue
open RnnVerify.Properties.Exact.Matrix
open RnnVerify.Properties.Generators.Linear
open RnnVerify.Properties.Theorems.Superposition

/// Theorem 2.
let impulseResponse =
    { Id = "02 ImpulseResponse"
      Statement = "impulse response: H_t(1_k) = W^{t−k} U for 0 ≤ k ≤ t and H_t(1_{−1}) = W^{t+1}, exactly"
      Hypotheses = [ "W (n×n), U (n×m) arbitrary dyadic (entries p/4, |p| ≤ 4, n ≤ 4, m ≤ 3), t ≤ 7" ]
      Source = "Soleymani (Sharif 2020) after Raj (CMU 11-785), slide 21; derivation in docs/theory.md §2"
      Proof = "from a unit impulse at k the state is U e_j at time k and is multiplied by W at each of the t − k later steps; from h_{−1} = e_j it is multiplied by W at t + 1 steps."
      Decided = "exact rational arithmetic; the responses come from running the recursion, the powers from repeated matrix products" }

/// Theorem 2b: the closed form.
let closedForm =
    { Id = "02b ClosedForm"
      Statement = "closed form: h_t = W^{t+1} h_{−1} + Σ_{k=0}^{t} W^{t−k} U x_k, exactly"
      Hypotheses = [ "as theorem 2, with arbitrary dyadic h_{−1} and inputs, T ≤ 8" ]
      Source = "Soleymani (Sharif 2020) after Raj (CMU 11-785), slide 20; docs/theory.md §2"
      Proof = "induction on t: h_t = W(W^t h_{−1} + Σ_{k<t} W^{t−1−k} U x_k) + U x_t."
      Decided = "exact rational arithmetic" }

let private checkImpulse (step: Step) (c: LinearCase) : Verdict =
    let w, u = w c, u c
    let ps = powers w 8 |> Array.ofList
    let rs = responses step w u 7
    exactly ()
    all [
        for t in 0 .. 6 do
            let r = rs[0][t]
            yield check (r = ps[t + 1]) (fun () -> $"t = {t}: H_t(1_-1) = {show r} but W^(t+1) = {show ps[t + 1]}; W = {show w}")
            for k in 0..t ->
                let r = rs[k + 1][t]
                let e = mul ps[t - k] u
                check (r = e) (fun () -> $"t = {t}, k = {k}: H_t(1_k) = {show r} but W^(t-k) U = {show e}; W = {show w}, U = {show u}")
    ]

let private checkClosedForm (step: Step) (c: LinearCase) : Verdict =
    let w, u, h0, xs = w c, u c, h0 c, xs c
    let hs = trajectory step w u h0 xs
    let ps = powers w (c.T + 1) |> Array.ofList
    exactly ()
    all [
        for t in 0 .. c.T - 1 ->
            let e = [ 0..t ] |> List.fold (fun acc k -> addV acc (mulV (mul ps[t - k] u) xs[k])) (mulV ps[t + 1] h0)
            check (hs[t] = e) (fun () -> $"t = {t}: h_t = {showV hs[t]} but the closed form gives {showV e}")
    ]

/// The recurrent matrix applied transposed: h_t = Wᵀ h_{t−1} + U x_t.
let transposedStep: Step = fun w u h x -> linearStep (transpose w) u h x
/// Off by one: the input is applied before the recurrent product, h_t = W (h_{t−1} + U x_t).
let inputFirstStep: Step = fun w u h x -> mulV w (addV h (mulV u x))
/// The state buffer is accumulated into instead of overwritten: h_t = h_{t−1} + W h_{t−1} + U x_t.
let accumulatingStep: Step = fun w u h x -> addV h (linearStep w u h x)

[<Tests>]
let tests =
    testList "Theorem 2: impulse response" [
        theorem impulseResponse (arbitrary linearCase validLinear) (checkImpulse linearStep)
        theorem closedForm (arbitrary linearCase validLinear) (checkClosedForm linearStep)
        catches impulseResponse "a transposed recurrent matrix" linearCase (checkImpulse transposedStep)
        catches impulseResponse "an off-by-one power (input applied before W)" linearCase (checkImpulse inputFirstStep)
        catches impulseResponse "a state buffer accumulated instead of overwritten" linearCase (checkImpulse accumulatingStep)
        catches closedForm "a transposed recurrent matrix" linearCase (checkClosedForm transposedStep)
        catches closedForm "an off-by-one power (input applied before W)" linearCase (checkClosedForm inputFirstStep)
    ]
