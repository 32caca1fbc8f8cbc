namespace RnnVerify.Reference.Fast

/// Rows of exact double weights (radius 0), prepared once for dot products against vectors of Ball128: each weight is held
/// as a sign, a 64-bit mantissa (bit 63 set, or 0) and an exponent, with |w| as a double for the radius. rows × length,
/// row-major.
[<Sealed>]
type WeightRows128 =
    /// Number of rows.
    member Rows: int
    /// Length of every row.
    member Length: int

/// An operand vector prepared for WeightRows128.dotPrepared: its mantissas, exponents, signs and radii in separate arrays.
[<Sealed>]
type Operands128 =
    /// Number of operands.
    member Length: int

/// Dot products of weight rows with Ball128 vectors, computed in place (no operand arrays are built).
module WeightRows128 =
    /// rows × length weights, entry (r, k) = weight r k; ArgumentException on NaN or infinity, or a negative size.
    val create: rows: int -> length: int -> weight: (int -> int -> float) -> WeightRows128

    /// Σₖ w[row, k]·vₖ (0 for length 0; ArgumentException when v.Length ≠ Length or row is out of range). The same sum as
    /// Ball128.dot of the row's exact balls with v, with the same midpoint: each product w·m_v of a 53-bit weight mantissa and
    /// a 128-bit operand mantissa is formed exactly (two 64×64→128-bit multiplies, ≤ 192 bits), shifted to the common unit
    /// 2^(M − 64), M the largest weight-plus-operand exponent (the unit of the largest product's 256-bit frame), truncated
    /// there (error < 2^(M−64) ≤ 2^−254·max|wₖvₖ| per product), summed exactly in a 256-bit two's-complement accumulator with a
    /// 64-bit carry count, and truncated once to 128 bits (< 2^−127 relative). Radius: Σ |wₖ|·rₖ (the weights have no
    /// radius), summed to nearest and bounded as a whole (×(1 + (n + 4)·2^−52) + (3n + 9)·2^−1074, rounded up; each term passes
    /// through at most n roundings), + n_truncated·2^(M−64) + the final truncation. An operand held as the BigInteger fallback,
    /// or a result outside the fast range, is computed by Ball.dot at 128 bits.
    val dot: rows: WeightRows128 -> row: int -> v: Ball128[] -> Ball128

    /// v split into the arrays dotPrepared reads (once per vector, for all rows). An operand held as the fallback, or with an
    /// exponent below −2^27, makes every dot with it take the fallback.
    val prepare: v: Ball128[] -> Operands128

    /// dot rows row v for a prepared v (the same result).
    val dotPrepared: rows: WeightRows128 -> row: int -> v: Operands128 -> Ball128
