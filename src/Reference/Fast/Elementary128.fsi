namespace RnnVerify.Reference.Fast

open RnnVerify.Reference

/// Elementary functions on Ball128. Guarantee: each result contains f(ξ) for every real ξ in the argument ball.
///
/// Core (exp of a midpoint m with |m| &lt; 2^20): m = k·ln 2 + r with k = round(m/ln 2) from a double and r computed in 256-bit
/// fixed point (192 fractional bits) against ln 2 truncated to 192 bits (error |k|·2^−192), then truncated to 126 fractional
/// bits (|r| ≤ 0.36 is checked; error 2^−126). P(r) = Σ_{n≤27} rⁿ/(n+1)! by Horner in 126-bit fixed point (coefficients
/// truncated, each step's product truncated: error ≤ 2·2^−126/(1 − 0.36) ≤ 3.2·2^−126; the tail beyond n = 27 is below 2^−140),
/// e^r = 1 + r·P(r) with one more truncation. Total |computed − e^r| ≤ (1 + 0.36·3.2 + e^0.37·(1 + 2^−170))·2^−126 &lt; 3.7·2^−126,
/// enclosed as 2^−123; the result is 2^k times that. Outside |m| &lt; 2^20, or for a radius above 1/2, the BigInteger
/// Elementary functions at 128 bits are used.
module Elementary128 =
    /// e^x: the core above; the radius ρ of x adds e^m·(e^ρ − 1) ≤ (|e^m| bound)·(ρ + ρ²) (valid for ρ ≤ 1).
    val exp: Ball128 -> Ball128
    /// e^x − 1 with small relative error near 0: for |m| &lt; ln2/2 and ρ ≤ 2^−20 it is x·P(x) with P enclosed by
    /// P(r̃) ± (2^−123 + ρ) (|P'| ≤ 0.7 on |ξ| ≤ 0.37 covers the truncation of r̃ and the radius); else exp x − 1.
    val expm1: Ball128 -> Ball128
    /// σ(x) = 1/(1 + e^−x) for a midpoint ≥ 0, e^x·1/(1 + e^x) below (small relative error where σ is tiny), composed of
    /// enclosing Ball128 operations. For a ball entirely ≥ 128, 1 ± 2^−184 (1 − σ(ξ) &lt; e^−128 &lt; 2^−184).
    val sigmoid: Ball128 -> Ball128
    /// tanh x = −u/(2 + u) with u = expm1(−2x) for a midpoint ≥ 0 (odd symmetry below), composed of enclosing Ball128
    /// operations; relative error stays small near 0. For a ball with |ξ| ≥ 64 throughout, ±1 ± 2^−183 (1 − tanh ξ &lt; 2e^−128).
    val tanh: Ball128 -> Ball128
    /// ln 2 as the 192-bit truncation L·2^−192 (0 ≤ ln 2 − L·2^−192 &lt; 2^−192), checked at start-up against Elementary.ln2
    /// at 256 bits; exposed as an exact Ball for tests.
    val ln2Truncated: Ball
