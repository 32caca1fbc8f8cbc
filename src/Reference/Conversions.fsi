namespace RnnVerify.Reference

/// Why a ball could not be rounded as asked.
type RoundingError =
    /// The ball straddles a rounding boundary of the target format: recompute at a higher precision.
    | TooWide of ball: Ball

/// Rounding modes for conversion to a binary format.
type RoundingMode =
    | Nearest
    | Down
    | Up

/// Conversions between balls and doubles, floats and decimal strings.
/// Guarantees: toFloat/toFloat32 never return a value that is not the correctly rounded one (they answer TooWide instead);
/// a ball parsed from toDecimalString's text contains the printed ball; parse encloses the exact value of the text.
module Conversions =
    /// The correctly rounded double (in the given mode) of every point of the ball, if they all round to the same double; else
    /// Error (TooWide x): recompute at a higher precision. Both end points are rounded exactly (rounding is monotone).
    /// Guarantee: Ok d means d is the correctly rounded value of the exact real the ball encloses. Nearest overflows to ±∞ as
    /// IEEE 754 does; Down/Up give ±MaxValue or ±∞ on the corresponding sides.
    val toFloat: RoundingMode -> Ball -> Result<float, RoundingError>
    /// As toFloat for float32 (binary32), rounded directly from the exact dyadic (no double rounding through binary64).
    val toFloat32: RoundingMode -> Ball -> Result<float32, RoundingError>
    /// The midpoint rounded to nearest double (no guarantee about the enclosed real; for display and estimates).
    val midToFloat: Ball -> float
    /// "m +/- r": the midpoint rounded to `digits` significant decimal digits in scientific notation ("2.718e+0"), and
    /// r ≥ radius + |midpoint − printed midpoint| rounded up to 3 significant digits. Just "m" when that is exact.
    /// Round-trip safe: parse of the text gives a ball containing x. ArgumentException when digits &lt; 1.
    val toDecimalString: digits: int -> Ball -> string
    /// The exact decimal expansion of a dyadic (terminating), e.g. "0.125".
    val dyadicToDecimal: Dyadic -> string
    /// Parses a decimal string ("-1.25e-3"), "m +/- r" (or "m ± r") ball text, or a hex float ("0x1.8p+1", exact) into a ball
    /// that contains the text's exact value: radius 0 when the value is dyadic, else at most 2^(1−prec) relative (the
    /// correctly rounded quotient n/5^k and its error bound). Decimal exponents beyond ±10^6 are rejected.
    /// Error names the problem and the text.
    val parse: prec: int -> string -> Result<Ball, string>
