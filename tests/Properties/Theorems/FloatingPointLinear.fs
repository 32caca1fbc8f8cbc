/// The floating-point parts of theorems 1 and 3: the C# Elman cell with identity activation (binary64 and binary32)
/// against the exact linear recursion, judged with a rounding bound derived in docs/tolerances.md ("Theorem catalogue").
module RnnVerify.Properties.Theorems.FloatingPointLinear

open System
open Expecto
open FsCheck.FSharp
open RnnVerify.Cells
open RnnVerify.Properties.Catalogue
open RnnVerify.Properties.Exact.Rational
open RnnVerify.Properties.Exact.Matrix
open RnnVerify.Properties.Generators.Linear
open RnnVerify.Properties.Generators.Cells

/// A binary format: unit roundoff u and smallest subnormal η.
type Format =
    { Name: string; U: Q; Eta: Q; Run: NetworkWeights -> float[][] -> float[] -> float[] -> (float[] * float[])[] }

let binary64 = { Name = "binary64"; U = Q.Create(Numerics.BigInteger.One, Numerics.BigInteger.Pow(2I, 53)); Eta = Q.ofFloat Double.Epsilon; Run = runDouble }
let binary32 = { Name = "binary32"; U = Q.Create(Numerics.BigInteger.One, Numerics.BigInteger.Pow(2I, 24)); Eta = Q.ofFloat (float Single.Epsilon); Run = runSingle }

/// A dyadic upper bound on γ_k = k u/(1 − k u) (Higham, ASNA 2nd ed., §3.1): k u + 2(k u)², valid for k u ≤ ½.
let gamma (f: Format) (k: int) = let ku = Q.ofInt k * f.U in ku + Q.ofInt 2 * ku * ku

/// x rounded up to 64 significant bits (x ≥ 0 dyadic): keeps the running bound rigorous and its size constant.
let private up (x: Q) = RnnVerify.Reference.Dyadic.roundUp 64 (Q.toDyadic x) |> Q.ofDyadic

let private absM (a: Mat) = a |> Array.map (Array.map Q.abs)
let private absV (a: Vec) = a |> Array.map Q.abs
let private toFloats (m: Mat) = m |> Array.collect (Array.map Q.toFloat)

/// The identity-activation Elman cell with weights W, U and zero biases, run by the C# code in format f.
let cellTrajectory (f: Format) (w: Mat) (u: Mat) (h0: Vec) (xs: Vec list) : Vec[] =
    let n, m = rows w, cols u
    let s = spec CellKind.Rnn [ Activation.Identity ] m n
    let nw = weights s (toFloats u) (toFloats w) (Array.zeroCreate n) (Array.zeroCreate n)
    f.Run nw (xs |> List.map (Array.map Q.toFloat) |> Array.ofList) (Array.map Q.toFloat h0) [||]
    |> Array.map (fst >> Array.map Q.ofFloat)

/// The running bound E_t = |W| E_{t−1} + γ_k(|W||ĥ_{t−1}| + |U||x_t|) + k η, k = n + m + 2, E_{−1} = 0 (docs/tolerances.md).
let runningBound (f: Format) (w: Mat) (u: Mat) (h0: Vec) (xs: Vec list) (hs: Vec[]) : Vec[] =
    let n, m = rows w, cols u
    let k = n + m + 2
    let g = gamma f k
    let aw, au = absM w, absM u
    let prev = Array.append [| h0 |] hs
    xs
    |> List.mapi (fun t x -> t, x)
    |> List.scan (fun e (t, x) ->
        let local = addV (mulV aw (absV prev[t])) (mulV au (absV x)) |> Array.map (fun a -> g * a + Q.ofInt k * f.Eta)
        addV (mulV aw e) local |> Array.map up) (zeroVec n)
    |> List.tail |> Array.ofList

/// A linear case with full-width entries k·2^−20, |k| ≤ 2^20 (exact in binary32 and binary64, but products and sums
/// need more bits, so the cell rounds from the first step).
type WideCase = { N: int; M: int; W: int[]; U: int[]; H0: int[]; Xs: int[]; Single: bool }

let private scaleWide (k: int) = Q.Create(Numerics.BigInteger k, Numerics.BigInteger.Pow(2I, 20))
let private wideGen =
    gen {
        let! n = Gen.choose (1, 4)
        let! m = Gen.choose (1, 3)
        let! t = Gen.choose (1, 8)
        let e k = Gen.arrayOfLength k (Gen.choose (-(1 <<< 20), 1 <<< 20))
        let! w = e (n * n)
        let! u = e (n * m)
        let! h0 = e n
        let! xs = e (t * m)
        let! single = Gen.elements [ false; true ]
        return { N = n; M = m; W = w; U = u; H0 = h0; Xs = xs; Single = single }
    }
let private validWide (c: WideCase) =
    c.N >= 1 && c.M >= 1 && c.W.Length = c.N * c.N && c.U.Length = c.N * c.M && c.H0.Length = c.N && c.Xs.Length % c.M = 0
    && Array.forall (fun k -> abs k <= (1 <<< 20)) (Array.concat [ c.W; c.U; c.H0; c.Xs ])

let private wideParts (c: WideCase) =
    let mat r cl (a: int[]) = Array.init r (fun i -> Array.init cl (fun j -> scaleWide a[i * cl + j]))
    let t = c.Xs.Length / c.M
    mat c.N c.N c.W, mat c.N c.M c.U, Array.map scaleWide c.H0, List.init t (fun s -> Array.init c.M (fun j -> scaleWide c.Xs[s * c.M + j]))

/// Theorem 1c.
let cellSuperposition =
    { Id = "01c CellSuperposition"
      Statement = "the C# Elman cell with identity activation follows the exact linear recursion (hence superposition) within the running rounding bound |ĥ_t − h_t| ≤ |W|E_{t−1} + γ_{n+m+2}(|W||ĥ_{t−1}| + |U||x_t|) + (n+m+2)η, in binary64 and binary32"
      Hypotheses = [ "W, U, h_{−1}, x with entries k·2^−20, |k| ≤ 2^20 (exact in both formats), n ≤ 4, m ≤ 3, T ≤ 8"; "zero biases, identity activation" ]
      Source = "Higham, ASNA 2nd ed. §3.1 (γ_k for inner products in any order); derivation in docs/tolerances.md, 'Theorem catalogue'"
      Proof = "ĥ_t = W ĥ_{t−1} + U x_t + δ_t with |δ_t| ≤ γ_k(|W||ĥ_{t−1}| + |U||x_t|) + kη; e_t = ĥ_t − h_t = W e_{t−1} + δ_t."
      Decided = "exact rational comparison of the cell's values with the exact recursion and the bound (evaluated exactly)" }

let private checkCell (feed: Mat -> Mat -> Vec -> Vec list -> Mat * Mat * Vec * Vec list) (c: WideCase) : Verdict =
    let f = if c.Single then binary32 else binary64
    let w, u, h0, xs = wideParts c
    let fw, fu, fh, fx = feed w u h0 xs
    let hs = cellTrajectory f fw fu fh fx
    let exact = run w u h0 xs |> Array.ofList
    let bound = runningBound f w u h0 xs hs
    observeWorst "|ĥ_t − h_t| ÷ running rounding bound E_t (worst element)" (fun () ->
        seq { for t in 0 .. hs.Length - 1 do
                for i in 0 .. c.N - 1 -> Q.toFloat (Q.abs (hs.[t].[i] - exact.[t].[i])), Q.toFloat bound.[t].[i] })
    all [
        for t in 0 .. hs.Length - 1 do
            for i in 0 .. c.N - 1 ->
                let err = Q.abs ((hs.[t].[i]) - (exact.[t].[i]))
                check (compare err (bound.[t].[i]) <= 0) (fun () ->
                    $"{f.Name}, t = {t}, i = {i}: cell %.17g{Q.toFloat (hs.[t].[i])}, exact %.17g{Q.toFloat (exact.[t].[i])}, |error| %.17g{Q.toFloat err} > bound %.17g{Q.toFloat (bound.[t].[i])}; W = {show w}")
    ]

/// The real cell, fed correctly.
let private honest = fun w u h0 xs -> (w, u, h0, xs)
/// The real cell fed Wᵀ (a layout bug: column-major read as row-major).
let private transposedFeed = fun w u h0 xs -> (transpose w, u, h0, xs)
/// The real cell fed the inputs one step late (x_{t−1} at step t).
let private lateFeed = fun w u h0 (xs: Vec list) -> (w, u, h0, (match xs with [] -> [] | x :: _ -> zeroVec x.Length :: List.take (xs.Length - 1) xs))

/// W = VΛV⁻¹ with h_{−1} = V c, c₁ = 0, c_i = m_i·2^−40 (|m_i| < 2^39; exact in binary64), zero input.
type SeedCase = { D: Diagonalisable; C: int64[] }

let private seedGen =
    gen {
        let! n = Gen.choose (2, 4)
        let! v = unimodular n
        let! mags = Gen.shuffle [| 1..16 |]
        let mags = mags |> Array.truncate n |> Array.sortDescending
        let! neg = Gen.arrayOfLength n (Gen.elements [ false; true ])
        let! cs = Gen.arrayOfLength n (Gen.choose (1, Int32.MaxValue) |> Gen.map (fun k -> int64 k <<< 8))
        let! signs = Gen.arrayOfLength n (Gen.elements [ 1L; -1L ])
        let c = Array.map2 (*) cs signs
        c[0] <- 0L
        return { D = { V = v; Lambda = { Mags = mags; Negative = neg } }; C = c }
    }
let private validSeed (s: SeedCase) =
    validDiagonalisable s.D && s.D.V.Size >= 2 && s.D.Lambda.Mags[1] >= 1 && s.C[0] = 0L && s.C[1] <> 0L
    && s.C |> Array.forall (fun m -> abs m < (1L <<< 39))

/// Steps checked per case in theorem 3f.
let seedHorizon = 64

/// t* = log(|λ₁|(1 − r)|c₂| / (3γ_n‖|W|‖∞ κ∞(V)² ‖c‖∞)) / log(1/r), r = |λ₂/λ₁| (docs/theory.md §3f).
let predictedCrossover (f: Format) (w: Mat) (v: Mat) (vi: Mat) (l: Q[]) (c: Vec) =
    let l1, l2 = Q.toFloat (Q.abs l[0]), Q.toFloat (Q.abs l[1])
    let r = l2 / l1
    let kappa = Q.toFloat (condInf v vi)
    let num = l1 * (1.0 - r) * Q.toFloat (Q.abs c[1])
    let den = 3.0 * Q.toFloat (gamma f (rows w)) * Q.toFloat (normInf (absM w)) * kappa * kappa * Q.toFloat (normInfV c)
    Math.Log(num / den) / Math.Log(1.0 / r)

/// Theorem 3f.
let roundingSeeds =
    { Id = "03f RoundingSeedsTopDirection"
      Statement = "in binary64 the C# cell iterating W = VΛV⁻¹ from h₀ ⊥ (no v₁ component) stays within the running rounding bound of the exact |λ₂|^t decay, and within a factor 2 of it (‖ĥ_t − h_t‖∞ ≤ ‖h_t‖∞) for all t ≤ t* = log(|λ₁|(1 − r)|c₂|/(3γ_n‖|W|‖∞κ∞(V)²‖c‖∞))/log(1/r), r = |λ₂/λ₁|"
      Hypotheses = [ "W = VΛV⁻¹ as theorem 3 with 0 < |λ₂| < |λ₁| ≤ 2, n ≤ 4"; "h₀ = Vc with c₁ = 0, c₂ ≠ 0, c_i = m_i 2^−40 (exact in binary64)"; "identity activation, zero input, t ≤ 64" ]
      Source = "notes L5 (rounding injects u‖h‖ along v₁, which grows like |λ₁|^t); derivation in docs/theory.md §3f and docs/tolerances.md"
      Proof = "e_t = Σ_s W^{t−s}δ_s with ‖δ_s‖∞ ≤ γ_n‖|W|‖∞‖ĥ_{s−1}‖∞; the v₁-component of W^{t−s}δ_s grows like |λ₁|^{t−s} while the exact state decays like |λ₂|^t; equating gives t*."
      Decided = "the containment exactly (rationals); the factor-2 tracking up to the predicted t* in exact rationals" }

let private checkSeeds (f: Format) (feedTransposed: bool) (s: SeedCase) : Verdict =
    let w, v, vi, l = build s.D
    let c = s.C |> Array.map (fun m -> Q.Create(Numerics.BigInteger m, Numerics.BigInteger.Pow(2I, 40)))
    let h0 = mulV v c
    let n = rows w
    let u = zeros n 1
    let xs = List.replicate seedHorizon [| Q.zero |]
    let hs = cellTrajectory f (if feedTransposed then transpose w else w) u h0 xs
    let lp = Array.init (seedHorizon + 1) (fun t -> Array.map (fun x -> Q.pow x t) l)
    let exact = Array.init seedHorizon (fun t -> mulV v (Array.map2 (*) lp[t + 1] c))
    let bound = runningBound f w u h0 xs hs
    let tStar = predictedCrossover f w v vi l c
    observeWorst "|ĥ_t − h_t| ÷ running rounding bound E_t (worst element, t < 64)" (fun () ->
        seq { for t in 0 .. seedHorizon - 1 do
                for i in 0 .. n - 1 -> Q.toFloat (Q.abs (hs.[t].[i] - exact.[t].[i])), Q.toFloat bound.[t].[i] })
    all [
        for t in 0 .. seedHorizon - 1 do
            let err = subV hs[t] exact[t]
            yield
                all [ for i in 0 .. n - 1 -> check (compare (Q.abs (err.[i])) (bound.[t].[i]) <= 0) (fun () ->
                        $"t = {t}, i = {i}: |ĥ − h| = %.17g{Q.toFloat (Q.abs (err.[i]))} > bound %.17g{Q.toFloat (bound.[t].[i])}; W = {show w}, λ = {showV l}") ]
            if float t <= tStar then
                yield check (compare (normInfV err) (normInfV exact[t]) <= 0) (fun () ->
                    $"t = {t} ≤ t* = {tStar:F1}: ‖ĥ_t − h_t‖ = %.17g{Q.toFloat (normInfV err)} > ‖h_t‖ = %.17g{Q.toFloat (normInfV exact[t])}; W = {show w}, λ = {showV l}")
    ]

/// The example of the notes made dyadic: W = [[9/8, −5/8], [0, 3/8]] (λ = 9/8, 3/8; v₂ = (1, 3/4)ᵀ·…), h₀ along v₂.
let private example3f () : Verdict =
    let w = [| [| Q.frac 9 8; Q.frac -3 4 |]; [| Q.zero; Q.frac 3 8 |] |]
    // (W − 3/8 I) v = 0: (3/4) v₁ − (3/4) v₂ = 0, so v₂ = (1, 1); h₀ = 0.3 rounded to binary64 along it (exact value used).
    let h0 = [| Q.ofFloat 0.3; Q.ofFloat 0.3 |]
    let horizon = 200
    let hs = cellTrajectory binary64 w (zeros 2 1) h0 (List.replicate horizon [| Q.zero |])
    let exact t = scaleV (Q.pow (Q.frac 3 8) (t + 1)) h0
    let depart = [ 0 .. horizon - 1 ] |> List.tryFind (fun t -> compare (normInfV (subV hs[t] (exact t))) (normInfV (exact t)) > 0)
    let l1, l2 = 9.0 / 8.0, 3.0 / 8.0
    // t* with the constants of this W: V = [[1, 1], [0, 1]]·… see docs/theory.md §3f; here the bound-free estimate
    // log(‖h₀‖/(u·c))/log(|λ₁/λ₂|) with c = 1 is the order of magnitude the departure must match within a factor 2.
    let tEst = Math.Log(0.3 / Math.Pow(2.0, -53.0)) / Math.Log(l1 / l2)
    match depart with
    | None -> Error $"binary64 never departed from the exact decay in {horizon} steps (estimate t* ≈ {tEst:F1})"
    | Some t ->
        check (float t >= tEst / 2.0 && float t <= 2.0 * tEst) (fun () ->
            $"binary64 departed from the exact decay at t = {t}, estimate t* ≈ {tEst:F1}: not within a factor 2")
        |> Result.bind (fun () ->
            let final = Q.toFloat (normInfV hs[horizon - 1])
            let ex = Q.toFloat (normInfV (exact (horizon - 1)))
            check (final > 1e6 * ex) (fun () -> $"at t = {horizon}: binary64 %.17g{final}, exact %.17g{ex}"))

[<Tests>]
let tests =
    testList "Theorems 1c and 3f: the floating-point cell" [
        theorem cellSuperposition (arbitrary wideGen validWide) (checkCell honest)
        theorem roundingSeeds (arbitrary seedGen validSeed) (checkSeeds binary64 false)
        example roundingSeeds "W = [[9/8, −3/4], [0, 3/8]], h₀ = fl(0.3)(1, 1): binary64 departs near t* and ends ≫ exact at t = 200" example3f
        catches cellSuperposition "a transposed recurrent matrix fed to the cell" wideGen (checkCell transposedFeed)
        catches cellSuperposition "inputs fed one step late" wideGen (checkCell lateFeed)
        catches roundingSeeds "a transposed recurrent matrix fed to the cell" seedGen (checkSeeds binary64 true)
    ]
