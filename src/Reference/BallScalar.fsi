namespace RnnVerify.Reference

/// The Ball instance of the scalar abstraction: every operation encloses the exact real result.
module BallScalar =
    /// Ball arithmetic at prec bits (Ball.add/sub/mul/div/dot, Elementary.tanh/sigmoid/exp/log). Kinks: the slopes are the
    /// exact image, over the argument ball, of the conventional derivatives of the C# cells, relu'(a) = [a > 0] (so
    /// relu'(0) = 0) and clip'(a) = [|a| ≤ c] (1 where the value passes unchanged, 0 where clipped): 1 or 0 when the ball lies
    /// on one side, the ball [0, 1] when it straddles the kink (enclosing both one-sided values). An exact argument on the
    /// kink gets the convention's value. Clip is min(c, max(−c, a)) by Ball.max. Approx is the midpoint rounded to a double.
    /// Detach is the identity.
    val at: prec: int -> Scalar<Ball>
