namespace RnnVerify.Reference.Fast

open RnnVerify.Reference

/// The Ball128 instance of the scalar abstraction: every operation encloses the exact real result.
module Ball128Scalar =
    /// Ball128 arithmetic (Ball128.add/sub/mul/div/dot, Elementary128.tanh/sigmoid/exp). Log and the kinked functions (relu,
    /// clip and their slopes) have the meaning of BallScalar.at 128: Relu and Clip return the argument itself when the ball lies
    /// wholly on one side of the kink (decided with upward-rounded double bounds of |midpoint| + radius), and otherwise, like
    /// Log and the slopes, convert to Ball, apply BallScalar.at 128 and convert back. Approx is Ball128.approx; Detach the identity.
    val instance: Scalar<Ball128>
