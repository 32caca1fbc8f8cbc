namespace RnnVerify.Reference

/// Elementary functions on balls. Guarantee: each result contains f(ξ) for every real ξ in the argument ball (the argument
/// reduction, series truncation and every rounding are bounded rigorously; see docs/reference-arithmetic.md). For an exact
/// argument the radius is a few units of 2^−prec relative to the result (not a guarantee, but checked by the tests);
/// for a wide argument it grows by radius × a bound of |f'| over the ball. prec must be ≥ 2 (Precision.exact is rejected).
/// Not guaranteed: correct rounding of the midpoint (use Conversions.toFloat for that); arguments with |x| ≥ 2^29 in exp
/// (OverflowException for large positive ones; for large negative ones exp, sigmoid return the ball [0 ± 2^−(2^29)]).
module Elementary =
    /// √x; ArgumentException when the ball has negative points. Exact when x is an exact dyadic square.
    val sqrt: prec: int -> Ball -> Ball
    /// e^x: x = n·ln 2 + t, t scaled by 2^−r, Taylor series with proven tail, r squarings. Narrow for |x| ≤ 10^6 and beyond.
    val exp: prec: int -> Ball -> Ball
    /// e^x − 1 with small relative error near 0 (series without the leading 1, doubling by u ← u(u + 2)).
    val expm1: prec: int -> Ball -> Ball
    /// Natural logarithm; ArgumentException when the ball has non-positive points. Small relative error near 1.
    val log: prec: int -> Ball -> Ball
    /// Hyperbolic tangent: expm1(2x)/(expm1(2x) + 2) for |x| < 1, 1 − 2e^{−2|x|}/(1 + e^{−2|x|}) beyond; odd; never overflows.
    val tanh: prec: int -> Ball -> Ball
    /// Logistic sigmoid σ(x) = 1/(1 + e^−x), computed as e^x/(1 + e^x) for x &lt; 0 (small relative error where σ ≈ e^x is tiny).
    val sigmoid: prec: int -> Ball -> Ball
    /// ln 2 = 2·atanh(1/3) by its series with proven tail, cached (the highest precision computed so far is kept).
    val ln2: prec: int -> Ball
