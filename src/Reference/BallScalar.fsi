namespace RnnVerify.Reference

/// The Ball instance of the scalar abstraction: every operation encloses the exact real result.
module BallScalar =
    /// Ball arithmetic at prec bits (Ball.add/sub/mul/div/dot, Elementary.tanh/sigmoid/exp/log). Kinks (rigorous):
    /// ReluSlope is 1 when every point is > 0, 0 when every point is ≤ 0 (relu'(0) = 0, as the C# cells), and the ball [0, 1]
    /// when the ball has points on both sides; ClipSlope c is 1 when every point is in (−c, c), 0 when every point is outside
    /// [−c, c], and [0, 1] otherwise (so an exact ±c, where the C# cells take 1, is enclosed too). Clip is min(c, max(−c, a)) by
    /// Ball.max. Approx is the midpoint rounded to a double. Detach is the identity.
    val at: prec: int -> Scalar<Ball>
