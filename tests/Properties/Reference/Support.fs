/// Test-side helpers for the reference arithmetic: independent decoding of doubles, exact rational comparisons, generators.
module RnnVerify.Properties.Reference.Support

open System
open System.Numerics
open Expecto
open RnnVerify.Reference

/// A double decoded from its bit pattern as m·2^e (independent of Dyadic.ofFloat).
let decode (x: float) =
    let bits = BitConverter.DoubleToInt64Bits x
    let field = int ((bits >>> 52) &&& 0x7FFL)
    let fraction = bits &&& 0xFFFFFFFFFFFFFL
    let m, e = if field = 0 then fraction, -1074 else fraction ||| (1L <<< 52), field - 1075
    (if x < 0.0 then BigInteger(-m) else BigInteger m), e

/// The exact value m·2^e of a double as a rational (numerator, positive denominator).
let rationalOfFloat (x: float) =
    let m, e = decode x
    if e >= 0 then m <<< e, BigInteger.One else m, BigInteger.One <<< -e

/// The exact value of a dyadic as a rational, from its mantissa and exponent.
let rationalOfDyadic (d: Dyadic) =
    if d.Exponent >= 0 then d.Mantissa <<< d.Exponent, BigInteger.One else d.Mantissa, BigInteger.One <<< -d.Exponent

let addQ (a, b) (c, d) : BigInteger * BigInteger = a * d + c * b, b * d
let subQ (a, b) (c, d) : BigInteger * BigInteger = a * d - c * b, b * d
let mulQ (a, b) (c, d) : BigInteger * BigInteger = a * c, b * d
/// a/b ÷ c/d with the denominator kept positive.
let divQ (a, b) (c: BigInteger, d) : BigInteger * BigInteger = if c.Sign < 0 then -(a * d), -(b * c) else a * d, b * c
let cmpQ (a: BigInteger, b: BigInteger) (c: BigInteger, d: BigInteger) = BigInteger.Compare(a * d, c * b)

/// true when the rational lies in the ball (exact comparison with both endpoints).
let ballContainsQ (x: Ball) q =
    cmpQ (rationalOfDyadic (Ball.lower x)) q <= 0 && cmpQ q (rationalOfDyadic (Ball.upper x)) <= 0

/// A precision in 53..1024 from any integer.
let precisionOf (n: int) = 53 + (abs (n % 972))

/// A finite double in [−bound, bound] from any NormalFloat (values outside are folded in by a remainder).
let fold bound (x: float) = if abs x <= bound then x else Math.IEEERemainder(x, bound)

/// Ball text for messages: the midpoint to 40 digits and the radius.
let show (x: Ball) = Conversions.toDecimalString 40 x

/// Fails with both values printed when the ball does not contain the expected decimal value.
let expectContains (what: string) (x: Ball) (expected: Ball) =
    if not (Ball.containsBall x expected) then
        failtestf "%s: computed %s does not contain expected %s" what (show x) (show expected)

/// Parses a decimal string that must be valid (test data).
let parseExact prec text =
    match Conversions.parse prec text with
    | Ok b -> b
    | Error e -> failwithf "test data \"%s\" does not parse: %s" text e
