namespace RnnVerify.Reference

open System
open System.Numerics

[<Sealed; AllowNullLiteral(false)>]
type Ball internal (mid: Dyadic, rad: Dyadic) =
    member _.Mid = mid
    member _.Rad = rad

    override _.ToString() =
        let r = Dyadic.toFloat (Dyadic.roundUp 53 rad)
        let r = if Dyadic.compare (Dyadic.ofFloat (if Double.IsInfinity r then 0.0 else r)) rad < 0 then Math.BitIncrement r else r
        sprintf "[%.17g +/- %.3g]" (Dyadic.toFloat mid) r

module Precision =
    let defaultBits = 128
    let exact = 0

module Ball =
    /// Significant bits kept in radii (radii are always rounded up to this many bits).
    let private radBits = 30
    let private radUp d = Dyadic.roundUp radBits d
    let private addUp a b = Dyadic.addUp radBits a b
    let private mulUp a b = Dyadic.roundUp radBits (Dyadic.mul a b)

    let create (mid: Dyadic) (rad: Dyadic) =
        if Dyadic.sign rad < 0 then invalidArg "rad" "a ball radius must be non-negative"
        Ball(mid, radUp rad)

    let exact d = Ball(d, Dyadic.zero)
    let zero = exact Dyadic.zero
    let one = exact Dyadic.one
    let ofFloat (x: float) = exact (Dyadic.ofFloat x)
    let ofFloat32 (x: float32) = exact (Dyadic.ofFloat (float x))
    let ofInt (n: int) = exact (Dyadic.ofInt n)
    let ofBigInt (n: BigInteger) = exact (Dyadic.ofBigInt n)
    let isExact (x: Ball) = Dyadic.sign x.Rad = 0
    let lower (x: Ball) = Dyadic.sub x.Mid x.Rad
    let upper (x: Ball) = Dyadic.add x.Mid x.Rad

    let ofInterval lo hi =
        if Dyadic.compare lo hi > 0 then invalidArg "lo" "ofInterval needs lo ≤ hi"
        Ball(Dyadic.mulPow2 (Dyadic.add lo hi) -1, radUp (Dyadic.mulPow2 (Dyadic.sub hi lo) -1))

    let magUpper (x: Ball) = addUp (Dyadic.abs x.Mid) x.Rad

    let magLower (x: Ball) =
        let l = Dyadic.addDown radBits (Dyadic.abs x.Mid) (Dyadic.neg x.Rad)
        if Dyadic.sign l < 0 then Dyadic.zero else l

    let containsZero (x: Ball) = Dyadic.compare (Dyadic.abs x.Mid) x.Rad <= 0

    let contains (x: Ball) (y: Dyadic) = Dyadic.compare (Dyadic.abs (Dyadic.sub y x.Mid)) x.Rad <= 0

    let overlaps (x: Ball) (y: Ball) =
        Dyadic.compare (Dyadic.abs (Dyadic.sub x.Mid y.Mid)) (Dyadic.add x.Rad y.Rad) <= 0

    let containsBall (x: Ball) (y: Ball) =
        Dyadic.compare (lower x) (lower y) <= 0 && Dyadic.compare (upper y) (upper x) <= 0

    let relativeRadius (x: Ball) =
        if Dyadic.sign x.Rad = 0 then 0.0
        elif Dyadic.sign x.Mid = 0 then Double.PositiveInfinity
        else
            let q = Dyadic.divUp 53 x.Rad (Dyadic.abs x.Mid)
            let d = Dyadic.toFloat q
            if Double.IsInfinity d then d
            elif Dyadic.compare (Dyadic.ofFloat d) q < 0 then Math.BitIncrement d
            else d

    let inflate (x: Ball) (e: Dyadic) =
        if Dyadic.sign e < 0 then invalidArg "e" "a ball can only be widened by a non-negative amount"
        Ball(x.Mid, addUp x.Rad e)

    /// The midpoint m rounded to nearest with prec bits, and the exact rounding error |m − m'|.
    let private roundMid prec (m: Dyadic) =
        if prec = Precision.exact then m, Dyadic.zero
        else
            let r = Dyadic.roundNearest prec m
            r, Dyadic.abs (Dyadic.sub m r)

    let round prec (x: Ball) =
        let m, e = roundMid prec x.Mid
        if Dyadic.sign e = 0 then x else Ball(m, addUp x.Rad e)

    /// Midpoint sum rounded to prec bits and the error bound of that rounding. When the exponents are too far apart the
    /// smaller summand is not added at all (the exact sum would need a huge mantissa): it is counted in the error instead.
    let private addMid prec (a: Dyadic) (b: Dyadic) =
        if prec = Precision.exact || Dyadic.sign a = 0 || Dyadic.sign b = 0 then roundMid prec (Dyadic.add a b)
        else
            let ma, mb = Dyadic.magnitude a, Dyadic.magnitude b
            if Math.Abs(ma - mb) <= prec + 4 then roundMid prec (Dyadic.add a b)
            else
                let big, small = if ma > mb then a, b else b, a
                let m, e = roundMid prec big
                m, addUp e (Dyadic.abs small)

    let add prec (x: Ball) (y: Ball) =
        let m, e = addMid prec x.Mid y.Mid
        Ball(m, addUp (addUp x.Rad y.Rad) e)

    let neg (x: Ball) = Ball(Dyadic.neg x.Mid, x.Rad)
    let sub prec x y = add prec x (neg y)

    /// Upper bound of |m_x|·r_y + |m_y|·r_x + r_x·r_y: the largest |x·y − m_x·m_y| over the balls.
    let private productRadius (x: Ball) (y: Ball) =
        let rx, ry = x.Rad, y.Rad
        if Dyadic.sign rx = 0 && Dyadic.sign ry = 0 then Dyadic.zero
        else
            let ax, ay = radUp (Dyadic.abs x.Mid), radUp (Dyadic.abs y.Mid)
            addUp (addUp (mulUp ax ry) (mulUp ay rx)) (mulUp rx ry)

    let mul prec (x: Ball) (y: Ball) =
        let m, e = roundMid prec (Dyadic.mul x.Mid y.Mid)
        Ball(m, addUp (productRadius x y) e)

    let div prec (x: Ball) (y: Ball) =
        if containsZero y then raise (DivideByZeroException(sprintf "Ball.div: the divisor %O contains zero" y))
        let p = if prec = Precision.exact then Precision.defaultBits else prec
        let q, e =
            if prec = Precision.exact then
                // Exact when the quotient is dyadic: try a precision that holds every dyadic quotient of these mantissas.
                let wide = Dyadic.bits x.Mid + 1
                let q, e = Dyadic.divNearest (max wide p) x.Mid y.Mid
                if Dyadic.sign e = 0 then q, e else Dyadic.divNearest p x.Mid y.Mid
            else Dyadic.divNearest p x.Mid y.Mid
        let rad =
            if isExact x && isExact y then Dyadic.zero
            else
                // |x/y − m_x/m_y| = |x·m_y − m_x·y| / (|y|·|m_y|) ≤ (r_x + |m_x/m_y|·r_y) / (|m_y| − r_y).
                let ay = Dyadic.roundDown radBits (Dyadic.abs y.Mid)
                let den =
                    let d = Dyadic.addDown radBits ay (Dyadic.neg y.Rad)
                    // |m_y| > r_y, but rounding |m_y| down first may have lost that: recompute exactly then.
                    if Dyadic.sign d > 0 then d else Dyadic.roundDown radBits (Dyadic.sub (Dyadic.abs y.Mid) y.Rad)
                let ratio = Dyadic.divUp radBits (radUp (Dyadic.abs x.Mid)) ay
                Dyadic.divUp radBits (addUp x.Rad (mulUp ratio y.Rad)) den
        Ball(q, addUp rad e)

    let abs (x: Ball) =
        if not (containsZero x) then (if Dyadic.sign x.Mid < 0 then neg x else x)
        else ofInterval Dyadic.zero (Dyadic.add (Dyadic.abs x.Mid) x.Rad)

    let max (x: Ball) (y: Ball) =
        if Dyadic.compare (lower x) (upper y) >= 0 then x
        elif Dyadic.compare (lower y) (upper x) >= 0 then y
        else
            let lo = Seq.max [ lower x; lower y ]
            let hi = Seq.max [ upper x; upper y ]
            ofInterval lo hi

    let relu x = max x zero

    let mulPow2 (x: Ball) k = Ball(Dyadic.mulPow2 x.Mid k, Dyadic.mulPow2 x.Rad k)

    let dot prec (xs: Ball[]) (ys: Ball[]) =
        if xs.Length <> ys.Length then
            invalidArg "ys" (sprintf "dot: ys has length %d, expected the length of xs = %d" ys.Length xs.Length)
        let mutable sum = Dyadic.zero
        let mutable rad = Dyadic.zero
        for i in 0 .. xs.Length - 1 do
            sum <- Dyadic.add sum (Dyadic.mul xs.[i].Mid ys.[i].Mid)
            rad <- addUp rad (productRadius xs.[i] ys.[i])
        let m, e = roundMid prec sum
        Ball(m, addUp rad e)

    let union (x: Ball) (y: Ball) =
        ofInterval (Seq.min [ lower x; lower y ]) (Seq.max [ upper x; upper y ])
