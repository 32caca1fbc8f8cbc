namespace RnnVerify.Reference.Fast

open System
open System.Numerics
open RnnVerify.Reference

module Elementary128 =
    [<Literal>]
    let private Bits = 128

    /// Horner degree: P(r) = Σ_{n=0}^{27} rⁿ/(n+1)!.
    [<Literal>]
    let private Degree = 27

    let inline private isZero (a: UInt128) = UInt128.op_Equality (a, UInt128.Zero)
    let inline private lt (a: UInt128) (b: UInt128) = UInt128.op_LessThan (a, b)
    let private ofBig (q: BigInteger) = UInt128(uint64 (q >>> 64), uint64 (q &&& BigInteger UInt64.MaxValue))
    let private one126 = UInt128.One <<< 126

    /// floor(ln 2 · 2^192), decided from a 256-bit enclosure (both ends must have the same floor).
    let private ln2Big =
        let b = Elementary.ln2 256
        let floorScaled (d: Dyadic) =
            let s = d.Exponent + 192
            if s >= 0 then d.Mantissa <<< s else d.Mantissa >>> -s
        let lo, hi = floorScaled (Ball.lower b), floorScaled (Ball.upper b)
        if lo <> hi then invalidOp "ln 2 enclosure too wide to fix 192 bits"
        lo

    let ln2Truncated = Ball.exact (Dyadic.create ln2Big -192)

    /// ln 2 truncated as 256 bits: high part (< 2^64) and low 128 bits.
    let private ln2Hi = ofBig (ln2Big >>> 128)
    let private ln2Lo = ofBig (ln2Big &&& ((BigInteger.One <<< 128) - BigInteger.One))

    /// c_n = floor(2^126/(n+1)!), n = 0..Degree.
    let private coeffs =
        let mutable f = BigInteger.One
        Array.init (Degree + 1) (fun n ->
            f <- f * BigInteger(n + 1)
            ofBig ((BigInteger.One <<< 126) / f))

    /// floor(0.36·2^126): the largest reduced argument the error analysis covers.
    let private rMax = ofBig ((BigInteger 36 <<< 126) / BigInteger 100)

    /// (a·b) >> 126 for fixed-point values below 2 (126 fractional bits), truncated.
    let inline private fmul (a: UInt128) (b: UInt128) =
        let mutable lo = UInt128.Zero
        let hi = UInt128.BigMul(a, b, &lo)
        (hi <<< 2) ||| (lo >>> 126)

    /// P(r̃) in fixed point, r̃ = ±R·2^−126.
    let private horner (rneg: bool) (r: UInt128) =
        let mutable p = coeffs[Degree]
        for n in Degree - 1 .. -1 .. 0 do
            let t = fmul r p
            p <- if rneg then coeffs[n] - t else coeffs[n] + t
        p

    /// m = k·ln 2 + r: (ok, k, r negative, |r̃|·2^126). Not ok outside |m| < 2^20 or when |r̃| > 0.36.
    let private reduce (x: Ball128) =
        if isZero x.Man then struct (true, 0, false, UInt128.Zero)
        else
            let d = Ball128.approx x
            if not (Math.Abs d < 1048576.0) then struct (false, 0, false, UInt128.Zero)
            else
                let k = int (Math.Round(d / Math.Log 2.0))
                if k = 0 then
                    let s = -(x.Exp + 126)
                    if s < 1 then struct (false, 0, false, UInt128.Zero)
                    else
                        let r = if s >= 128 then UInt128.Zero else x.Man >>> s
                        struct (not (lt rMax r), 0, x.Neg, r)
                else
                    let sh = x.Exp + 192
                    if sh < 1 || sh > 127 || (k < 0) <> x.Neg then struct (false, 0, false, UInt128.Zero)
                    else
                        // |m|·2^192 exactly, as hi·2^128 + lo.
                        let xhi = x.Man >>> (128 - sh)
                        let xlo = x.Man <<< sh
                        // |k|·L, L = ln 2 truncated to 192 bits.
                        let ak = UInt128(0UL, uint64 (abs k))
                        let mutable klo = UInt128.Zero
                        let carry = UInt128.BigMul(ln2Lo, ak, &klo)
                        let khi = ln2Hi * ak + carry
                        let xGe = lt khi xhi || (UInt128.op_Equality (khi, xhi) && not (lt xlo klo))
                        let struct (ahi, alo, bhi, blo) = if xGe then struct (xhi, xlo, khi, klo) else struct (khi, klo, xhi, xlo)
                        let borrow = if lt alo blo then UInt128.One else UInt128.Zero
                        let dlo = alo - blo
                        let dhi = ahi - bhi - borrow
                        if not (lt dhi (UInt128.One <<< 64)) then struct (false, 0, false, UInt128.Zero)
                        else
                            let r = (dhi <<< 62) ||| (dlo >>> 66)
                            struct (not (lt rMax r), k, (if xGe then x.Neg else not x.Neg), r)

    let private slowExp (x: Ball128) = Ball128.ofBall (Elementary.exp Bits (Ball128.toBall x))

    let exp (x: Ball128) =
        if Ball128.Raw.isSlow x || x.Rad > 0.5 then slowExp x
        else
            let struct (ok, k, rneg, r) = reduce x
            if not ok then slowExp x
            else
                let t = fmul r (horner rneg r)
                let e = if rneg then one126 - t else one126 + t
                let lz = int (UInt128.LeadingZeroCount e)
                let pointRad = Ball128.Raw.pow2Up (k - 123)
                let mag = Ball128.Raw.scaleUp (Math.BitIncrement(float (uint64 (e >>> 64)))) (k - 126 + 64)
                let rho = x.Rad
                let spread =
                    if rho = 0.0 then 0.0
                    else Ball128.Raw.mulUp (Ball128.Raw.addUp mag pointRad) (Ball128.Raw.addUp rho (Ball128.Raw.mulUp rho rho))
                Ball128.Raw.make false (e <<< lz) (k - 126 - lz) (Ball128.Raw.addUp pointRad spread) (fun () ->
                    Elementary.exp Bits (Ball128.toBall x))

    let expm1 (x: Ball128) =
        if Ball128.Raw.isSlow x then Ball128.ofBall (Elementary.expm1 Bits x.Slow)
        elif x.Rad <= 0.00000095367431640625 then
            let struct (ok, k, rneg, r) = reduce x
            if ok && k = 0 then
                let p = horner rneg r
                let lz = int (UInt128.LeadingZeroCount p)
                let pBall =
                    Ball128.Raw.make false (p <<< lz) (-126 - lz) (Ball128.Raw.addUp (Ball128.Raw.pow2Up -123) x.Rad) (fun () ->
                        invalidOp "P(r) is near 1")
                Ball128.mul x pBall
            else Ball128.sub (exp x) Ball128.one
        else Ball128.sub (exp x) Ball128.one

    /// A lower bound of |ξ| over the ball (≤ 0 when it contains 0).
    let private lowerMagnitude (x: Ball128) = Ball128.Raw.subDown (Ball128.Raw.magDown x) x.Rad

    let sigmoid (x: Ball128) =
        if Ball128.Raw.isSlow x then Ball128.ofBall (Elementary.sigmoid Bits x.Slow)
        elif not x.Neg then
            if lowerMagnitude x >= 128.0 then Ball128.Raw.withRad Ball128.one (Ball128.Raw.pow2Up -184)
            else Ball128.recip (Ball128.add Ball128.one (exp (Ball128.neg x)))
        else
            let e = exp x
            Ball128.mul e (Ball128.recip (Ball128.add Ball128.one e))

    let private two = Ball128.ofFloat 2.0

    let rec tanh (x: Ball128) =
        if Ball128.Raw.isSlow x then Ball128.ofBall (Elementary.tanh Bits x.Slow)
        elif x.Neg then Ball128.neg (tanh (Ball128.neg x))
        elif lowerMagnitude x >= 64.0 then Ball128.Raw.withRad Ball128.one (Ball128.Raw.pow2Up -183)
        else
            let u = expm1 (Ball128.mulPow2 (Ball128.neg x) 1)
            Ball128.neg (Ball128.mul u (Ball128.recip (Ball128.add two u)))
