namespace RnnVerify.Reference.Fast

open System
open System.Numerics
open RnnVerify.Reference

[<Struct; NoEquality; NoComparison>]
type Ball128 =
    internal
        {
            Neg: bool
            Man: UInt128
            Exp: int
            Rad: float
            Slow: Ball
        }

module Ball128 =
    [<Literal>]
    let private Bits = 128

    /// Largest allowed floor(log2 |midpoint|) on the fast path.
    [<Literal>]
    let private MaxMagnitude = 1000

    let inline private isZero (a: UInt128) = UInt128.op_Equality (a, UInt128.Zero)
    let inline private lt (a: UInt128) (b: UInt128) = UInt128.op_LessThan (a, b)
    let inline private lzc (a: UInt128) = int (UInt128.LeadingZeroCount a)
    let inline private hi64 (a: UInt128) = uint64 (a >>> 64)
    let private topBit = UInt128.One <<< 127
    let private minNormal = 2.2250738585072014E-308

    let private nullBall = Unchecked.defaultof<Ball>
    let inline private isSlow (x: Ball128) = not (obj.ReferenceEquals(x.Slow, null))

    // ---- Radius arithmetic, rounded upward (arguments ≥ 0). ----

    let inline private addUp (a: float) (b: float) =
        let s = a + b
        if s = 0.0 then 0.0 else Math.BitIncrement s

    let inline private mulUp (a: float) (b: float) =
        if a = 0.0 || b = 0.0 then 0.0 else Math.BitIncrement(a * b)

    let inline private divUp (a: float) (b: float) =
        if a = 0.0 then 0.0 else Math.BitIncrement(a / b)

    let inline private mulDown (a: float) (b: float) = Math.Max(0.0, Math.BitDecrement(a * b))
    let inline private subDown (a: float) (b: float) = Math.BitDecrement(a - b)

    /// 2^e as a double, rounded up (smallest positive double below the range, +∞ above).
    let private pow2Up (e: int) =
        if e > 1023 then Double.PositiveInfinity
        elif e >= -1022 then BitConverter.Int64BitsToDouble(int64 (e + 1023) <<< 52)
        elif e < -1074 then Double.Epsilon
        else Math.ScaleB(1.0, e)

    /// d·2^e rounded up (exact while the result stays normal; ScaleB rounds subnormal results, so those are stepped up).
    let private scaleUp (d: float) (e: int) =
        if d = 0.0 then 0.0
        else
            let bits = BitConverter.DoubleToInt64Bits d
            let biased = int (bits >>> 52) &&& 0x7FF
            if biased > 0 && biased + e > 0 && biased + e < 2047 && e > -2100 && e < 2100 then
                BitConverter.Int64BitsToDouble(bits + (int64 e <<< 52))
            elif e < -2200 then Double.Epsilon
            else
                let r = Math.ScaleB(d, max e -2200)
                if r < minNormal then Math.BitIncrement r else r

    let private scaleDown (d: float) (e: int) =
        if e < -2200 then 0.0
        else
            let r = Math.ScaleB(d, e)
            if r < minNormal then Math.Max(0.0, Math.BitDecrement r) else r

    /// |midpoint| ≤ magUp: the top 64 bits h ≥ 2^63 of the mantissa give |m| < (h + 1)·2^64, and succ(fl(h)) ≥ h − 2^10 + 2^11.
    let private magUp (x: Ball128) =
        if isZero x.Man then 0.0 else scaleUp (Math.BitIncrement(float (hi64 x.Man))) (x.Exp + 64)

    /// |midpoint| ≥ magDown: pred(fl(h)) ≤ h.
    let private magDown (x: Ball128) =
        if isZero x.Man then 0.0 else scaleDown (Math.BitDecrement(float (hi64 x.Man))) (x.Exp + 64)

    /// a_h·2^64 times b (a's low half zero) exactly: a_h·b_h·2^128 + a_h·b_l·2^64, as (high, low).
    let inline private mulShort (ah: uint64) (b: UInt128) =
        let mutable l1 = 0UL
        let h1 = Math.BigMul(ah, hi64 b, &l1)
        let mutable l2 = 0UL
        let h2 = Math.BigMul(ah, uint64 b, &l2)
        struct (UInt128(h1, l1) + UInt128(0UL, h2), UInt128(l2, 0UL))

    /// The exact 256-bit product (high, low) of two mantissas; one or two 64×64-bit multiplies when a low half is zero (the
    /// mantissas of doubles), else UInt128.BigMul.
    let inline private mul256 (a: UInt128) (b: UInt128) =
        let aShort, bShort = uint64 a = 0UL, uint64 b = 0UL
        if aShort && bShort then
            let mutable l = 0UL
            let h = Math.BigMul(hi64 a, hi64 b, &l)
            struct (UInt128(h, l), UInt128.Zero)
        elif aShort then mulShort (hi64 a) b
        elif bShort then mulShort (hi64 b) a
        else
            let mutable lo = UInt128.Zero
            let hi = UInt128.BigMul(a, b, &lo)
            struct (hi, lo)

    let private slow (b: Ball) = { Neg = false; Man = UInt128.Zero; Exp = 0; Rad = 0.0; Slow = b }


    /// d rounded up to at most 30 significant bits (the radius format of Ball), d ≥ 0 finite.
    let private radius30 (d: float) =
        let bits = BitConverter.DoubleToInt64Bits d
        let low = bits &&& ((1L <<< 23) - 1L)
        if low = 0L then d else BitConverter.Int64BitsToDouble((bits - low) + (1L <<< 23))

    let toBall (x: Ball128) =
        if isSlow x then x.Slow
        else
            let mid =
                if isZero x.Man then Dyadic.zero
                else
                    // Normalised dyadic: odd mantissa.
                    let tz = int (UInt128.TrailingZeroCount x.Man)
                    let m = x.Man >>> tz
                    let big = if hi64 m = 0UL then BigInteger(uint64 m) else BigInteger.op_Implicit m
                    Dyadic((if x.Neg then -big else big), x.Exp + tz)
            // The radius rounded up to 30 significant bits (the Ball radius format), as an odd mantissa and an exponent.
            let r = radius30 x.Rad
            let rad =
                if r = 0.0 then Dyadic.zero
                else
                    let bits = BitConverter.DoubleToInt64Bits r
                    let field = int ((bits >>> 52) &&& 0x7FFL)
                    let fraction = uint64 (bits &&& 0xFFFFFFFFFFFFFL)
                    let m, e = if field = 0 then fraction, -1074 else (fraction ||| (1UL <<< 52)), field - 1075
                    let tz = BitOperations.TrailingZeroCount m
                    Dyadic(BigInteger(m >>> tz), e + tz)
            Ball(mid, rad)

    let private radUp (d: Dyadic) =
        let r = Dyadic.toFloat (Dyadic.roundUp 53 d)
        if Double.IsFinite r && Dyadic.compare (Dyadic.ofFloat r) d < 0 then Math.BitIncrement r else r

    /// Fast value when in range, else the fallback.
    let inline private fastOr (neg: bool) (man: UInt128) (exp: int) (rad: float) (fallback: unit -> Ball) =
        if Double.IsFinite rad && (isZero man || exp + 127 <= MaxMagnitude) then
            if isZero man then { Neg = false; Man = man; Exp = 0; Rad = rad; Slow = nullBall }
            else { Neg = neg; Man = man; Exp = exp; Rad = rad; Slow = nullBall }
        else slow (fallback ())

    let ofBall (b: Ball) =
        let mid = b.Mid
        let m = BigInteger.Abs mid.Mantissa
        let rad = radUp b.Rad
        if m.IsZero then fastOr false UInt128.Zero 0 rad (fun () -> b)
        else
            let n = int (m.GetBitLength())
            let q, exp, err =
                if n <= Bits then m <<< (Bits - n), mid.Exponent - (Bits - n), 0.0
                else
                    let shift = n - Bits
                    let q = m >>> shift
                    q, mid.Exponent + shift, (if (q <<< shift) = m then 0.0 else pow2Up (mid.Exponent + shift))
            let man: UInt128 = BigInteger.op_Explicit q
            fastOr (mid.Mantissa.Sign < 0) man exp (addUp rad err) (fun () -> b)

    let zero = { Neg = false; Man = UInt128.Zero; Exp = 0; Rad = 0.0; Slow = nullBall }
    let one = { Neg = false; Man = topBit; Exp = -127; Rad = 0.0; Slow = nullBall }

    let ofFloat (d: float) =
        if not (Double.IsFinite d) then invalidArg "d" (sprintf "expected a finite double, got %g" d)
        elif d = 0.0 then zero
        else
            let bits = BitConverter.DoubleToInt64Bits d
            let field = int ((bits >>> 52) &&& 0x7FFL)
            let fraction = uint64 (bits &&& 0xFFFFFFFFFFFFFL)
            let m, e = if field = 0 then fraction, -1074 else (fraction ||| (1UL <<< 52)), field - 1075
            let man = UInt128(0UL, m)
            let lz = lzc man
            { Neg = d < 0.0; Man = man <<< lz; Exp = e - lz; Rad = 0.0; Slow = nullBall }

    let isFast (x: Ball128) = not (isSlow x)

    let approx (x: Ball128) =
        if isSlow x then Conversions.midToFloat x.Slow
        elif isZero x.Man then 0.0
        else
            let v = Math.ScaleB(float (hi64 x.Man), max (x.Exp + 64) -2200)
            if x.Neg then -v else v

    let radius (x: Ball128) = if isSlow x then radUp x.Slow.Rad else x.Rad

    let neg (x: Ball128) =
        if isSlow x then slow (Ball.neg x.Slow)
        elif isZero x.Man then x
        else { x with Neg = not x.Neg }

    let mulPow2 (x: Ball128) (k: int) =
        if isSlow x then slow (Ball.mulPow2 x.Slow k)
        else
            let rad = if x.Rad = 0.0 then 0.0 else scaleUp x.Rad k
            if isZero x.Man then fastOr false x.Man 0 rad (fun () -> Ball.mulPow2 (toBall x) k)
            else fastOr x.Neg x.Man (x.Exp + k) rad (fun () -> Ball.mulPow2 (toBall x) k)

    /// The 256-bit value (hi·2^128 + lo)·2^exp ≠ 0 truncated to a normalised 128-bit mantissa: (man, exp', dropped ≠ 0).
    let inline private round256 (hi: UInt128) (lo: UInt128) (exp: int) =
        if isZero hi then
            let lz = lzc lo
            struct (lo <<< lz, exp - lz, false)
        else
            let lz = lzc hi
            if lz = 0 then struct (hi, exp + 128, not (isZero lo))
            else struct ((hi <<< lz) ||| (lo >>> (128 - lz)), exp + 128 - lz, not (isZero (lo <<< lz)))

    let private addFast (a: Ball128) (b: Ball128) =
        let rad0 = addUp a.Rad b.Rad
        if isZero a.Man then { b with Rad = rad0 }
        elif isZero b.Man then { a with Rad = rad0 }
        else
            let big, small = if a.Exp > b.Exp || (a.Exp = b.Exp && not (lt a.Man b.Man)) then a, b else b, a
            let d = big.Exp - small.Exp
            if d > 128 then
                // |small| < 2^(small.Exp + 128) < 2^(big.Exp): the midpoint stays, the small one goes into the radius.
                fastOr big.Neg big.Man big.Exp (addUp rad0 (magUp small)) (fun () -> Ball.add Bits (toBall a) (toBall b))
            else
                // big·2^128 and small·2^(128 − d) as 256-bit numbers in units of 2^(big.Exp − 128), exactly.
                let bhi = if d = 128 then UInt128.Zero else small.Man >>> d
                let blo = if d = 0 then UInt128.Zero else small.Man <<< (128 - d)
                if big.Neg = small.Neg then
                    let hi = big.Man + bhi
                    if lt hi big.Man then
                        // Carry out of 256 bits: shift right by one, the carry becomes the top bit.
                        let man = (hi >>> 1) ||| topBit
                        let dropped = not (isZero (hi &&& UInt128.One)) || not (isZero blo)
                        let exp = big.Exp + 1
                        fastOr big.Neg man exp (if dropped then addUp rad0 (pow2Up exp) else rad0) (fun () ->
                            Ball.add Bits (toBall a) (toBall b))
                    else
                        let dropped = not (isZero blo)
                        fastOr big.Neg hi big.Exp (if dropped then addUp rad0 (pow2Up big.Exp) else rad0) (fun () ->
                            Ball.add Bits (toBall a) (toBall b))
                else
                    let borrow = if isZero blo then UInt128.Zero else UInt128.One
                    let lo = UInt128.Zero - blo
                    let hi = big.Man - bhi - borrow
                    if isZero hi && isZero lo then { zero with Rad = rad0 }
                    else
                        let struct (man, exp, dropped) = round256 hi lo (big.Exp - 128)
                        fastOr big.Neg man exp (if dropped then addUp rad0 (pow2Up exp) else rad0) (fun () ->
                            Ball.add Bits (toBall a) (toBall b))

    let add (a: Ball128) (b: Ball128) =
        if isSlow a || isSlow b then ofBall (Ball.add Bits (toBall a) (toBall b)) else addFast a b

    let sub (a: Ball128) (b: Ball128) = add a (neg b)

    let mul (a: Ball128) (b: Ball128) =
        if isSlow a || isSlow b then ofBall (Ball.mul Bits (toBall a) (toBall b))
        else
            let rad =
                if a.Rad = 0.0 && b.Rad = 0.0 then 0.0
                else
                    let ma, mb = magUp a, magUp b
                    addUp (addUp (mulUp ma b.Rad) (mulUp mb a.Rad)) (mulUp a.Rad b.Rad)
            if isZero a.Man || isZero b.Man then fastOr false UInt128.Zero 0 rad (fun () -> Ball.mul Bits (toBall a) (toBall b))
            else
                let struct (hi, lo) = mul256 a.Man b.Man
                let struct (man, exp, dropped) = round256 hi lo (a.Exp + b.Exp)
                fastOr (a.Neg <> b.Neg) man exp (if dropped then addUp rad (pow2Up exp) else rad) (fun () ->
                    Ball.mul Bits (toBall a) (toBall b))

    /// residual man (Y·2^64) with two 64×64-bit products: man·Y = A·2^64 + B (A = m_h·Y, B = m_l·Y), so man·Y·2^64 is
    /// (A + ⌊B/2^64⌋)·2^128 + (B mod 2^64)·2^64, with A + ⌊B/2^64⌋ < 2^128.
    let inline private residualShort (man: UInt128) (yh: uint64) =
        let a = Math.BigMul(hi64 man, yh)
        let b = Math.BigMul(uint64 man, yh)
        let hi = a + (b >>> 64)
        let lo = UInt128(uint64 b, 0UL)
        if lt hi topBit then
            let borrow = if isZero lo then UInt128.Zero else UInt128.One
            struct (false, topBit - hi - borrow, UInt128.Zero - lo)
        else
            struct (true, hi - topBit, lo)

    /// 2^−126 rounded up: the bound of |1/d − y| after recip's second Newton step (ε₁² < 2^−202 included).
    let private recipError = Math.BitIncrement(Math.ScaleB(1.0, -126))

    /// 2^115.
    [<Literal>]
    let private Two115 = 4.153837486827862e+34

    /// The largest double below 2^63 (the seed's cap, so its conversion to int64 is exact).
    let private seedCap = Math.BitDecrement 9223372036854775808.0

    /// 1/d for d = man/2^127 ∈ (1, 2) in fixed point, Y ≈ 2^128/d, with |1/d − Y·2^−128| ≤ 2^−126 + 2^−202.
    /// Seed: ⌊mh/2^11⌋ (mh the top 64 bits of man) is within 2^−52 relative of d·2^52 and converts to a double exactly; its
    /// reciprocal is rounded once (2^−53), the cap below 2^63 moves it by ≤ 2^−53, the truncation to an integer ≥ 2^62 by
    /// ≤ 2^−62 and the dropped low half of man by ≤ 2^−63: ε₀ = 1 − d·y₀ has |ε₀| < 2^−50.9.
    /// A Newton step y' = y + ⌊y·|ε|⌋ (sign of ε) with ε = 1 − d·y exact and the product y·|ε| truncated by δ ∈ [0, 2·2^−128)
    /// (|ε| floored to 128 bits, then the product floored) gives 1 − d·y' = ε² ± d·δ: for ε ≥ 0, 1 − d(y + yε − δ) = ε(1 − dy)
    /// + dδ; for ε < 0, 1 − d(y − y|ε| + δ) = ε² − dδ. So |ε₁| ≤ ε₀² + 2^−126 < 2^−101 and |1 − d·y₂| ≤ ε₁² + 2^−126, and
    /// |1/d − y₂| = |1 − d·y₂|/d ≤ 2^−126 + 2^−202 (d ≥ 1). A sum that would reach 2^128 is clamped to 2^128 − 1, which
    /// moves it towards 1/d ≤ 1 − 2^−128 (d > 1). The second step needs ε₁ only to |ε₁| < 2^−64, so its residual is taken
    /// from man·Y₁ mod 2^192.
    let private recipMantissa (man: UInt128) =
        let mh = hi64 man
        // Seed: Y₀/2^64 with Y₀ = 2·⌊min(fl(1/fl(⌊mh/2^11⌋))·2^115, 2^63 − 2^10)⌋; ⌊mh/2^11⌋ ∈ [2^52, 2^53) converts exactly.
        let q = 1.0 / float (int64 (mh >>> 11))
        let seedY = uint64 (int64 (Math.Min(q * Two115, seedCap))) <<< 1
        // Newton step 1: y₁ = y₀ + y₀·(1 − d·y₀) with y₀ = Y₀·2^−64, the residual exact (two 64×64-bit products) and the
        // correction truncated.
        let struct (over, rh, rl) = residualShort man seedY
        let e128 = (rh <<< 1) ||| (rl >>> 127)
        let corr1 =
            let c = Math.BigMul(seedY, hi64 e128)
            let d = Math.BigMul(seedY, uint64 e128)
            c + (d >>> 64)
        let y0 = UInt128(seedY, 0UL)
        let y1 =
            if over then y0 - corr1
            else
                let s = y0 + corr1
                if lt s y0 then UInt128.MaxValue else s
        // Newton step 2. |ε₁| = |1 − d·y₁| < 2^−101, so R = 2^255 − man·Y₁ (units 2^−255) has |R| < 2^154 and is found from
        // man·Y₁ mod 2^192 (three 64×64→128-bit products and one 64-bit one): P = man·Y₁ mod 2^192 < 2^191 means R ≤ 0 and
        // |R| = P; else R = 2^192 − P.
        let yh, yl = hi64 y1, uint64 y1
        let ml = uint64 man
        let p0 = Math.BigMul(ml, yl)
        let p1 = Math.BigMul(ml, yh)
        let p2 = Math.BigMul(mh, yl)
        let mid = UInt128(0UL, hi64 p0) + UInt128(0UL, uint64 p1) + UInt128(0UL, uint64 p2)
        let lo = UInt128(uint64 mid, uint64 p0)
        let top = mh * yh + hi64 p1 + hi64 p2 + hi64 mid
        let over2 = top < 0x8000000000000000UL && not (top = 0UL && isZero lo)
        let struct (aTop, aLo) =
            if over2 || (top = 0UL && isZero lo) then struct (top, lo)
            else struct (~~~top + (if isZero lo then 1UL else 0UL), UInt128.Zero - lo)
        // E = ⌊|ε₁|·2^128⌋ = ⌊|R|/2^127⌋ < 2^27; the correction ⌊Y₁·E/2^128⌋ < 2^64 from two 64×64-bit products.
        let e = (aTop <<< 1) ||| uint64 (aLo >>> 127)
        let corr2 = hi64 (Math.BigMul(yh, e) + (Math.BigMul(yl, e) >>> 64))
        if over2 then y1 - UInt128(0UL, corr2)
        else
            let s = y1 + UInt128(0UL, corr2)
            if lt s y1 then UInt128.MaxValue else s

    let recip (x: Ball128) =
        if isSlow x then ofBall (Ball.div Bits Ball.one (toBall x))
        elif isZero x.Man then ofBall (Ball.div Bits Ball.one (toBall x))
        else
            let spread =
                if x.Rad = 0.0 then 0.0
                else
                    let lower = subDown (magDown x) x.Rad
                    if lower > 0.0 then divUp x.Rad (mulDown (magDown x) lower) else Double.NaN
            if Double.IsNaN spread then ofBall (Ball.div Bits Ball.one (toBall x))
            else
                // d = Man/2^127 ∈ [1, 2); 1/midpoint = (1/d)·2^(−Exp−127).
                let scale = -x.Exp - 127
                if UInt128.op_Equality (x.Man, topBit) then
                    fastOr x.Neg topBit (scale - 127) spread (fun () -> Ball.div Bits Ball.one (toBall x))
                else
                    let y = recipMantissa x.Man
                    let lz = lzc y
                    let rad = addUp (scaleUp recipError scale) spread
                    fastOr x.Neg (y <<< lz) (scale - 128 - lz) rad (fun () -> Ball.div Bits Ball.one (toBall x))

    let div (a: Ball128) (b: Ball128) =
        if isSlow a || isSlow b then ofBall (Ball.div Bits (toBall a) (toBall b)) else mul a (recip b)

    /// The 320-bit two's-complement sum top·2^256 + hi·2^128 + lo in units of 2^maxExp, truncated to 128 bits; the radius
    /// gets truncated·2^maxExp (products truncated at the unit) and the final truncation.
    let private finishDot (top0: int64) (hi0: UInt128) (lo0: UInt128) (maxExp: int) (rad: float) (truncated: int) (fallback: unit -> Ball) =
        let mutable top = top0
        let mutable hi = hi0
        let mutable lo = lo0
        let negative = top < 0L
        if negative then
            // Two's-complement negation of the 320-bit accumulator.
            lo <- UInt128.MaxValue - lo
            hi <- UInt128.MaxValue - hi
            top <- ~~~top
            lo <- lo + UInt128.One
            if isZero lo then
                hi <- hi + UInt128.One
                if isZero hi then top <- top + 1L
        let truncErr = if truncated = 0 then 0.0 else mulUp (float truncated) (pow2Up maxExp)
        let rad = addUp rad truncErr
        if top = 0L && isZero hi && isZero lo then fastOr false UInt128.Zero 0 rad (fun () -> fallback ())
        else
            let struct (hi2, lo2, exp2, dropped0) =
                if top = 0L then struct (hi, lo, maxExp, false)
                else
                    let k = 64 - int (UInt64.LeadingZeroCount(uint64 top))
                    let t = UInt128(0UL, uint64 top)
                    struct ((t <<< (128 - k)) ||| (hi >>> k), (hi <<< (128 - k)) ||| (lo >>> k), maxExp + k,
                            not (isZero (lo <<< (128 - k))))
            let struct (man, exp, dropped) = round256 hi2 lo2 exp2
            let rad = if dropped || dropped0 then addUp rad (pow2Up exp) else rad
            fastOr negative man exp rad (fun () -> fallback ())


    let dot (xs: Ball128[]) (ys: Ball128[]) =
        if xs.Length <> ys.Length then
            invalidArg "ys" (sprintf "ys has length %d, expected the length of xs = %d" ys.Length xs.Length)
        let n = xs.Length
        let fallback () = Ball.dot Bits (Array.map toBall xs) (Array.map toBall ys)
        let mutable anySlow = false
        let mutable radSum = 0.0
        let mutable anyRad = false
        let mutable maxExp = Int32.MinValue
        for i in 0 .. n - 1 do
            let a, b = xs[i], ys[i]
            if isSlow a || isSlow b then anySlow <- true
            elif not anySlow then
                if a.Rad <> 0.0 || b.Rad <> 0.0 then
                    // Rounded to nearest here; bounded once below.
                    anyRad <- true
                    radSum <- radSum + (magUp a * b.Rad + magUp b * a.Rad + a.Rad * b.Rad)
                if not (isZero a.Man || isZero b.Man) then maxExp <- max maxExp (a.Exp + b.Exp)
        // Each term of radSum went through at most n + 3 roundings to nearest of non-negative values, each a factor
        // (1 + δ), |δ| ≤ 2^−53, or (subnormal results) an absolute error ≤ 2^−1075: the exact sum is at most
        // radSum·(1 − 2^−53)^−(n+3) + 3(n + 3)·2^−1075 ≤ radSum·(1 + (n + 4)·2^−52) + (3n + 9)·2^−1074 for n < 2^40.
        let rad =
            if not anyRad then 0.0
            else
                addUp (mulUp radSum (1.0 + float (n + 4) * Math.ScaleB(1.0, -52))) (float (3 * n + 9) * Double.Epsilon)
        if n = 0 then zero
        elif anySlow then ofBall (fallback ())
        elif maxExp = Int32.MinValue then fastOr false UInt128.Zero 0 rad (fun () -> fallback ())
        else
            // Accumulator: top·2^256 + hi·2^128 + lo in two's complement, unit 2^maxExp.
            let mutable lo = UInt128.Zero
            let mutable hi = UInt128.Zero
            let mutable top = 0L
            let mutable truncated = 0
            for i in 0 .. n - 1 do
                let a, b = xs[i], ys[i]
                if not (isZero a.Man || isZero b.Man) then
                    let struct (ph0, pl0) = mul256 a.Man b.Man
                    let mutable pl = pl0
                    let mutable ph = ph0
                    let s = maxExp - (a.Exp + b.Exp)
                    if s > 0 then
                        if s < 128 then
                            if not (isZero (pl <<< (128 - s))) then truncated <- truncated + 1
                            pl <- (pl >>> s) ||| (ph <<< (128 - s))
                            ph <- ph >>> s
                        elif s < 256 then
                            if not (isZero pl) || (s > 128 && not (isZero (ph <<< (256 - s)))) then truncated <- truncated + 1
                            pl <- ph >>> (s - 128)
                            ph <- UInt128.Zero
                        else
                            truncated <- truncated + 1
                            pl <- UInt128.Zero
                            ph <- UInt128.Zero
                    if a.Neg = b.Neg then
                        let lo' = lo + pl
                        let c1 = if lt lo' lo then UInt128.One else UInt128.Zero
                        let hi1 = hi + ph
                        let hi' = hi1 + c1
                        if lt hi1 hi || lt hi' hi1 then top <- top + 1L
                        lo <- lo'
                        hi <- hi'
                    else
                        let b1 = if lt lo pl then UInt128.One else UInt128.Zero
                        let lo' = lo - pl
                        let hi1 = hi - ph
                        let hi' = hi1 - b1
                        if lt hi ph || lt hi1 b1 then top <- top - 1L
                        lo <- lo'
                        hi <- hi'
            finishDot top hi lo maxExp rad truncated fallback

    module internal Raw =
        let isSlow x = isSlow x
        let slow b = slow b
        let make neg man exp rad fallback = fastOr neg man exp rad fallback
        let scaleUp d e = scaleUp d e
        let subDown a b = subDown a b
        let addUp a b = addUp a b
        let mulUp a b = mulUp a b
        let pow2Up e = pow2Up e
        let magUp x = magUp x
        let magDown x = magDown x
        let withRad (x: Ball128) rad = if isSlow x then x else { x with Rad = rad }
        let finishDot top hi lo maxExp rad truncated fallback = finishDot top hi lo maxExp rad truncated fallback
