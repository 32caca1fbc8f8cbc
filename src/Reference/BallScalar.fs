namespace RnnVerify.Reference

module BallScalar =
    let private unit01 = Ball.union Ball.zero Ball.one

    let at (prec: int) : Scalar<Ball> =
        let ofFloat = Ball.ofFloat
        let lt a b = Dyadic.compare a b < 0
        {
            OfFloat = ofFloat
            Zero = Ball.zero
            One = Ball.one
            Add = Ball.add prec
            Sub = Ball.sub prec
            Mul = Ball.mul prec
            Div = Ball.div prec
            Neg = Ball.neg
            Dot = fun xs ys -> if xs.Length = 0 then Ball.zero else Ball.dot prec xs ys
            Tanh = Elementary.tanh prec
            Sigmoid = Elementary.sigmoid prec
            Exp = Elementary.exp prec
            Log = Elementary.log prec
            Relu = Ball.relu
            ReluSlope =
                fun a ->
                    if Dyadic.sign (Ball.lower a) > 0 then Ball.one
                    elif Dyadic.sign (Ball.upper a) <= 0 then Ball.zero
                    else unit01
            Clip =
                fun c a ->
                    let cb = ofFloat c
                    Ball.neg (Ball.max (Ball.neg cb) (Ball.neg (Ball.max (Ball.neg cb) a)))
            ClipSlope =
                fun c a ->
                    // The image of the conventional slope (1 on [−c, c], 0 outside) over the ball.
                    let hi = Dyadic.ofFloat c
                    let lo = Dyadic.neg hi
                    let l, u = Ball.lower a, Ball.upper a
                    if not (lt l lo) && not (lt hi u) then Ball.one
                    elif lt u lo || lt hi l then Ball.zero
                    else unit01
            Detach = id
            Approx = Conversions.midToFloat
        }
