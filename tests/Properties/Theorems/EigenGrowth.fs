/// Theorem 3 (eigenvalue growth) for the linear recursion h_t = W h_{t−1}, decided exactly in rationals on matrices
/// W = V Λ V⁻¹ built with a unimodular integer V and a prescribed dyadic spectrum, on scaled orthogonal matrices, and
/// on Jordan blocks.
module RnnVerify.Properties.Theorems.EigenGrowth

open System.Numerics
open Expecto
open FsCheck.FSharp
open RnnVerify.Properties.Catalogue
open RnnVerify.Properties.Exact.Rational
open RnnVerify.Properties.Exact.Matrix
open RnnVerify.Properties.Generators.Linear
open RnnVerify.Properties.Theorems.Superposition
open RnnVerify.Properties.Theorems.ImpulseResponse

/// Steps checked per case.
let horizon = 12

/// [h; W h; …; W^t h] as the implementation computes it (zero input).
let orbit (step: Step) (w: Mat) (h: Vec) t =
    let u0 = zeros (rows w) 1
    List.scan (fun s _ -> step w u0 s [| Q.zero |]) h [ 1..t ]

/// [I; W; …; W^t] as the implementation computes them (columns are orbits of unit vectors).
let matrixPowers (step: Step) (w: Mat) t =
    let n = rows w
    let orbits = [ for j in 0 .. n - 1 -> orbit step w (unit n j) t |> Array.ofList ]
    List.init (t + 1) (fun s -> ofColumns [ for o in orbits -> o[s] ])

/// A diagonalisable W and the coordinates c of the start vector w = V c in the eigenbasis.
type EigenCase = { D: Diagonalisable; C: int[] }

let private validEigen topZero (e: EigenCase) =
    validDiagonalisable e.D && e.C.Length = e.D.V.Size
    && (if topZero then e.C.Length >= 2 && e.C[0] = 0 && e.C[1] <> 0 else e.C[0] <> 0)

let private eigenGen topZero =
    gen {
        let! d = diagonalisable (if topZero then 2 else 1) 4 16
        let n = d.V.Size
        let! c = Gen.arrayOfLength n (Gen.choose (-3, 3))
        let! lead = Gen.elements [ -3; -2; -1; 1; 2; 3 ]
        let c = if topZero then (c[0] <- 0; c[1] <- lead; c) else (c[0] <- lead; c)
        return { D = d; C = c }
    }

/// Theorem 3.
let eigenGrowth =
    { Id = "03 EigenGrowth"
      Statement = "eigenvalue growth: for W = VΛV⁻¹ and w = Vc with c₁ ≠ 0, |c₁||λ₁|^t/‖V⁻¹‖∞ ≤ ‖W^t w‖∞ ≤ ‖V‖∞‖c‖∞|λ₁|^t and ‖W^t w − c₁λ₁^t v₁‖∞ ≤ ‖V‖∞ max_{i≥2}|c_i| |λ₂|^t, exactly"
      Hypotheses =
        [ "V unimodular integer (product of shears), so V⁻¹ is exact"
          "Λ = diag(λ₁…λ_n) dyadic (multiples of 1/8, |λ| ≤ 2) with |λ₁| > |λ₂| > … (built, not filtered)"
          "n ≤ 4, t ≤ 12" ]
      Source = "Horn & Johnson, Matrix Analysis (2nd ed.), §5.6 (power method); lecture slide 11 (Soleymani 2020 after Raj); docs/theory.md §3"
      Proof = "W^t w = V Λ^t c = Σ c_i λ_i^t v_i; the first coordinate of V⁻¹W^t w is c₁λ₁^t, and the remainder V diag(0, λ₂^t, …) c is bounded by ‖V‖∞ max_{i≥2}|c_i||λ_i|^t."
      Decided = "exact rational arithmetic" }

/// Theorem 3b: the second eigenvalue governs when the top component vanishes.
let secondEigenvalue =
    { Id = "03b SecondEigenvalue"
      Statement = "with no component along the top eigenvector (c₁ = 0, c₂ ≠ 0), |c₂||λ₂|^t/‖V⁻¹‖∞ ≤ ‖W^t w‖∞ ≤ ‖V‖∞‖c‖∞|λ₂|^t, exactly"
      Hypotheses = [ "as theorem 3 with n ≥ 2 and c₁ = 0, c₂ ≠ 0" ]
      Source = "docs/theory.md §3 (the floating-point counterpart, where rounding seeds v₁, is theorem 3f)"
      Proof = "W^t w = Σ_{i≥2} c_i λ_i^t v_i; the second coordinate of V⁻¹W^t w is c₂λ₂^t."
      Decided = "exact rational arithmetic" }

let private checkGrowth topZero (step: Step) (e: EigenCase) : Verdict =
    let w, v, vi, l = build e.D
    let c = e.C |> Array.map Q.ofInt
    let start = mulV v c
    let hs = orbit step w start horizon |> Array.ofList
    let lead = if topZero then 1 else 0
    let lam = Q.abs l[lead]
    let nv, nvi, nc = normInf v, normInf vi, normInfV c
    let v1 = column v 0
    let rest = if c.Length > 1 then c[1..] |> Array.map Q.abs |> Array.max else Q.zero
    let lam2 = if l.Length > 1 then Q.abs l[1] else Q.zero
    // Evidence: the growth rate fitted over t = 6…12 against ln|λ|; the bracket of the theorem bounds its deviation by
    // ln((‖V‖∞‖c‖∞)/(|c_lead|/‖V⁻¹‖∞))/6 (plus 10⁻¹² for evaluating the logarithms in binary64).
    observeWorst (if topZero then "|fitted slope (ln‖W¹²w‖ − ln‖W⁶w‖)/6 − ln|λ₂|| ÷ its bound ln(κ-bracket)/6"
                  else "|fitted slope (ln‖W¹²w‖ − ln‖W⁶w‖)/6 − ln|λ₁|| ÷ its bound ln(κ-bracket)/6") (fun () ->
        if Q.sign lam = 0 then Seq.empty
        else
            let ln (q: Q) = log (Q.toFloat q)
            let slope = (ln (normInfV hs[12]) - ln (normInfV hs[6])) / 6.0
            let bracket = (ln (nv * nc) - ln (Q.abs c[lead] / nvi)) / 6.0
            Seq.singleton (abs (slope - ln lam), bracket + 1e-12))
    all [
        for t in 0..horizon do
            let norm = normInfV hs[t]
            let lo = Q.abs c[lead] * Q.pow lam t / nvi
            let hi = nv * nc * Q.pow lam t
            yield check (compare lo norm <= 0 && compare norm hi <= 0) (fun () ->
                $"t = {t}: ‖W^t w‖ = {Q.toFloat norm:R} outside [{Q.toFloat lo:R}, {Q.toFloat hi:R}]; W = {show w}, λ = {showV l}, c = {showV c}")
            if not topZero then
                let dev = normInfV (subV hs[t] (scaleV (c[0] * Q.pow l[0] t) v1))
                let bound = nv * rest * Q.pow lam2 t
                yield check (compare dev bound <= 0) (fun () ->
                    $"t = {t}: ‖W^t w − c₁λ₁^t v₁‖ = {Q.toFloat dev:R} > {Q.toFloat bound:R}; W = {show w}, λ = {showV l}, c = {showV c}")
    ]

/// Theorem 3c: Gelfand.
let gelfand =
    { Id = "03c Gelfand"
      Statement = "Gelfand: ρ(W)^t ≤ ‖W^t‖∞ ≤ κ∞(V) ρ(W)^t for W = VΛV⁻¹, so ‖W^t‖^{1/t} → ρ(W), exactly"
      Hypotheses = [ "as theorem 3 (ρ(W) = |λ₁| exactly)" ]
      Source = "Gelfand's formula: Horn & Johnson, Matrix Analysis (2nd ed.), Cor. 5.6.14; docs/theory.md §3"
      Proof = "ρ(W^t) = ρ^t ≤ ‖W^t‖ for any induced norm; ‖W^t‖ = ‖VΛ^tV⁻¹‖ ≤ ‖V‖‖V⁻¹‖ρ^t."
      Decided = "exact rational arithmetic" }

let private checkGelfand (step: Step) (d: Diagonalisable) : Verdict =
    let w, v, vi, l = build d
    let rho = Q.abs l[0]
    let kappa = condInf v vi
    let ps = matrixPowers step w horizon |> Array.ofList
    // Evidence: Gelfand's convergence ‖W^t‖^{1/t} → ρ at t = 12, whose deviation the bracket bounds by ρ(κ^{1/12} − 1).
    observeWorst "‖W¹²‖∞^{1/12} − ρ(W) ÷ its bound ρ(κ∞(V)^{1/12} − 1)" (fun () ->
        if Q.sign rho = 0 then Seq.empty
        else
            let r = Q.toFloat rho
            Seq.singleton (abs (Q.toFloat (normInf ps[horizon]) ** (1.0 / float horizon) - r), r * (Q.toFloat kappa ** (1.0 / float horizon) - 1.0) + 1e-12))
    all [
        for t in 0..horizon ->
            let n = normInf ps[t]
            let r = Q.pow rho t
            check (compare r n <= 0 && compare n (kappa * r) <= 0) (fun () ->
                $"t = {t}: ‖W^t‖∞ = {Q.toFloat n:R} outside [ρ^t, κρ^t] = [{Q.toFloat r:R}, {Q.toFloat (kappa * r):R}]; W = {show w}, λ = {showV l}")
    ]

/// Theorem 3d: complex pairs (scaled rotations and scaled rational orthogonal matrices).
let complexPair =
    { Id = "03d ComplexPair"
      Statement = "complex eigenvalues: for W = r·Q with Q rational orthogonal (the rotation cos θ = 3/5, sin θ = 4/5, or a Cayley transform), ‖W^t h‖₂² = r^{2t}‖h‖₂², exactly"
      Hypotheses = [ "r = p/8, 1 ≤ p ≤ 16"; "Q = R(θ) with cos θ = 3/5, sin θ = 4/5, or Q = (I − S)(I + S)⁻¹ for an integer skew-symmetric S (n ≤ 4)"; "h integer, t ≤ 12" ]
      Source = "Cayley transform: Horn & Johnson, Matrix Analysis, §2.1 Problem; docs/theory.md §3"
      Proof = "QᵀQ = I gives ‖Qh‖₂ = ‖h‖₂; W^t = r^t Q^t. The eigenvalues of R(θ) are e^{±iθ}, of modulus 1, so ρ(W) = r although W has no real eigenvector."
      Decided = "exact rational arithmetic (squared norms, no square roots)" }

/// A scaled orthogonal matrix: the 3-4-5 rotation (Cayley = None) or a Cayley transform.
type OrthoCase = { Cay: Cayley option; R: int; H: int[] }

let private orthoMatrix (o: OrthoCase) = match o.Cay with None -> rotation345 | Some c -> orthogonal c
let private validOrtho (o: OrthoCase) =
    o.R >= 1 && o.R <= 16 && (match o.Cay with None -> o.H.Length = 2 | Some c -> validCayley c && o.H.Length = c.Dim)

let private orthoGen =
    gen {
        let! cay = Gen.oneof [ Gen.constant None; Gen.map Some (cayley 2 4) ]
        let n = match cay with None -> 2 | Some c -> c.Dim
        let! r = Gen.choose (1, 16)
        let! h = Gen.arrayOfLength n (Gen.choose (-5, 5))
        return { Cay = cay; R = r; H = h }
    }

let private checkOrtho (step: Step) (o: OrthoCase) : Verdict =
    let q = orthoMatrix o
    let r = Q.frac o.R 8
    let w = scale r q
    let h = o.H |> Array.map Q.ofInt
    let hs = orbit step w h horizon |> Array.ofList
    exactly ()
    all [
        for t in 0..horizon ->
            let lhs = norm2SqV hs[t]
            let rhs = Q.pow r (2 * t) * norm2SqV h
            check (lhs = rhs) (fun () -> $"t = {t}: ‖W^t h‖² = {lhs} but r^(2t)‖h‖² = {rhs}; W = {show w}, h = {showV h}")
    ]

/// Theorem 3e: Jordan blocks.
let jordan =
    { Id = "03e Jordan"
      Statement = "Jordan blocks: (J_m(λ)^t)_{ij} = C(t, j−i) λ^{t−j+i}, and for W = V J V⁻¹, C(t, m−1)|λ|^{t−m+1}/κ∞(V) ≤ ‖W^t‖∞ ≤ κ∞(V) Σ_{d<m} C(t, d)|λ|^{t−d}: growth t^{m−1}|λ|^t, exactly"
      Hypotheses = [ "J_m(λ) = λI + N (N the nilpotent shift), m ≤ 4, λ = p/8 with |p| ≤ 12"; "V unimodular integer"; "t ≤ 12" ]
      Source = "Horn & Johnson, Matrix Analysis (2nd ed.), §3.2 (powers of Jordan blocks); docs/theory.md §3"
      Proof = "λI and N commute, so J^t = Σ_d C(t, d) λ^{t−d} N^d, and N^d has ones exactly on the d-th superdiagonal; the norm bounds follow from J^t = V⁻¹W^tV."
      Decided = "exact rational arithmetic" }

/// A Jordan block J_m(λ) conjugated by a unimodular V.
type JordanCase = { V: Unimodular; P: int }

let private jordanGen =
    gen {
        let! m = Gen.choose (1, 4)
        let! v = unimodular m
        let! p = Gen.choose (-12, 12)
        return { V = v; P = p }
    }

let private validJordan (j: JordanCase) = validUnimodular j.V && abs j.P <= 12

let private binom (t: int) (d: int) = if d < 0 || d > t then Q.zero else Q.ofBig (Seq.fold (fun acc i -> acc * BigInteger(t - i) / BigInteger(i + 1)) BigInteger.One (seq { 0 .. d - 1 }))

let private checkJordan (step: Step) (j: JordanCase) : Verdict =
    let m = j.V.Size
    let lam = Q.frac j.P 8
    let jm = Array.init m (fun r -> Array.init m (fun c -> if r = c then lam elif c = r + 1 then Q.one else Q.zero))
    let v, vi = vAndInverse j.V
    let w = mul (mul v jm) vi
    let kappa = condInf v vi
    let jp = matrixPowers step jm horizon |> Array.ofList
    let wp = matrixPowers step w horizon |> Array.ofList
    let entry t d = binom t d * (if t - d >= 0 then Q.pow lam (t - d) else Q.zero)
    observeWorst "‖W^t‖∞ ÷ κ∞(V)Σ_{d<m}C(t, d)|λ|^{t−d} (worst t ≤ 12)" (fun () ->
        seq { for t in 0..horizon -> Q.toFloat (normInf wp[t]), Q.toFloat (kappa * (List.init m (fun d -> Q.abs (entry t d)) |> List.fold (+) Q.zero)) })
    all [
        for t in 0..horizon do
            for r in 0 .. m - 1 do
                for c in 0 .. m - 1 ->
                    let e = if c >= r then entry t (c - r) else Q.zero
                    let got = (jp[t]).[r].[c]
                    check (got = e) (fun () -> $"t = {t}: (J^t)[{r},{c}] = {got} but C(t,{c - r})λ^(t-{c - r}) = {e}; λ = {lam}, m = {m}")
            let n = normInf wp[t]
            let lo = Q.abs (entry t (m - 1)) / kappa
            let hi = kappa * (List.init m (fun d -> Q.abs (entry t d)) |> List.fold (+) Q.zero)
            yield check (compare lo n <= 0 && compare n hi <= 0) (fun () ->
                $"t = {t}: ‖W^t‖∞ = {Q.toFloat n:R} outside [{Q.toFloat lo:R}, {Q.toFloat hi:R}]; λ = {lam}, m = {m}, W = {show w}")
    ]

/// A sign error in the recurrent product: h_t = −W h_{t−1} + U x_t.
let negatedStep: Step = fun w u h x -> linearStep (scale (Q.ofInt -1) w) u h x
/// One recurrent product too many: h_t = W (W h_{t−1}) + U x_t.
let doubleStep: Step = fun w u h x -> linearStep w u (mulV w h) x
/// The rotation's entries rounded to binary64 (0.6 and 0.8 are not dyadic): W = r·fl(Q).
let roundedStep: Step = fun w u h x -> linearStep (w |> Array.map (Array.map (Q.toFloat >> Q.ofFloat))) u h x

[<Tests>]
let tests =
    testList "Theorem 3: eigenvalue growth" [
        theorem eigenGrowth (arbitrary (eigenGen false) (validEigen false)) (checkGrowth false linearStep)
        theorem secondEigenvalue (arbitrary (eigenGen true) (validEigen true)) (checkGrowth true linearStep)
        theorem gelfand (arbitrary (diagonalisable 1 4 16) validDiagonalisable) (checkGelfand linearStep)
        theorem complexPair (arbitrary orthoGen validOrtho) (checkOrtho linearStep)
        theorem jordan (arbitrary jordanGen validJordan) (checkJordan linearStep)
        catches eigenGrowth "a sign error (−W)" (eigenGen false) (checkGrowth false negatedStep)
        catches eigenGrowth "a transposed recurrent matrix" (eigenGen false) (checkGrowth false transposedStep)
        catches secondEigenvalue "a transposed recurrent matrix" (eigenGen true) (checkGrowth true transposedStep)
        catches gelfand "one recurrent product too many per step" (diagonalisable 1 4 16) (checkGelfand doubleStep)
        catches complexPair "the orthogonal matrix rounded to binary64" orthoGen (checkOrtho roundedStep)
        catches complexPair "a state buffer accumulated instead of overwritten" orthoGen (checkOrtho accumulatingStep)
        catches jordan "a transposed recurrent matrix" jordanGen (checkJordan transposedStep)
        catches jordan "one recurrent product too many per step" jordanGen (checkJordan doubleStep)
    ]
