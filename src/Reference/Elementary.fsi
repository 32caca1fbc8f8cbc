namespace RnnVerify.Reference

/// Elementary functions on balls. Each result contains f(x) for every real x in the argument ball; for an exact argument
/// the radius is at most a few units of 2^−prec relative to the result.
module Elementary =
    /// Square root; throws ArgumentException when the ball has negative points.
    val sqrt: prec: int -> Ball -> Ball
    val exp: prec: int -> Ball -> Ball
    /// Natural logarithm; throws ArgumentException when the ball has non-positive points.
    val log: prec: int -> Ball -> Ball
    val tanh: prec: int -> Ball -> Ball
    /// Logistic sigmoid 1 / (1 + e^−x).
    val sigmoid: prec: int -> Ball -> Ball
    /// ln 2 enclosed at the given precision.
    val ln2: prec: int -> Ball
