namespace RnnVerify.Reference

/// A ball [mid − rad, mid + rad] with an exact dyadic midpoint and a non-negative dyadic radius.
/// Every operation returns a ball that contains the exact real result for every choice of reals in its argument balls.
[<Sealed; AllowNullLiteral(false)>]
type Ball =
    /// [mid ± rad] as given, without rounding the radius: for callers whose radius is non-negative with at most 30
    /// significant bits already.
    internal new: mid: Dyadic * rad: Dyadic -> Ball
    /// The midpoint, an exact dyadic.
    member Mid: Dyadic
    /// The radius, a non-negative dyadic with at most 30 significant bits.
    member Rad: Dyadic
    /// "[m +/- r]" with m and r shown as doubles (r rounded up): for display only; Conversions.toDecimalString is exact.
    override ToString: unit -> string

/// Working precision in bits. Precision.exact disables rounding of + − × (results are exact dyadics, radius grows only from inputs).
module Precision =
    /// 128 bits: the precision the reference computations use unless told otherwise.
    val defaultBits: int
    /// The marker 0 for "no rounding": + − ×, dot, round and neg/abs/mulPow2 then return the exact midpoint; division falls back
    /// to defaultBits when the quotient is not a dyadic; elementary functions reject it (ArgumentException).
    val exact: int

/// Ball arithmetic. Every function taking prec rounds its midpoint to nearest with prec bits (prec ≥ 2, or Precision.exact; the reference
/// uses 53 and more) and adds the rounding error to the radius. Radii are kept short: they are rounded up to 30 significant bits.
module Ball =
    /// The ball with midpoint m and radius r (r ≥ 0; throws ArgumentException otherwise).
    val create: mid: Dyadic -> rad: Dyadic -> Ball
    /// The point ball {d}, radius 0.
    val exact: Dyadic -> Ball
    /// The smallest ball with a dyadic midpoint containing [lo, hi] (midpoint (lo + hi)/2 exactly, radius rounded up);
    /// ArgumentException when lo > hi.
    val ofInterval: lo: Dyadic -> hi: Dyadic -> Ball
    val zero: Ball
    val one: Ball
    /// The exact value of a finite double, radius 0; ArgumentException on NaN or infinity.
    val ofFloat: float -> Ball
    /// The exact value of a finite float32, radius 0.
    val ofFloat32: float32 -> Ball
    /// The exact integer n, radius 0.
    val ofInt: int -> Ball
    /// The exact integer n, radius 0.
    val ofBigInt: System.Numerics.BigInteger -> Ball
    /// true when the radius is 0.
    val isExact: Ball -> bool
    /// mid − rad, exactly.
    val lower: Ball -> Dyadic
    /// mid + rad, exactly.
    val upper: Ball -> Dyadic
    /// An upper bound (30 bits, rounded up) of |y| for every y in the ball.
    val magUpper: Ball -> Dyadic
    /// A lower bound (30 bits, rounded down) of |y| for every y in the ball; 0 when the ball contains 0.
    val magLower: Ball -> Dyadic
    /// true when 0 is in the ball.
    val containsZero: Ball -> bool
    /// The ball widened by e ≥ 0: radius rad + e rounded up (ArgumentException when e < 0).
    val inflate: Ball -> e: Dyadic -> Ball
    /// The midpoint rounded to nearest with prec bits, the rounding error added to the radius (identity at Precision.exact).
    val round: prec: int -> Ball -> Ball
    /// true when the real y lies in x (y given exactly as a dyadic).
    val contains: Ball -> Dyadic -> bool
    /// true when the two balls share a point.
    val overlaps: Ball -> Ball -> bool
    /// true when every point of the second ball lies in the first.
    val containsBall: Ball -> Ball -> bool
    /// Radius ÷ |midpoint| rounded up, as a double (∞ when the midpoint is zero and the radius is not).
    val relativeRadius: Ball -> float
    /// x + y: midpoint m_x + m_y rounded to prec bits, radius r_x + r_y + rounding error (rounded up).
    val add: prec: int -> Ball -> Ball -> Ball
    /// x − y, as add.
    val sub: prec: int -> Ball -> Ball -> Ball
    /// x·y: midpoint m_x·m_y rounded to prec bits, radius |m_x|·r_y + |m_y|·r_x + r_x·r_y + rounding error (rounded up).
    val mul: prec: int -> Ball -> Ball -> Ball
    /// x/y: midpoint m_x/m_y rounded to nearest with prec bits, radius (r_x + |m_x/m_y|·r_y)/(|m_y| − r_y) + rounding error
    /// (rounded up; the bound of |x/y − m_x/m_y| over the balls). Throws DivideByZeroException when the divisor ball contains zero.
    /// At Precision.exact the quotient is exact when it is a dyadic and rounded to Precision.defaultBits otherwise.
    val div: prec: int -> Ball -> Ball -> Ball
    /// −x, exactly.
    val neg: Ball -> Ball
    /// |x|: x or −x when the ball does not contain 0, else the ball of [0, max(|lower|, |upper|)].
    val abs: Ball -> Ball
    /// A ball containing max(a, b) for every a in x and b in y (x itself when x lies entirely above y, and vice versa).
    val max: Ball -> Ball -> Ball
    /// max(x, 0).
    val relu: Ball -> Ball
    /// x·2^k, exactly (midpoint and radius scaled).
    val mulPow2: Ball -> int -> Ball
    /// Σ xᵢ·yᵢ: the exact sum of midpoint products rounded once to prec bits, radius Σ (|m_xᵢ|·r_yᵢ + |m_yᵢ|·r_xᵢ + r_xᵢ·r_yᵢ)
    /// + rounding error (exact when prec = Precision.exact and all inputs are exact). ArgumentException when lengths differ.
    val dot: prec: int -> Ball[] -> Ball[] -> Ball
    /// Ball containing both balls.
    val union: Ball -> Ball -> Ball
