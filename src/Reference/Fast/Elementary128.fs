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

    /// P(r̃) = Σ_{n≤degree} r̃ⁿ/(n+1)! in fixed point, r̃ = ±R·2^−126.
    let private hornerTo (degree: int) (rneg: bool) (r: UInt128) =
        let mutable p = coeffs[degree]
        for n in degree - 1 .. -1 .. 0 do
            let t = fmul r p
            p <- if rneg then coeffs[n] - t else coeffs[n] + t
        p

    /// P(r̃) to degree 27, for |r̃| ≤ 0.36.
    let private horner (rneg: bool) (r: UInt128) = hornerTo Degree rneg r

    /// m = k·L + r for the step L = lHi·2^−64 + lLo·2^−192 (ln 2 or ln 2/32 truncated to 192 bits) and k = kOf(m as a
    /// double): (ok, k, r negative, |r̃|·2^126). Not ok outside |m| < 2^20 or when |r̃| > rLimit·2^−126.
    let inline private reduceWith ([<InlineIfLambda>] kOf: float -> int) (lHi: UInt128) (lLo: UInt128) (rLimit: UInt128) (x: Ball128) =
        if isZero x.Man then struct (true, 0, false, UInt128.Zero)
        else
            let d = Ball128.approx x
            if not (Math.Abs d < 1048576.0) then struct (false, 0, false, UInt128.Zero)
            else
                let k = kOf d
                if k = 0 then
                    let s = -(x.Exp + 126)
                    if s < 1 then struct (false, 0, false, UInt128.Zero)
                    else
                        let r = if s >= 128 then UInt128.Zero else x.Man >>> s
                        struct (not (lt rLimit r), 0, x.Neg, r)
                else
                    let sh = x.Exp + 192
                    if sh < 1 || sh > 127 || (k < 0) <> x.Neg then struct (false, 0, false, UInt128.Zero)
                    else
                        // |m|·2^192 exactly, as hi·2^128 + lo.
                        let xhi = x.Man >>> (128 - sh)
                        let xlo = x.Man <<< sh
                        // |k|·L, L the step (ln 2 or ln 2/32) truncated to 192 bits (|k| < 2^26, so |k|·L < 2^213).
                        let ak = UInt128(0UL, uint64 (abs k))
                        let mutable klo = UInt128.Zero
                        let carry = UInt128.BigMul(lLo, ak, &klo)
                        let khi = lHi * ak + carry
                        let xGe = lt khi xhi || (UInt128.op_Equality (khi, xhi) && not (lt xlo klo))
                        let struct (ahi, alo, bhi, blo) = if xGe then struct (xhi, xlo, khi, klo) else struct (khi, klo, xhi, xlo)
                        let borrow = if lt alo blo then UInt128.One else UInt128.Zero
                        let dlo = alo - blo
                        let dhi = ahi - bhi - borrow
                        if not (lt dhi (UInt128.One <<< 64)) then struct (false, 0, false, UInt128.Zero)
                        else
                            let r = (dhi <<< 62) ||| (dlo >>> 66)
                            struct (not (lt rLimit r), k, (if xGe then x.Neg else not x.Neg), r)

    /// m = k·ln 2 + r: (ok, k, r negative, |r̃|·2^126). Not ok outside |m| < 2^20 or when |r̃| > 0.36.
    let private reduce (x: Ball128) = reduceWith (fun d -> int (Math.Round(d / Math.Log 2.0))) ln2Hi ln2Lo rMax x

    /// Degree of P for the table-reduced argument |r| ≤ 0.011: the tail Σ_{n≥14} |r|ⁿ/(n+1)! ≤ 0.011^14/15!·1.02 < 2^−131.
    [<Literal>]
    let private ShortDegree = 13

    /// First degree of P evaluated in 128-bit fixed point when |r| ≤ 0.011; the degrees TailStart..ShortDegree are summed in
    /// double (hornerShort).
    [<Literal>]
    let private TailStart = 9

    /// 1/(n+1)! rounded to nearest double, n = TailStart..ShortDegree ((n+1)! ≤ 14! < 2^53 is exact, the quotient is rounded once).
    let private tailCoeffs = Array.init (ShortDegree - TailStart + 1) (fun i -> 1.0 / float (Seq.fold (*) 1L (seq { 1L .. int64 (TailStart + i + 1) })))

    /// P(r̃) = Σ_{n≤13} r̃ⁿ/(n+1)! for |r̃| ≤ 0.011, r̃ = ±R·2^−126. The tail S₉(r̃) = Σ_{n=9}^{13} r̃^(n−9)/(n+1)! is evaluated
    /// in double: r_d = ±float(⌊R/2^64⌋)·2^−62 has |r_d − r̃| ≤ 2^−62 + 2^−53·0.011; four Horner steps with rounded
    /// coefficients give |S̃ − S₉(r_d)| ≤ 12·2^−53·1.01/10! < 3.71·10^−22, and |S₉(r_d) − S₉(r̃)| ≤ |r_d − r̃|·1.01/11! < 4·10^−26.
    /// S̃ ≥ 2^−22 has ulp ≥ 2^−74, so S̃·2^126 is an integer below 2^105, taken exactly. The remaining nine steps are the
    /// 128-bit fixed-point Horner steps of hornerTo (each ≤ 2 units of 2^−126, carried error multiplied by |r̃| ≤ 0.011); the
    /// tail's error (< 3.72·10^−22 = 3.2·10^16 units) reaches P multiplied by |r̃|⁹ ≤ 0.011⁹ < 2.4·10^−18: < 0.08·2^−126. So P's
    /// error is ≤ 2.03·2^−126 + 0.08·2^−126 ≤ 2.11·2^−126 (the 128-bit evaluation's bound was 2.03·2^−126).
    let private hornerShort (rneg: bool) (r: UInt128) =
        let rd0 = Math.ScaleB(float (uint64 (r >>> 64)), -62)
        let rd = if rneg then -rd0 else rd0
        let mutable s = tailCoeffs[ShortDegree - TailStart]
        for i in ShortDegree - TailStart - 1 .. -1 .. 0 do
            s <- tailCoeffs[i] + rd * s
        // S̃·2^126 = m·2^(e−52+126) with m the 53-bit significand, e the unbiased exponent (S̃ is normal, e ≥ −23).
        let bits = BitConverter.DoubleToInt64Bits s
        let m = uint64 (bits &&& ((1L <<< 52) - 1L)) ||| (1UL <<< 52)
        let e = int ((bits >>> 52) &&& 0x7FFL) - 1023
        let mutable p = UInt128(0UL, m) <<< (e - 52 + 126)
        for n in TailStart - 1 .. -1 .. 0 do
            let t = fmul r p
            p <- if rneg then coeffs[n] - t else coeffs[n] + t
        p

    /// ln 2/32 truncated to 192 bits (floor(ln 2·2^187) = floor(floor(ln 2·2^192)/32)), as high part and low 128 bits.
    let private ln2by32Big = ln2Big >>> 5
    let private ln2by32Hi = ofBig (ln2by32Big >>> 128)
    let private ln2by32Lo = ofBig (ln2by32Big &&& ((BigInteger.One <<< 128) - BigInteger.One))

    /// T[j] = floor(2^(j/32)·2^126), j = 0..31, decided from 256-bit enclosures of e^(j·ln 2/32) (both ends must have the same
    /// floor): 0 ≤ 2^(j/32) − T[j]·2^−126 < 2^−126.
    let private pow2Table =
        Array.init 32 (fun j ->
            let b = Elementary.exp 256 (Ball.mulPow2 (Ball.mul 256 (Ball.ofInt j) (Elementary.ln2 256)) -5)
            let floorScaled (d: Dyadic) =
                let s = d.Exponent + 126
                if s >= 0 then d.Mantissa <<< s else d.Mantissa >>> -s
            let lo, hi = floorScaled (Ball.lower b), floorScaled (Ball.upper b)
            if lo <> hi then invalidOp (sprintf "2^(%d/32) enclosure too wide to fix 126 bits" j)
            ofBig lo)

    let pow2Fractions = pow2Table |> Array.map (fun t -> Ball.exact (Dyadic.create (BigInteger.op_Implicit t) -126))

    /// floor(0.011·2^126): the largest reduced argument of the table reduction the error analysis covers (ln 2/64 < 0.01084).
    let private rMax32 = ofBig ((BigInteger 11 <<< 126) / BigInteger 1000)

    /// m = k·(ln 2/32) + r: (ok, k, r negative, |r̃|·2^126). Not ok outside |m| < 2^20 or when |r̃| > 0.011.
    let private reduce32 (x: Ball128) = reduceWith (fun d -> int (Math.Round(d * (32.0 / Math.Log 2.0)))) ln2by32Hi ln2by32Lo rMax32 x

    /// The exp core for m = k·(ln 2/32) + r̃ (reduce32), k = 32q + j: e = 2^(j/32)·P-sum in 126-bit fixed point, with
    /// |e·2^(q−126) − e^m| ≤ 6.3·2^(q−126) (docs/tolerances.md).
    let private expCore (k: int) (rneg: bool) (r: UInt128) =
        let j = k &&& 31
        let t = fmul r (hornerShort rneg r)
        let er = if rneg then one126 - t else one126 + t
        if j = 0 then er else fmul pow2Table[j] er

    /// D̃ = 1 + ⌊e·2^q⌋ in units of 2^−126 (q ≤ 0), the 1 + e^±m of the fused σ branches.
    let private onePlus (q: int) (e: UInt128) = if -q >= 128 then one126 else one126 + (e >>> -q)

    let private slowExp (x: Ball128) = Ball128.ofBall (Elementary.exp Bits (Ball128.toBall x))

    let exp (x: Ball128) =
        if Ball128.Raw.isSlow x || x.Rad > 0.5 then slowExp x
        else
            let struct (ok, k, rneg, r) = reduce32 x
            if not ok then slowExp x
            else
                // e^m = 2^q·2^(j/32)·e^r, k = 32q + j, 0 ≤ j < 32.
                let q = k >>> 5
                let e = expCore k rneg r
                let lz = int (UInt128.LeadingZeroCount e)
                let pointRad = Ball128.Raw.pow2Up (q - 123)
                let mag = Ball128.Raw.scaleUp (Math.BitIncrement(float (uint64 (e >>> 64)))) (q - 126 + 64)
                let rho = x.Rad
                let spread =
                    if rho = 0.0 then 0.0
                    else Ball128.Raw.mulUp (Ball128.Raw.addUp mag pointRad) (Ball128.Raw.addUp rho (Ball128.Raw.mulUp rho rho))
                Ball128.Raw.make false (e <<< lz) (q - 126 - lz) (Ball128.Raw.addUp pointRad spread) (fun () ->
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

    /// 7.31·2^−126 (as a double, > 7.3·2^−126·(1 + 2^−100)): the bound of |D − D̃| below.
    let private dDistance = Math.ScaleB(7.31, -126)

    /// A bound of |1/D − 1/D̃| for D̃ = d·2^−126 ∈ [1, 4) and |D − D̃| ≤ 7.3·2^−126 (so D ≥ D̃(1 − 2^−122)):
    /// |D − D̃|/(D·D̃) ≤ 7.31·2^−126/D̃², with D̃ bounded below by pred(fl(⌊d/2^64⌋))·2^−62 and the square and the quotient
    /// rounded down and up. At most 7.31·2^−126 < 2^−123 (the bound used before), 2.5·2^−126 for D̃ ≥ 1.7.
    let private reciprocalGap (d: UInt128) =
        let dlo = Math.ScaleB(Math.BitDecrement(float (uint64 (d >>> 64))), -62)
        Math.BitIncrement(dDistance / Math.BitDecrement(dlo * dlo))

    /// σ(x) for a fast x with midpoint m ≥ 0 (and not saturated): 1/D̃ with D̃ = 1 + e^−m formed in 126-bit fixed point from the
    /// exp core. With −m = k·(ln 2/32) + r, k = 32q + j ≤ 0 (so q ≤ 0), the core gives e with |e·2^(q−126) − e^−m| ≤
    /// 6.3·2^(q−126); D̃ = 2^126 + ⌊e·2^q⌋ (in units of 2^−126) is within 6.3·2^(q−126) + 2^−126 ≤ 7.3·2^−126 of D = 1 + e^−m,
    /// and D, D̃ ≥ 1, so |1/D − 1/D̃| = |D − D̃|/(D·D̃) ≤ reciprocalGap D̃ < 2^−123. The reciprocal of the exact D̃ is Ball128.recip's enclosure; a radius
    /// ρ of x adds ρ/4 (|σ'| ≤ 1/4). Falls back to the composition 1/(1 + e^−x) when the reduction does not apply.
    let private sigmoidPositive (x: Ball128) =
        let struct (ok, k, rneg, r) = reduce32 (Ball128.neg x)
        if not ok || k > 0 then Ball128.recip (Ball128.add Ball128.one (exp (Ball128.neg x)))
        else
            let q = k >>> 5
            let e = expCore k rneg r
            let d = onePlus q e
            let lz = int (UInt128.LeadingZeroCount d)
            let dBall = Ball128.Raw.make false (d <<< lz) (-126 - lz) 0.0 (fun () -> invalidOp "1 + e^-m is in [1, 4)")
            let y = Ball128.recip dBall
            let spread = if x.Rad = 0.0 then 0.0 else Ball128.Raw.mulUp x.Rad 0.25
            Ball128.Raw.withRad y (Ball128.Raw.addUp (Ball128.Raw.addUp (Ball128.radius y) (reciprocalGap d)) spread)

    /// Radii above this go to the BigInteger functions, which bound the spread by the derivative over the whole ball: the
    /// fast paths compose exp, whose own radius term e^ρ − 1 leaves every supported range for ρ ≥ 2^29 (an identity-gate LSTM
    /// grows such balls within three steps; docs/findings.md).
    let private wideRadius = 0.5

    /// σ(x) for a fast x with midpoint m < 0 and radius ρ ≤ 1/2: e^m·(1/D̃) with the exp core's e (|e·2^(q−126) − e^m| ≤
    /// 6.3·2^(q−126), enclosed as a ball of radius 2^(q−123)) and D̃ = 1 + ⌊e·2^q⌋ (unit 2^−126, q ≤ 0) as in sigmoidPositive:
    /// |1/D − 1/D̃| ≤ reciprocalGap D̃ < 2^−123, so the ball 1/D̃ (Ball128.recip) widened by that contains 1/(1 + e^m), and Ball128.mul of the
    /// two balls contains σ(m). A radius ρ of x adds ρ·max σ' over the ball ≤ ρ·max σ ≤ ρ·σ(m)·e^ρ ≤ ρ(1 + ρ + ρ²)·σ(m)
    /// (σ' = σ(1 − σ) ≤ σ, σ(m + ρ) ≤ e^ρ·σ(m)), with σ(m) bounded by the product's upper end. Falls back to the composition
    /// e^x/(1 + e^x) when the reduction does not apply.
    let private sigmoidNegative (x: Ball128) =
        let composed () =
            let e = exp x
            Ball128.mul e (Ball128.recip (Ball128.add Ball128.one e))
        if x.Rad > 0.5 then composed ()
        else
            let struct (ok, k, rneg, r) = reduce32 x
            if not ok || k > 0 then composed ()
            else
                let q = k >>> 5
                let e = expCore k rneg r
                let d = onePlus q e
                let lzd = int (UInt128.LeadingZeroCount d)
                let dBall = Ball128.Raw.make false (d <<< lzd) (-126 - lzd) 0.0 (fun () -> invalidOp "1 + e^m is in [1, 4)")
                let y = Ball128.recip dBall
                let yBall = Ball128.Raw.withRad y (Ball128.Raw.addUp (Ball128.radius y) (reciprocalGap d))
                let lz = int (UInt128.LeadingZeroCount e)
                let eBall = Ball128.Raw.make false (e <<< lz) (q - 126 - lz) (Ball128.Raw.pow2Up (q - 123)) (fun () -> Elementary.exp Bits (Ball128.toBall (Ball128.Raw.withRad x 0.0)))
                let s = Ball128.mul eBall yBall
                let rho = x.Rad
                if rho = 0.0 then s
                else
                    let factor = Ball128.Raw.mulUp rho (Ball128.Raw.addUp 1.0 (Ball128.Raw.addUp rho (Ball128.Raw.mulUp rho rho)))
                    let spread = Ball128.Raw.mulUp (Ball128.Raw.addUp (Ball128.Raw.magUp s) (Ball128.radius s)) factor
                    Ball128.Raw.withRad s (Ball128.Raw.addUp (Ball128.radius s) spread)

    let sigmoid (x: Ball128) =
        if Ball128.Raw.isSlow x then Ball128.ofBall (Elementary.sigmoid Bits x.Slow)
        elif x.Rad > wideRadius then Ball128.ofBall (Elementary.sigmoid Bits (Ball128.toBall x))
        elif not x.Neg then
            if lowerMagnitude x >= 128.0 then Ball128.Raw.withRad Ball128.one (Ball128.Raw.pow2Up -184)
            else sigmoidPositive x
        else sigmoidNegative x

    let private two = Ball128.ofFloat 2.0

    /// Midpoints from here on take tanh x = 2σ(2x) − 1 (below: −u/(2 + u) with u = expm1(−2x), whose polynomial path
    /// covers |2x| < ln 2/2, i.e. x < 0.17329).
    [<Literal>]
    let private TanhViaSigmoid = 0.1732

    let rec tanh (x: Ball128) =
        if Ball128.Raw.isSlow x then Ball128.ofBall (Elementary.tanh Bits x.Slow)
        elif x.Rad > wideRadius then Ball128.ofBall (Elementary.tanh Bits (Ball128.toBall x))
        elif x.Neg then Ball128.neg (tanh (Ball128.neg x))
        elif lowerMagnitude x >= 64.0 then Ball128.Raw.withRad Ball128.one (Ball128.Raw.pow2Up -183)
        elif Ball128.approx x >= TanhViaSigmoid then
            // tanh x = 2σ(2x) − 1 = 2/(1 + e^−2x) − 1: fewer operations than −u/(2 + u). σ(2x)'s absolute error is
            // ≤ 2^−126 (the reciprocal) + 7.31·2^−126/D̃² (D̃ = 1 + e^−2x, 1.707 at the threshold) + 2^−127; doubled and
            // divided by tanh x that is largest at the threshold: 2·4.01·2^−126/tanh(0.1732) < 2^−120.4 relative.
            Ball128.sub (Ball128.mulPow2 (sigmoidPositive (Ball128.mulPow2 x 1)) 1) Ball128.one
        else
            let u = expm1 (Ball128.mulPow2 (Ball128.neg x) 1)
            Ball128.neg (Ball128.mul u (Ball128.recip (Ball128.add two u)))
