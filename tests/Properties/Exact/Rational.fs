/// Exact rational numbers p/q (BigInteger, q > 0, gcd(p, q) = 1), for theorems that need division (inverses, Cayley
/// transforms). Structural equality is equality of the numbers because the representation is normalised.
module RnnVerify.Properties.Exact.Rational

open System
open System.Numerics
open RnnVerify.Reference

/// p/q in lowest terms with q > 0.
[<CustomEquality; CustomComparison>]
type Q =
    private
        { P: BigInteger
          R: BigInteger }

    /// The numerator (carries the sign).
    member x.Num = x.P
    /// The denominator (positive).
    member x.Den = x.R

    static member private Make(p: BigInteger, q: BigInteger) =
        if q.IsZero then raise (DivideByZeroException "rational with denominator 0")
        elif p.IsZero then { P = BigInteger.Zero; R = BigInteger.One }
        else
            let g = BigInteger.GreatestCommonDivisor(p, q)
            let s = if q.Sign < 0 then BigInteger.MinusOne else BigInteger.One
            { P = s * p / g; R = s * q / g }

    /// p/q, normalised.
    static member Create(p: BigInteger, q: BigInteger) = Q.Make(p, q)
    static member Zero = { P = BigInteger.Zero; R = BigInteger.One }
    static member One = { P = BigInteger.One; R = BigInteger.One }
    static member (+)(a: Q, b: Q) = Q.Make(a.P * b.R + b.P * a.R, a.R * b.R)
    static member (-)(a: Q, b: Q) = Q.Make(a.P * b.R - b.P * a.R, a.R * b.R)
    static member (*)(a: Q, b: Q) = Q.Make(a.P * b.P, a.R * b.R)
    static member (/)(a: Q, b: Q) = Q.Make(a.P * b.R, a.R * b.P)
    static member (~-)(a: Q) = { P = -a.P; R = a.R }

    override x.Equals(o) =
        match o with
        | :? Q as y -> x.P = y.P && x.R = y.R
        | _ -> false

    override x.GetHashCode() = HashCode.Combine(x.P, x.R)

    interface IComparable with
        member x.CompareTo(o) =
            match o with
            | :? Q as y -> BigInteger.Compare(x.P * y.R, y.P * x.R)
            | _ -> invalidArg "o" "not a rational"

    override x.ToString() = if x.R.IsOne then string x.P else $"{x.P}/{x.R}"

/// Operations on exact rationals.
module Q =
    let zero = Q.Zero
    let one = Q.One
    let ofInt (n: int) = Q.Create(BigInteger n, BigInteger.One)
    let ofBig (n: BigInteger) = Q.Create(n, BigInteger.One)
    /// p/q for machine integers.
    let frac (p: int) (q: int) = Q.Create(BigInteger p, BigInteger q)
    /// The exact value of a dyadic m·2^e.
    let ofDyadic (d: Dyadic) = let p, q = Dyadic.toFraction d in Q.Create(p, q)
    /// The exact value of a finite double.
    let ofFloat (x: float) = ofDyadic (Dyadic.ofFloat x)
    let abs (x: Q) = if x.Num.Sign < 0 then -x else x
    let sign (x: Q) = x.Num.Sign
    let isZero (x: Q) = x.Num.IsZero
    let isDyadic (x: Q) = x.Den.IsPowerOfTwo
    let max (a: Q) (b: Q) = if compare a b >= 0 then a else b
    let min (a: Q) (b: Q) = if compare a b <= 0 then a else b
    /// x^k for k ≥ 0 (exactly; 0^0 = 1).
    let pow (x: Q) (k: int) = Q.Create(BigInteger.Pow(x.Num, k), BigInteger.Pow(x.Den, k))

    /// The dyadic value of x when the denominator is a power of two.
    let toDyadic (x: Q) =
        if not (isDyadic x) then invalidArg "x" $"{x} is not dyadic"
        Dyadic.create x.Num (-(int (x.Den.GetBitLength() - 1L)))

    /// The double nearest to x, up to one rounding of a 64-bit quotient (used only for display and logarithms).
    let toFloat (x: Q) =
        if x.Num.IsZero then 0.0
        else
            let shift = 64 - int (x.Num.GetBitLength() - x.Den.GetBitLength())
            let scaled = if shift >= 0 then (x.Num <<< shift) / x.Den else x.Num / (x.Den <<< -shift)
            Dyadic.toFloat (Dyadic.create scaled (-shift))

    /// An upper bound on log2 |x| accurate to within 1 (for x ≠ 0), computed exactly from bit lengths.
    let log2Upper (x: Q) = int (x.Num.GetBitLength()) - int (x.Den.GetBitLength()) + 1
