namespace RnnVerify.Reference

open System.Numerics

/// An exact binary number m·2^e with m a BigInteger and e an int; the representation is normalised (m odd, or m = 0 and e = 0),
/// so structural equality is equality of the numbers.
[<Sealed; AllowNullLiteral(false)>]
type Dyadic =
    /// m·2^e as given, without normalisation: for callers that pass m odd (or m = 0 and e = 0) themselves.
    internal new: m: BigInteger * e: int -> Dyadic
    /// The mantissa m (odd, or zero).
    member Mantissa: BigInteger
    /// The exponent e.
    member Exponent: int
    interface System.IComparable
    override Equals: obj -> bool
    override GetHashCode: unit -> int

/// Exact arithmetic on dyadic numbers and rounding to a given number of bits.
module Dyadic =
    /// m·2^e, normalised.
    val create: mantissa: BigInteger -> exponent: int -> Dyadic
    val zero: Dyadic
    val one: Dyadic
    /// The exact value of a finite double; throws ArgumentException on NaN or infinity.
    val ofFloat: float -> Dyadic
    val ofInt: int -> Dyadic
    val ofBigInt: BigInteger -> Dyadic
    val add: Dyadic -> Dyadic -> Dyadic
    val sub: Dyadic -> Dyadic -> Dyadic
    val mul: Dyadic -> Dyadic -> Dyadic
    val neg: Dyadic -> Dyadic
    val abs: Dyadic -> Dyadic
    /// x·2^k exactly.
    val mulPow2: Dyadic -> int -> Dyadic
    val sign: Dyadic -> int
    val compare: Dyadic -> Dyadic -> int
    /// Number of significant bits of the mantissa (0 for zero).
    val bits: Dyadic -> int
    /// floor(log2 |x|) for x ≠ 0.
    val magnitude: Dyadic -> int
    /// Rounding to at most prec significant bits: toward −∞, toward +∞, to nearest (ties to even).
    val roundDown: prec: int -> Dyadic -> Dyadic
    val roundUp: prec: int -> Dyadic -> Dyadic
    val roundNearest: prec: int -> Dyadic -> Dyadic
    /// The nearest double (ties to even, overflow to ±∞, gradual underflow) — correctly rounded.
    val toFloat: Dyadic -> float
    /// An exact fraction p/q as a BigInteger pair (q a power of two).
    val toFraction: Dyadic -> BigInteger * BigInteger
    /// 2^k exactly.
    val pow2: k: int -> Dyadic
    /// An upper bound of a + b with at most prec significant bits (the smallest such number when the exponents of a and b
    /// are within prec + 2 of each other, else at most one unit in the prec-th bit above it). Cheap for any exponent gap.
    val addUp: prec: int -> Dyadic -> Dyadic -> Dyadic
    /// A lower bound of a + b with at most prec significant bits (mirror of addUp).
    val addDown: prec: int -> Dyadic -> Dyadic -> Dyadic
    /// a/b rounded toward +∞ to prec bits (correctly rounded); DivideByZeroException when b = 0.
    val divUp: prec: int -> Dyadic -> Dyadic -> Dyadic
    /// a/b rounded toward −∞ to prec bits (correctly rounded); DivideByZeroException when b = 0.
    val divDown: prec: int -> Dyadic -> Dyadic -> Dyadic
    /// (q, e): q is a/b rounded to nearest with prec bits and e ≥ |a/b − q| is a non-negative error bound (e = 0 exactly when
    /// q = a/b). DivideByZeroException when b = 0.
    val divNearest: prec: int -> Dyadic -> Dyadic -> Dyadic * Dyadic
    /// ⌊√n⌋ for a non-negative integer n (ArgumentException when n < 0).
    val isqrt: n: BigInteger -> BigInteger
