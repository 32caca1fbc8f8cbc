namespace RnnVerify.Reference.Fast

open RnnVerify.Reference

/// A fixed-width ball: midpoint ±m·2^e with a 128-bit mantissa m (bit 127 set, or m = 0) and an int exponent e; radius a
/// finite non-negative double that is an upper bound of the true radius. Every radius operation is rounded upward: a sum or
/// product of non-negative doubles p computed to nearest is replaced by its successor (the exact value lies between the
/// neighbours of p, so succ(p) bounds it; a product that underflows to 0 of two non-zero factors becomes the smallest
/// positive double; an exactly zero radius stays 0; overflow gives +∞, which sends the value to the fallback).
/// Midpoints are truncated to 128 bits; the dropped part is less than one unit 2^e of the result and is added to the radius.
/// Values outside the fast range (|midpoint| ≥ 2^1000, or a radius that is not a finite double) are held as a BigInteger Ball
/// (the fallback), and every operation with a fallback operand is done by Ball at 128 bits.
[<Struct; NoEquality; NoComparison>]
type Ball128 =
    internal
        {
            /// Sign of the midpoint (false for zero).
            Neg: bool
            /// Mantissa, 0 or with bit 127 set.
            Man: System.UInt128
            /// Exponent: the midpoint is ±Man·2^Exp (0 when Man = 0).
            Exp: int
            /// Radius upper bound, finite and ≥ 0.
            Rad: float
            /// The BigInteger ball when the value is outside the fast range, else null.
            Slow: Ball
        }

/// Operations on Ball128. Guarantee of every operation: the result contains the exact real result for every choice of reals
/// in the argument balls.
module Ball128 =
    /// 0, exactly.
    val zero: Ball128
    /// 1, exactly.
    val one: Ball128
    /// The exact value of a finite double, radius 0; ArgumentException on NaN or infinity.
    val ofFloat: float -> Ball128
    /// A ball containing the Ball: midpoint rounded (truncated) to 128 bits, the dropped part and the radius rounded up to a
    /// double; held as the fallback when outside the fast range.
    val ofBall: Ball -> Ball128
    /// The same set as a Ball (exact midpoint; radius the double radius exactly, then rounded up by Ball to 30 bits).
    val toBall: Ball128 -> Ball
    /// true when the value is on the fast path (not held as a BigInteger Ball).
    val isFast: Ball128 -> bool
    /// The midpoint rounded to a double (an estimate only).
    val approx: Ball128 -> float
    /// The radius bound as a double (+∞ for a fallback value whose radius exceeds the double range).
    val radius: Ball128 -> float
    /// x + y: the exact sum of the midpoints truncated to 128 bits; radius r_x + r_y + truncation error (< one unit of the
    /// result's last bit). When the exponents differ by more than 128 the smaller midpoint goes wholly into the radius.
    val add: Ball128 -> Ball128 -> Ball128
    /// x − y, as add.
    val sub: Ball128 -> Ball128 -> Ball128
    /// −x, exactly.
    val neg: Ball128 -> Ball128
    /// x·2^k, exactly (radius scaled and rounded up).
    val mulPow2: Ball128 -> int -> Ball128
    /// x·y: the exact 256-bit product of the mantissas truncated to 128 bits; radius |m_x|·r_y + |m_y|·r_x + r_x·r_y +
    /// truncation error, with |m| bounded above by a double from its top 64 bits.
    val mul: Ball128 -> Ball128 -> Ball128
    /// 1/x: two Newton steps from a double seed (relative error < 2^−50.9) in 128-bit fixed point, each with its residual
    /// 1 − d·y computed exactly (d the mantissa in [1, 2), y its approximate reciprocal) and its correction truncated; the
    /// error of the midpoint is bounded a priori by |1/d − y₂| ≤ ε₁² + 2^−126 (ε₁ < 2^−101 the residual before the second
    /// step), i.e. ≤ 2^−125 relative, plus ρ/(|m|(|m| − ρ)) for the radius ρ. DivideByZeroException (from Ball.div) when the
    /// ball contains 0.
    val recip: Ball128 -> Ball128
    /// x/y = x·(1/y).
    val div: Ball128 -> Ball128 -> Ball128
    /// Σ xᵢ·yᵢ (0 for empty arrays; ArgumentException when lengths differ). Midpoint: the exact 256-bit products are shifted to
    /// a common unit 2^M, M the largest exponent of a product's 256-bit mantissa, truncated there (error < 2^M per product,
    /// i.e. < 2^−254 relative to the largest product) and summed exactly in a 320-bit two's-complement accumulator, which is
    /// truncated once to 128 bits. Radius: Σ (|m_xᵢ|·r_yᵢ + |m_yᵢ|·r_xᵢ + r_xᵢ·r_yᵢ), summed to nearest and then bounded as a
    /// whole (×(1 + (n + 4)·2^−52) + (3n + 9)·2^−1074, rounded up), + n_truncated·2^M + the final truncation. Products of
    /// mantissas with zero low halves (those of doubles) use one or two 64-bit multiplies.
    val dot: Ball128[] -> Ball128[] -> Ball128

    /// The fixed-point and fallback internals shared with the elementary functions.
    module internal Raw =
        val isSlow: Ball128 -> bool
        val slow: Ball -> Ball128
        val make: neg: bool -> man: System.UInt128 -> exp: int -> rad: float -> fallback: (unit -> Ball) -> Ball128
        val scaleUp: float -> int -> float
        val subDown: float -> float -> float
        val addUp: float -> float -> float
        val mulUp: float -> float -> float
        val pow2Up: int -> float
        val magUp: Ball128 -> float
        val magDown: Ball128 -> float
        val withRad: Ball128 -> float -> Ball128
        /// The dot product's last stage: the 320-bit two's-complement sum top·2^256 + hi·2^128 + lo in units of 2^maxExp
        /// truncated to 128 bits, radius rad + truncated·2^maxExp + the truncation error (fallback when out of range).
        val finishDot:
            top: int64 -> hi: System.UInt128 -> lo: System.UInt128 -> maxExp: int -> rad: float -> truncated: int -> fallback: (unit -> Ball) -> Ball128
