/// Generators that BUILD the hypotheses of the linear theorems: recipes of small integers (so FsCheck can shrink them)
/// and the exact matrices they denote. Each recipe type has a `valid` predicate that every generated recipe satisfies;
/// shrinking keeps only valid recipes.
module RnnVerify.Properties.Generators.Linear

open FsCheck.FSharp
open RnnVerify.Properties.Exact.Rational
open RnnVerify.Properties.Exact.Matrix

/// A linear recursion h_t = W h_{t−1} + U x_t, t = 0 … T−1, with its initial state h_{−1} and inputs.
/// Entries are p/4 with |p| ≤ 4 (so ‖W‖ is moderate and every value is dyadic).
type LinearCase =
    { N: int; M: int; W: int[]; U: int[]; H0: int[]; Xs: int[] }
    member c.T = if c.M = 0 then 0 else c.Xs.Length / c.M

let private quarter (p: int) = Q.frac p 4
let private reshape r c (a: int[]) : Mat = Array.init r (fun i -> Array.init c (fun j -> quarter a[i * c + j]))

/// The exact W (n×n).
let w (c: LinearCase) = reshape c.N c.N c.W
/// The exact U (n×m).
let u (c: LinearCase) = reshape c.N c.M c.U
/// The exact h_{−1}.
let h0 (c: LinearCase) : Vec = c.H0 |> Array.map quarter
/// The exact inputs x_0 … x_{T−1}.
let xs (c: LinearCase) : Vec list = List.init c.T (fun t -> Array.init c.M (fun j -> quarter c.Xs[t * c.M + j]))

let validLinear (c: LinearCase) =
    c.N >= 1 && c.M >= 1 && c.W.Length = c.N * c.N && c.U.Length = c.N * c.M && c.H0.Length = c.N
    && c.Xs.Length % c.M = 0 && Array.forall (fun p -> abs p <= 4) (Array.concat [ c.W; c.U; c.H0; c.Xs ])

let private entries k = Gen.arrayOfLength k (Gen.choose (-4, 4))

/// n ∈ 1…4, m ∈ 1…3, T ∈ 0…8.
let linearCase =
    gen {
        let! n = Gen.choose (1, 4)
        let! m = Gen.choose (1, 3)
        let! t = Gen.choose (0, 8)
        let! w = entries (n * n)
        let! u = entries (n * m)
        let! h0 = entries n
        let! xs = entries (t * m)
        return { N = n; M = m; W = w; U = u; H0 = h0; Xs = xs }
    }

/// The exact recursion h_t = W h_{t−1} + U x_t: returns [h_0; …; h_{T−1}].
let run (w: Mat) (u: Mat) (h0: Vec) (xs: Vec list) : Vec list =
    xs |> List.scan (fun h x -> addV (mulV w h) (mulV u x)) h0 |> List.tail

/// A unimodular integer matrix V = Π (I + k E_ij) (det V = 1, so V⁻¹ is an integer matrix): the recipe is the list of
/// shears (i, j, k) with i ≠ j and |k| ≤ 2.
type Unimodular = { Size: int; Shears: (int * int * int)[] }

let validUnimodular (v: Unimodular) =
    v.Size >= 1 && v.Shears |> Array.forall (fun (i, j, k) -> i <> j && 0 <= i && i < v.Size && 0 <= j && j < v.Size && abs k <= 2)

let unimodular n =
    let shear =
        gen {
            let! i = Gen.choose (0, n - 1)
            let! d = Gen.choose (1, max 1 (n - 1))
            let! k = Gen.elements [ -2; -1; 1; 2 ]
            return (i, (i + d) % n, k)
        }
    gen {
        let! count = Gen.choose (0, if n = 1 then 0 else n + 1)
        let! shears = Gen.arrayOfLength count shear
        return { Size = n; Shears = (if n = 1 then [||] else shears) }
    }

/// The matrix V and its exact inverse (the inverse shears in reverse order).
let vAndInverse (v: Unimodular) : Mat * Mat =
    let e (i, j, k) = let m = identity v.Size in m[i][j] <- Q.ofInt k; m
    let vm = v.Shears |> Array.fold (fun acc s -> mul acc (e s)) (identity v.Size)
    let vi = v.Shears |> Array.rev |> Array.fold (fun acc (i, j, k) -> mul acc (e (i, j, -k))) (identity v.Size)
    vm, vi

/// A real spectrum λ_i = s_i·m_i/8 with strictly decreasing magnitudes m_1 > m_2 > … ≥ 0 (so |λ1| > |λ2| ≥ …).
type Spectrum = { Mags: int[]; Negative: bool[] }

let validSpectrum (s: Spectrum) =
    s.Mags.Length >= 1 && s.Negative.Length = s.Mags.Length && s.Mags[0] > 0
    && Array.pairwise s.Mags |> Array.forall (fun (a, b) -> a > b) && Array.last s.Mags >= 0

/// n distinct magnitudes from 0…maxMag (maxMag/8 the largest possible |λ|).
let spectrum n maxMag =
    gen {
        let! mags = Gen.shuffle [| 0..maxMag |]
        let mags = mags |> Array.truncate n |> Array.sortDescending
        let mags = if mags[0] = 0 then Array.append [| 1 |] mags[1..] else mags
        let! neg = Gen.arrayOfLength n (Gen.elements [ false; true ])
        return { Mags = mags; Negative = neg }
    }

/// The eigenvalues λ_i.
let lambdas (s: Spectrum) = Array.map2 (fun m neg -> Q.frac (if neg then -m else m) 8) s.Mags s.Negative

/// W = V Λ V⁻¹ with a unimodular V and a prescribed real spectrum: the spectrum is exact and so are the eigenvectors
/// (the columns of V).
type Diagonalisable = { V: Unimodular; Lambda: Spectrum }

let validDiagonalisable (d: Diagonalisable) =
    validUnimodular d.V && validSpectrum d.Lambda && d.V.Size = d.Lambda.Mags.Length

let diagonalisable nMin nMax maxMag =
    gen {
        let! n = Gen.choose (nMin, nMax)
        let! v = unimodular n
        let! s = spectrum n maxMag
        return { V = v; Lambda = s }
    }

/// (W, V, V⁻¹, λ) for a diagonalisable recipe.
let build (d: Diagonalisable) =
    let v, vi = vAndInverse d.V
    let l = lambdas d.Lambda
    mul (mul v (diag l)) vi, v, vi, l

/// A rational orthogonal matrix Q = (I − S)(I + S)⁻¹ (Cayley transform of an integer skew-symmetric S), so σ_max(Q) = 1
/// exactly; the recipe is the strict upper triangle of S, entries in −3…3.
type Cayley = { Dim: int; Upper: int[] }

let validCayley (c: Cayley) = c.Dim >= 1 && c.Upper.Length = c.Dim * (c.Dim - 1) / 2 && c.Upper |> Array.forall (fun x -> abs x <= 3)

let cayley nMin nMax =
    gen {
        let! n = Gen.choose (nMin, nMax)
        let! up = Gen.arrayOfLength (n * (n - 1) / 2) (Gen.choose (-3, 3))
        return { Dim = n; Upper = up }
    }

/// The orthogonal matrix of a Cayley recipe (I + S is invertible because S is skew-symmetric).
let orthogonal (c: Cayley) : Mat =
    let n = c.Dim
    let s = zeros n n
    let mutable k = 0
    for i in 0 .. n - 1 do
        for j in i + 1 .. n - 1 do
            s[i][j] <- Q.ofInt c.Upper[k]
            s[j][i] <- Q.ofInt -c.Upper[k]
            k <- k + 1
    let i = identity n
    match inverse (add i s) with
    | Some inv -> mul (sub i s) inv
    | None -> failwith "I + S is singular for a skew-symmetric S: impossible"

/// The rotation by θ with cos θ = 3/5, sin θ = 4/5 (θ/π is irrational, so the powers never repeat).
let rotation345 : Mat = [| [| Q.frac 3 5; Q.frac -4 5 |]; [| Q.frac 4 5; Q.frac 3 5 |] |]
