/// Theorem 4 (bounded-input bounded-state stability) for the linear recursion h_t = W h_{t−1} + U x_t, decided exactly
/// in rationals.
module RnnVerify.Properties.Theorems.Bibo

open Expecto
open FsCheck.FSharp
open RnnVerify.Properties.Catalogue
open RnnVerify.Properties.Exact.Rational
open RnnVerify.Properties.Exact.Matrix
open RnnVerify.Properties.Generators.Linear
open RnnVerify.Properties.Theorems.Superposition
open RnnVerify.Properties.Theorems.ImpulseResponse
open RnnVerify.Properties.Theorems.EigenGrowth

/// Steps checked per case.
let horizon = 10

/// A stable (ρ < 1) or unstable diagonalisable W with an input matrix U = V G (G integer n×m), an initial state and
/// inputs bounded by B = 1 (entries p/4, |p| ≤ 4).
type BiboCase = { D: Diagonalisable; G: int[]; M: int; H0: int[]; Xs: int[] }

let private validBibo maxMag (b: BiboCase) =
    validDiagonalisable b.D && b.D.Lambda.Mags[0] <= maxMag && b.M >= 1 && b.G.Length = b.D.V.Size * b.M
    && b.H0.Length = b.D.V.Size && b.Xs.Length = horizon * b.M && Array.forall (fun p -> abs p <= 4) b.Xs

let private biboGen maxMag =
    gen {
        let! d = diagonalisable 1 4 maxMag
        let n = d.V.Size
        let! m = Gen.choose (1, 2)
        let! g = Gen.arrayOfLength (n * m) (Gen.choose (-2, 2))
        let! h0 = Gen.arrayOfLength n (Gen.choose (-4, 4))
        let! xs = Gen.arrayOfLength (horizon * m) (Gen.elements [ -4; -4; -3; -1; 0; 1; 3; 4; 4 ])
        return { D = d; G = g; M = m; H0 = h0; Xs = xs }
    }

let private parts (b: BiboCase) =
    let w, v, vi, l = build b.D
    let n = b.D.V.Size
    let g = Array.init n (fun i -> Array.init b.M (fun j -> Q.ofInt b.G[i * b.M + j]))
    let u = mul v g
    let h0 = b.H0 |> Array.map (fun p -> Q.frac p 4)
    let xs = List.init horizon (fun t -> Array.init b.M (fun j -> Q.frac b.Xs[t * b.M + j] 4))
    w, v, vi, l, g, u, h0, xs

/// The input x_k = B·sign(row_i(W^{t−k} U)) that maximises |(h_t)_i| from rest (B = 1), for t = horizon − 1.
let private worstInput (w: Mat) (u: Mat) (i: int) : Vec list =
    let ps = powers w horizon |> Array.ofList
    let t = horizon - 1
    List.init horizon (fun k -> (mul ps[t - k] u)[i] |> Array.map (fun a -> Q.ofInt (Q.sign a)))

/// Theorem 4.
let biboBound =
    { Id = "04 BiboBound"
      Statement = "BIBO bound: ρ(W) < 1 ⇒ ‖h_t‖∞ ≤ ‖W^{t+1}‖∞‖h_{−1}‖∞ + ‖U‖∞·B·Σ_{k≤t}‖W^k‖∞ ≤ κ∞(V)(‖h_{−1}‖∞ + ‖U‖∞·B/(1 − ρ)) for every input bounded by B, exactly"
      Hypotheses = [ "W = VΛV⁻¹, V unimodular integer, |λ_i| ≤ 7/8 (built)"; "U = V G, G integer"; "‖x_k‖∞ ≤ B = 1 (random, and the worst-case sign inputs)"; "n ≤ 4, t ≤ 9" ]
      Source = "Soleymani (Sharif 2020) after Raj (CMU 11-785), slides 12–15; Kailath, Linear Systems (1980) §2.6; docs/theory.md §4"
      Proof = "closed form (theorem 2) and the triangle inequality; Σ_k ‖W^k‖∞ ≤ κ∞(V) Σ_k ρ^k = κ∞(V)/(1 − ρ)."
      Decided = "exact rational arithmetic" }

let private checkBound (step: Step) (b: BiboCase) : Verdict =
    let w, v, vi, l, _, u, h0, xs = parts b
    let rho = Q.abs l[0]
    let kappa = condInf v vi
    let ps = powers w (horizon + 1) |> Array.ofList
    let nu, nh = normInf u, normInfV h0
    let uniform = kappa * (nh + nu / (Q.one - rho))
    let inputs = xs :: [ for i in 0 .. b.D.V.Size - 1 -> worstInput w u i ]
    let runs = inputs |> List.map (fun inp -> trajectory step w u h0 inp |> Array.ofList)
    let boundAt t = normInf ps[t + 1] * nh + nu * (ps[0..t] |> Array.fold (fun s p -> s + normInf p) Q.zero)
    observeWorst "‖h_t‖∞ ÷ ‖W^{t+1}‖∞‖h_{−1}‖∞ + ‖U‖∞B Σ_{k≤t}‖W^k‖∞ (worst t and input, random and sign inputs)" (fun () ->
        seq { for hs in runs do
                for t in 0 .. horizon - 1 -> Q.toFloat (normInfV hs[t]), Q.toFloat (boundAt t) })
    all [
        for hs in runs do
            for t in 0 .. horizon - 1 ->
                let bound = boundAt t
                let n = normInfV hs[t]
                check (compare n bound <= 0 && compare bound uniform <= 0) (fun () ->
                    $"t = {t}: ‖h_t‖∞ = {Q.toFloat n:R}, bound {Q.toFloat bound:R}, uniform bound {Q.toFloat uniform:R}; W = {show w}, U = {show u}")
    ]

/// Theorem 4b: the bound is attained: the worst bounded input gives the ℓ¹ norm of the impulse response.
let biboSharp =
    { Id = "04b BiboSharp"
      Statement = "BIBO iff summable: from rest, max_{‖x‖∞≤B} ‖h_t‖∞ = B·max_i Σ_{k≤t} ‖row_i(W^k U)‖₁, attained by the sign input x_k = B·sign(row_i(W^{t−k}U)), exactly"
      Hypotheses = [ "W = VΛV⁻¹ with any real spectrum |λ_i| ≤ 2 (built)"; "U = V G, G integer"; "B = 1, t = 9" ]
      Source = "Kailath, Linear Systems (1980) §2.6 (BIBO stability iff Σ‖H_k‖ < ∞); docs/theory.md §4"
      Proof = "(h_t)_i = Σ_k row_i(W^{t−k}U) x_k ≤ Σ_k ‖row_i(W^{t−k}U)‖₁ B with equality for the sign input; so states are bounded for every bounded input iff Σ_k |W^k U| converges."
      Decided = "exact rational arithmetic" }

let private checkSharp (step: Step) (b: BiboCase) : Verdict =
    let w, _, _, _, _, u, _, _ = parts b
    let n = b.D.V.Size
    let t = horizon - 1
    let ps = powers w horizon |> Array.ofList
    let l1 i = [ 0..t ] |> List.fold (fun s k -> s + ((mul ps[k] u)[i] |> Array.fold (fun a x -> a + Q.abs x) Q.zero)) Q.zero
    let attained i = normInfV (trajectory step w u (zeroVec n) (worstInput w u i) |> List.item t)
    let sup = [ for i in 0 .. n - 1 -> l1 i ] |> List.max
    let got = [ for i in 0 .. n - 1 -> attained i ] |> List.max
    exactly ()
    check (got = sup) (fun () -> $"max over sign inputs of ‖h_t‖∞ = {got} but B·max_i Σ_k ‖row_i(W^k U)‖₁ = {sup}; W = {show w}, U = {show u}")

/// Theorem 4c: an unstable controllable mode gives a bounded input with unbounded state.
let biboWitness =
    { Id = "04c BiboWitness"
      Statement = "instability witness: |λ₁| ≥ 1 with (V⁻¹U)₁ = g₁ ≠ 0 ⇒ the bounded input x_k = sign(λ₁)^k from rest gives ‖h_t‖∞ ≥ (t + 1)|g₁|/‖V⁻¹‖∞, unbounded, exactly"
      Hypotheses = [ "W = VΛV⁻¹, |λ₁| ∈ [1, 2] (built), V unimodular"; "U = V g, g integer with g₁ ≠ 0 (the unstable mode is controllable)"; "m = 1, t ≤ 9" ]
      Source = "Soleymani (Sharif 2020) after Raj, slide 11; docs/theory.md §4 (W = 1, x ≡ 1 gives h_t = t + 1)"
      Proof = "(V⁻¹h_t)₁ = g₁ Σ_k λ₁^{t−k} s^k = s^t g₁ Σ_k |λ₁|^{t−k} with s = sign λ₁, of modulus ≥ (t + 1)|g₁|; and |(V⁻¹h)₁| ≤ ‖V⁻¹‖∞‖h‖∞."
      Decided = "exact rational arithmetic" }

let private checkWitness (step: Step) (b: BiboCase) : Verdict =
    let w, _, vi, l, g, u, _, _ = parts b
    let n = b.D.V.Size
    let s = Q.ofInt (Q.sign l[0])
    let inp = List.init horizon (fun k -> [| Q.pow s k |])
    let hs = trajectory step w u (zeroVec n) inp |> Array.ofList
    let g1 = Q.abs (g[0][0])
    observeWorst "lower bound (t + 1)|g₁|/‖V⁻¹‖∞ ÷ the attained ‖h_t‖∞ (worst t ≤ 9)" (fun () ->
        seq { for t in 0 .. horizon - 1 -> Q.toFloat (Q.ofInt (t + 1) * g1 / normInf vi), Q.toFloat (normInfV hs[t]) })
    all [
        for t in 0 .. horizon - 1 ->
            let lo = Q.ofInt (t + 1) * g1 / normInf vi
            check (compare (normInfV hs[t]) lo >= 0) (fun () -> $"t = {t}: ‖h_t‖∞ = {normInfV hs[t]} < (t + 1)|g₁|/‖V⁻¹‖∞ = {lo}; W = {show w}, U = {show u}")
    ]

let private witnessGen =
    gen {
        let! d = diagonalisable 1 4 16
        let! top = Gen.choose (8, 16)
        let mags = d.Lambda.Mags
        let mags = if mags[0] < 8 then (mags[0] <- top; mags) else mags
        let n = d.V.Size
        let! g = Gen.arrayOfLength n (Gen.choose (-2, 2))
        let! g1 = Gen.elements [ -2; -1; 1; 2 ]
        g[0] <- g1
        return { D = { d with Lambda = { d.Lambda with Mags = mags } }; G = g; M = 1; H0 = Array.zeroCreate n; Xs = Array.zeroCreate horizon }
    }

let private validWitness (b: BiboCase) = validBibo 16 b && b.M = 1 && b.D.Lambda.Mags[0] >= 8 && b.G[0] <> 0

/// Theorem 4d: the controllability caveat.
let controllability =
    { Id = "04d Controllability"
      Statement = "controllability caveat: |λ₁| ≥ 1 > |λ₂| ≥ … with U = V g, g₁ = 0 ⇒ from rest ‖h_t‖∞ ≤ ‖V‖∞‖g‖∞B/(1 − |λ₂|) for every input bounded by B, yet from h_{−1} = v₁, h_t = λ₁^{t+1}v₁, exactly"
      Hypotheses = [ "W = VΛV⁻¹ with |λ₁| ∈ [1, 2] and |λ_i| ≤ 7/8 for i ≥ 2 (built), n ≥ 2"; "U = V g with g₁ = 0 (the unstable mode is not controllable)"; "‖x_k‖∞ ≤ B = 1, t ≤ 9" ]
      Source = "Kailath, Linear Systems (1980) §2.6 and §6.2; the example W = diag(2, ½), U = (0, 1)ᵀ; docs/theory.md §4"
      Proof = "V⁻¹h_t = Σ_k Λ^{t−k} g x_k has a zero first coordinate and |i-th| ≤ |g_i| B/(1 − |λ_i|); multiply by V. From v₁ the state stays on the eigenline."
      Decided = "exact rational arithmetic" }

let private caveatGen =
    gen {
        let! n = Gen.choose (2, 4)
        let! v = unimodular n
        let! top = Gen.choose (8, 16)
        let! rest = Gen.shuffle [| 0..7 |]
        let mags = Array.append [| top |] (rest |> Array.truncate (n - 1) |> Array.sortDescending)
        let! neg = Gen.arrayOfLength n (Gen.elements [ false; true ])
        let! g = Gen.arrayOfLength n (Gen.choose (-2, 2))
        g[0] <- 0
        let! xs = Gen.arrayOfLength horizon (Gen.elements [ -4; -1; 0; 1; 4 ])
        return { D = { V = v; Lambda = { Mags = mags; Negative = neg } }; G = g; M = 1; H0 = Array.zeroCreate n; Xs = xs }
    }

let private validCaveat (b: BiboCase) =
    validBibo 16 b && b.M = 1 && b.D.V.Size >= 2 && b.D.Lambda.Mags[0] >= 8 && b.D.Lambda.Mags[1] <= 7 && b.G[0] = 0

let private checkCaveat (step: Step) (b: BiboCase) : Verdict =
    let w, v, _, l, g, u, _, xs = parts b
    let n = b.D.V.Size
    let bound = normInf v * normInfV (column g 0) / (Q.one - Q.abs l[1])
    let fromRest = trajectory step w u (zeroVec n) xs |> Array.ofList
    let v1 = column v 0
    let fromV1 = trajectory step w u v1 (List.replicate horizon [| Q.zero |]) |> Array.ofList
    observeWorst "from rest ‖h_t‖∞ ÷ ‖V‖∞‖g‖∞B/(1 − |λ₂|) (worst t ≤ 9; the orbit of v₁ is checked for equality)" (fun () ->
        seq { for t in 0 .. horizon - 1 -> Q.toFloat (normInfV fromRest[t]), Q.toFloat bound })
    all [
        for t in 0 .. horizon - 1 do
            yield check (compare (normInfV fromRest[t]) bound <= 0) (fun () -> $"t = {t}: from rest ‖h_t‖∞ = {normInfV fromRest[t]} > {bound}; W = {show w}, U = {show u}")
            let e = scaleV (Q.pow l[0] (t + 1)) v1
            yield check (fromV1[t] = e) (fun () -> $"t = {t}: from v₁, h_t = {showV fromV1[t]} but λ₁^(t+1) v₁ = {showV e}")
    ]

/// A constant bias b = 1/4 on every unit (affine recursion; its forced response grows like Σ W^k b).
let private biasStep: Step = biasedStep

[<Tests>]
let tests =
    testList "Theorem 4: BIBO" [
        theorem biboBound (arbitrary (biboGen 7) (validBibo 7)) (checkBound linearStep)
        theorem biboSharp (arbitrary (biboGen 16) (validBibo 16)) (checkSharp linearStep)
        theorem biboWitness (arbitrary witnessGen validWitness) (checkWitness linearStep)
        theorem controllability (arbitrary caveatGen validCaveat) (checkCaveat linearStep)
        example biboWitness "W = 1, U = 1, x ≡ 1: h_t = t + 1" (fun () ->
            let hs = trajectory linearStep [| [| Q.one |] |] [| [| Q.one |] |] [| Q.zero |] (List.replicate 1000 [| Q.one |])
            all [ for t in 0..999 -> check (hs[t] = [| Q.ofInt (t + 1) |]) (fun () -> $"h_{t} = {hs[t][0]}") ])
        example controllability "W = diag(2, ½), U = (0, 1)ᵀ: bounded by 2B from rest, 2^(t+1) from e₁" (fun () ->
            let w = diag [| Q.ofInt 2; Q.frac 1 2 |]
            let u = [| [| Q.zero |]; [| Q.one |] |]
            let rest = trajectory linearStep w u (zeroVec 2) (List.replicate 60 [| Q.one |])
            let e1 = trajectory linearStep w u (unit 2 0) (List.replicate 60 [| Q.zero |])
            all [
                for t in 0..59 do
                    yield check (compare (normInfV rest[t]) (Q.ofInt 2) < 0) (fun () -> $"from rest h_{t} = {showV rest[t]}")
                    yield check (e1[t] = [| Q.pow (Q.ofInt 2) (t + 1); Q.zero |]) (fun () -> $"from e₁ h_{t} = {showV e1[t]}")
            ])
        catches biboBound "a state buffer accumulated instead of overwritten" (biboGen 7) (checkBound accumulatingStep)
        catches biboBound "one recurrent product too many per step" (biboGen 7) (checkBound doubleStep)
        catches biboSharp "a transposed recurrent matrix" (biboGen 16) (checkSharp transposedStep)
        catches biboSharp "an off-by-one power (input applied before W)" (biboGen 16) (checkSharp inputFirstStep)
        catches biboWitness "a sign error (−W)" witnessGen (checkWitness negatedStep)
        catches controllability "a transposed recurrent matrix" caveatGen (checkCaveat transposedStep)
        catches controllability "a bias added at every step" caveatGen (checkCaveat biasStep)
    ]
