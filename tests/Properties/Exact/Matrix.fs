/// Exact vectors and matrices over the rationals (row-major `Q[][]`), enough linear algebra for the linear theorems:
/// products, powers, the ∞-norm, transposes and Gauss–Jordan inverses.
module RnnVerify.Properties.Exact.Matrix

open RnnVerify.Properties.Exact.Rational

/// A vector of length n.
type Vec = Q[]
/// An m×n matrix, row-major: m rows of length n.
type Mat = Q[][]

let rows (a: Mat) = a.Length
let cols (a: Mat) = if a.Length = 0 then 0 else a[0].Length
let zeros m n : Mat = Array.init m (fun _ -> Array.create n Q.zero)
let identity n : Mat = Array.init n (fun i -> Array.init n (fun j -> if i = j then Q.one else Q.zero))
let ofInts (a: int[][]) : Mat = a |> Array.map (Array.map Q.ofInt)
let diag (d: Q[]) : Mat = Array.init d.Length (fun i -> Array.init d.Length (fun j -> if i = j then d[i] else Q.zero))
let transpose (a: Mat) : Mat = Array.init (cols a) (fun j -> Array.init (rows a) (fun i -> a[i][j]))
let zeroVec n : Vec = Array.create n Q.zero
/// The unit vector e_i of length n.
let unit n i : Vec = Array.init n (fun j -> if i = j then Q.one else Q.zero)

let dot (x: Vec) (y: Vec) = Array.fold2 (fun s a b -> s + a * b) Q.zero x y
let addV (x: Vec) (y: Vec) : Vec = Array.map2 (+) x y
let subV (x: Vec) (y: Vec) : Vec = Array.map2 (-) x y
let scaleV (c: Q) (x: Vec) : Vec = Array.map (fun a -> c * a) x
/// A x: (m×n)(n) → m.
let mulV (a: Mat) (x: Vec) : Vec = a |> Array.map (fun row -> dot row x)
/// A B: (m×k)(k×n) → m×n.
let mul (a: Mat) (b: Mat) : Mat =
    let bt = transpose b
    a |> Array.map (fun row -> bt |> Array.map (dot row))
let add (a: Mat) (b: Mat) : Mat = Array.map2 addV a b
let sub (a: Mat) (b: Mat) : Mat = Array.map2 subV a b
let scale (c: Q) (a: Mat) : Mat = Array.map (scaleV c) a
/// A^k for a square A and k ≥ 0 (repeated multiplication, A^0 = I).
let pow (a: Mat) (k: int) : Mat = Seq.fold (fun acc _ -> mul acc a) (identity (rows a)) (seq { 1..k })
/// [A^0; A^1; …; A^k].
let powers (a: Mat) (k: int) : Mat list =
    List.scan (fun acc _ -> mul acc a) (identity (rows a)) [ 1..k ]

/// ‖x‖∞ = max_i |x_i| (0 for the empty vector).
let normInfV (x: Vec) = Array.fold (fun m a -> Q.max m (Q.abs a)) Q.zero x
/// ‖x‖₂² = Σ x_i² (exact; the square avoids the square root).
let norm2SqV (x: Vec) = dot x x
/// ‖A‖∞ = max_i Σ_j |a_ij|, the operator norm induced by ‖·‖∞.
let normInf (a: Mat) = a |> Array.fold (fun m row -> Q.max m (Array.fold (fun s x -> s + Q.abs x) Q.zero row)) Q.zero
/// Column j of A.
let column (a: Mat) j : Vec = a |> Array.map (fun row -> row[j])
/// The matrix whose columns are the given vectors.
let ofColumns (cs: Vec list) : Mat = transpose (Array.ofList cs)

/// A⁻¹ by Gauss–Jordan elimination with exact pivots; None when A is singular.
let inverse (a: Mat) : Mat option =
    let n = rows a
    let m = Array.init n (fun i -> Array.append (Array.copy a[i]) (unit n i))
    let rec go c =
        if c = n then Some(m |> Array.map (fun row -> row[n..]))
        else
            match seq { c .. n - 1 } |> Seq.tryFind (fun r -> not (Q.isZero (m[r][c]))) with
            | None -> None
            | Some p ->
                let t = m[p] in m[p] <- m[c]; m[c] <- t
                let piv = m[c][c]
                m[c] <- m[c] |> Array.map (fun x -> x / piv)
                for r in 0 .. n - 1 do
                    if r <> c && not (Q.isZero (m[r][c])) then
                        let f = m[r][c]
                        m[r] <- Array.map2 (fun x y -> x - f * y) m[r] m[c]
                go (c + 1)
    go 0

/// The condition number κ∞(A) = ‖A‖∞‖A⁻¹‖∞ of an invertible A.
let condInf (a: Mat) (aInv: Mat) = normInf a * normInf aInv

/// Prints a matrix with exact entries (for failure messages).
let show (a: Mat) = a |> Array.map (fun r -> r |> Array.map string |> String.concat " ") |> String.concat "; " |> sprintf "[%s]"
let showV (x: Vec) = x |> Array.map string |> String.concat " " |> sprintf "(%s)"
