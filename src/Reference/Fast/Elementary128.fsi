namespace RnnVerify.Reference.Fast

open RnnVerify.Reference

/// Elementary functions on Ball128. Guarantee: each result contains f(ξ) for every real ξ in the argument ball.
///
/// Core (exp of a midpoint m with |m| &lt; 2^20): m = k·(ln 2/32) + r with k = round(32m/ln 2) from a double and r computed in
/// 256-bit fixed point (192 fractional bits) against ln 2/32 truncated to 192 bits (error |k|·2^−192 &lt; 2^−166), then truncated
/// to 126 fractional bits (|r| ≤ 0.011 is checked; error 2^−126). P(r) = Σ_{n≤13} rⁿ/(n+1)!: the tail S₉ = Σ_{n=9}^{13}
/// r^(n−9)/(n+1)! in double (error &lt; 3.72·10^−22, reaching P multiplied by |r|⁹ &lt; 2.4·10^−18: &lt; 0.08·2^−126), then nine Horner
/// steps in 126-bit fixed point (coefficients truncated, each step's product truncated: error ≤ 2·2^−126/(1 − 0.011) ≤
/// 2.03·2^−126), P's error ≤ 2.11·2^−126 (the tail beyond n = 13 is below 2^−131); e^r = 1 + r·P(r) with one more
/// truncation: |Ẽ − e^r| ≤ (1 + 0.011·2.12 + e^0.011·(1 + 2^−40))·2^−126 ≤ 2.1·2^−126. With k = 32q + j (0 ≤ j &lt; 32) and the table entry T_j = 2^(j/32) truncated to 126 fractional bits (error
/// &lt; 2^−126, decided at start-up from 256-bit enclosures), the truncated product T̃_j·Ẽ is within 2^−126 + 2·2.1·2^−126 +
/// 1.012·2^−126 &lt; 6.3·2^−126 of 2^(j/32)·e^r, enclosed as 2^−123; the result is 2^q times that. Outside |m| &lt; 2^20, or for
/// a radius above 1/2, the BigInteger Elementary functions at 128 bits are used.
module Elementary128 =
    /// e^x: the core above; the radius ρ of x adds e^m·(e^ρ − 1) ≤ (|e^m| bound)·(ρ + ρ²) (valid for ρ ≤ 1).
    val exp: Ball128 -> Ball128
    /// e^x − 1 with small relative error near 0: for |m| &lt; ln2/2 and ρ ≤ 2^−20 it is x·P(x) (P to degree 27, the
    /// reduction of the first version of the core: |x| ≤ 0.36, error 3.2·2^−126) with P enclosed by
    /// P(r̃) ± (2^−123 + ρ) (|P'| ≤ 0.7 on |ξ| ≤ 0.37 covers the truncation of r̃ and the radius); else exp x − 1.
    val expm1: Ball128 -> Ball128
    /// σ(x) = 1/(1 + e^−x) for a midpoint m ≥ 0: the reciprocal of D̃ = 1 + e^−m formed in 126-bit fixed point from the core
    /// (|D̃ − D| ≤ 7.3·2^−126, so 2^−123 is added to the enclosure of 1/D̃), plus ρ/4 for a radius ρ; for a midpoint m &lt; 0 (radius ≤ 1/2) the
    /// product of the core's e^m (a ball of radius 2^(q−123)) with that enclosure of 1/(1 + e^m) (Ball128.mul), plus
    /// ρ(1 + ρ + ρ²) times the product's upper bound (σ' ≤ σ, σ(m + ρ) ≤ e^ρσ(m): small relative error where σ is tiny);
    /// else e^x·1/(1 + e^x) composed of enclosing Ball128 operations. For a ball entirely ≥ 128, 1 ± 2^−184 (1 − σ(ξ) &lt; e^−128 &lt; 2^−184).
    /// A radius above 1/2 (a wide ball, of any width) goes to Elementary.sigmoid at 128 bits.
    val sigmoid: Ball128 -> Ball128
    /// tanh x = −u/(2 + u) with u = expm1(−2x) for a midpoint in [0, 0.5), 2/(1 + e^−2x) − 1 for a midpoint ≥ 0.5 (odd
    /// symmetry below), composed of enclosing Ball128 operations; relative error stays small near 0. For a ball with |ξ| ≥ 64 throughout, ±1 ± 2^−183 (1 − tanh ξ &lt; 2e^−128).
    /// A radius above 1/2 (a wide ball, of any width) goes to Elementary.tanh at 128 bits.
    val tanh: Ball128 -> Ball128
    /// ln 2 as the 192-bit truncation L·2^−192 (0 ≤ ln 2 − L·2^−192 &lt; 2^−192), checked at start-up against Elementary.ln2
    /// at 256 bits; exposed as an exact Ball for tests.
    val ln2Truncated: Ball
    /// The table T_j·2^−126, j = 0..31 (0 ≤ 2^(j/32) − T_j·2^−126 &lt; 2^−126) as exact Balls, for tests.
    val pow2Fractions: Ball[]
