namespace RnnVerify.Reference.Fast

open RnnVerify.Reference

module Ball128Scalar =
    let private slow = BallScalar.at 128
    let private viaBall (f: Ball -> Ball) (x: Ball128) = Ball128.ofBall (f (Ball128.toBall x))

    /// 1 when every point of the ball is > 0, −1 when every point is < 0, else 0 (conservative: 0 when undecided by doubles).
    let private side (x: Ball128) =
        if not (Ball128.isFast x) || x.Man = System.UInt128.Zero then 0
        elif Ball128.Raw.subDown (Ball128.Raw.magDown x) x.Rad > 0.0 then (if x.Neg then -1 else 1)
        else 0

    let instance: Scalar<Ball128> =
        {
            OfFloat = Ball128.ofFloat
            Zero = Ball128.zero
            One = Ball128.one
            Add = Ball128.add
            Sub = Ball128.sub
            Mul = Ball128.mul
            Div = Ball128.div
            Neg = Ball128.neg
            Dot = Ball128.dot
            Tanh = Elementary128.tanh
            Sigmoid = Elementary128.sigmoid
            Exp = Elementary128.exp
            Log = viaBall slow.Log
            Relu =
                fun x ->
                    match side x with
                    | 1 -> x
                    | -1 -> Ball128.zero
                    | _ -> viaBall slow.Relu x
            ReluSlope = viaBall slow.ReluSlope
            Clip =
                fun c x ->
                    if Ball128.isFast x && Ball128.Raw.addUp (Ball128.Raw.magUp x) x.Rad <= c then x
                    else viaBall (slow.Clip c) x
            ClipSlope = fun c x -> viaBall (slow.ClipSlope c) x
            Detach = id
            Approx = Ball128.approx
        }
