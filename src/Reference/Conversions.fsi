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
module Conversions =
    /// The correctly rounded double of every point of the ball, if they all round to the same double; else TooWide.
    /// Guarantee: Ok d means d is the correctly rounded value of the exact real the ball encloses.
    val toFloat: RoundingMode -> Ball -> Result<float, RoundingError>
    /// As toFloat for float32 (binary32).
    val toFloat32: RoundingMode -> Ball -> Result<float32, RoundingError>
    /// The midpoint rounded to nearest double (no guarantee about the enclosed real; for display and estimates).
    val midToFloat: Ball -> float
    /// Decimal text of the midpoint with the given significant digits, and the radius rounded up: "m +/- r".
    val toDecimalString: digits: int -> Ball -> string
    /// The exact decimal expansion of a dyadic (terminating), e.g. "0.125".
    val dyadicToDecimal: Dyadic -> string
    /// Parses a decimal string ("-1.25e-3"), "m +/- r" ball text, or a hex float ("0x1.8p+1") into a ball that contains
    /// the decimal's exact value (radius 0 when the value is dyadic, else at most 2^−prec relative). Error names the problem.
    val parse: prec: int -> string -> Result<Ball, string>
