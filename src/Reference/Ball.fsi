namespace RnnVerify.Reference

/// A ball [mid − rad, mid + rad] with an exact dyadic midpoint and a non-negative dyadic radius.
/// Every operation returns a ball that contains the exact real result for every choice of reals in its argument balls.
[<Sealed>]
type Ball =
    member Mid: Dyadic
    member Rad: Dyadic
    override ToString: unit -> string

/// Working precision in bits. Precision.exact disables rounding of + − × (results are exact dyadics, radius grows only from inputs).
module Precision =
    val defaultBits: int
    val exact: int

/// Ball arithmetic. Every function taking prec rounds its midpoint to prec bits (53 ≤ prec, or Precision.exact) and adds the rounding error to the radius.
module Ball =
    /// The ball with midpoint m and radius r (r ≥ 0; throws ArgumentException otherwise).
    val create: mid: Dyadic -> rad: Dyadic -> Ball
    val exact: Dyadic -> Ball
    val zero: Ball
    val one: Ball
    /// The exact value of a finite double, radius 0; ArgumentException on NaN or infinity.
    val ofFloat: float -> Ball
    /// The exact value of a finite float32, radius 0.
    val ofFloat32: float32 -> Ball
    val ofInt: int -> Ball
    val isExact: Ball -> bool
    val lower: Ball -> Dyadic
    val upper: Ball -> Dyadic
    /// true when the real y lies in x (y given exactly as a dyadic).
    val contains: Ball -> Dyadic -> bool
    /// true when the two balls share a point.
    val overlaps: Ball -> Ball -> bool
    /// true when every point of the second ball lies in the first.
    val containsBall: Ball -> Ball -> bool
    /// Radius ÷ |midpoint| rounded up, as a double (∞ when the midpoint is zero and the radius is not).
    val relativeRadius: Ball -> float
    val add: prec: int -> Ball -> Ball -> Ball
    val sub: prec: int -> Ball -> Ball -> Ball
    val mul: prec: int -> Ball -> Ball -> Ball
    /// Division; throws DivideByZeroException when the divisor ball contains zero.
    val div: prec: int -> Ball -> Ball -> Ball
    val neg: Ball -> Ball
    val abs: Ball -> Ball
    val max: Ball -> Ball -> Ball
    val relu: Ball -> Ball
    val mulPow2: Ball -> int -> Ball
    /// Σ xᵢ·yᵢ with one rounding at the end (exact when prec = Precision.exact).
    val dot: prec: int -> Ball[] -> Ball[] -> Ball
    /// Ball containing both balls.
    val union: Ball -> Ball -> Ball
