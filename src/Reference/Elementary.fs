namespace RnnVerify.Reference

open System
open System.Numerics

module Elementary =
    /// Significant bits of error bounds (they are rounded up to this many bits).
    let private radBits = 30
    let private upR d = Dyadic.roundUp radBits d
    let private mulUp a b = upR (Dyadic.mul a b)
    let private two = Ball.ofInt 2

    let private checkPrec name prec =
        if prec < 2 then
            invalidArg "prec" (sprintf "%s needs a precision of at least 2 bits (Precision.exact is only for + − ×), got %d" name prec)

    let private bitLength (n: int) = 32 - BitOperations.LeadingZeroCount(uint32 (Math.Abs n))

    /// Working precision: prec plus the bits lost in extra (e.g. squarings) plus 2·bitlength(prec) + 10 guard bits (as Arb).
    let private working prec extra = prec + extra + 2 * bitLength prec + 10

    /// Argument reduction depth for exp/expm1: the argument is scaled below 2^−q, then the result squared (doubled) q times.
    let private reductionBits prec = max 4 (int (Math.Sqrt(float prec)) / 2 + 2)

    /// Upper bound of S^n (S ≥ 0), rounded up at every step.
    let private powUp (s: Dyadic) n =
        let mutable p = Dyadic.one
        for _ in 1..n do
            p <- mulUp p s
        p

    let private factorial n =
        let mutable f = BigInteger.One
        for k in 2..n do
            f <- f * BigInteger k
        f

    // ---- fixed-point series ----
    // A series is summed on integers X standing for X·2^−wp. Products are floored (>>> wp) and quotients by integers truncated:
    // each such step errs by less than one unit 2^−wp (an "ulp"). The error bounds below count ulps.

    /// ⌊d·2^wp⌋ (BigInteger >>> floors).
    let private toFixed wp (d: Dyadic) =
        let sh = d.Exponent + wp
        if sh >= 0 then d.Mantissa <<< sh else d.Mantissa >>> -sh

    /// The ball (x ± ulps)·2^−wp.
    let private ofFixed wp (x: BigInteger) (ulps: int) = Ball.create (Dyadic.create x -wp) (Dyadic.create (BigInteger ulps) -wp)

    /// Number of terms N ≥ minTerms with N·log2S − log2(N!) + 1 ≤ target (a floating-point estimate: it only chooses N; the
    /// tail bound added is computed rigorously afterwards). log2S ≥ log2 S, S ≤ 1.
    let private termsFor minTerms log2S target =
        let mutable n = 1
        let mutable log2Fact = 0.0
        while n < minTerms || float n * log2S - log2Fact + 1.0 > float target do
            n <- n + 1
            log2Fact <- log2Fact + Math.Log2(float n)
        n

    /// An upper bound of 2·S^N/N!.
    let private expTail (bigS: Dyadic) n =
        Dyadic.divUp radBits (Dyadic.mulPow2 (powUp bigS n) 1) (Dyadic.ofBigInt (factorial n))

    /// The series Σ_{k≥0} s^k·shift!/(k + shift)! — shift = 0: e^s; shift = 1: (e^s − 1)/s — for s = x·2^−wp with |s| ≤ 1/2,
    /// as a ball containing it: N terms t_k = t_{k−1}·s/(k + shift) plus error and tail bounds.
    /// Terms t_k = ⌊⌊t_{k−1}·x/2^wp⌋/(k + shift)⌉ err by e_k ≤ (e_{k−1}·|s| + 1)/(k + shift) + 1 ≤ e_{k−1}/2 + 2, so e_k ≤ 4 ulps
    /// (e_0 = 0), and the partial sum by at most 4N ulps. The tail Σ_{k≥N} |s|^k/(k+shift)! ≤ S^N/N!·Σ_j (S/(N+1))^j ≤ 2·S^N/N!
    /// for S ≤ (N+1)/2, with S ≥ |s|.
    let private taylorFixed wp (x: BigInteger) shift target =
        let bigS = Dyadic.roundUp radBits (Dyadic.abs (Dyadic.create x -wp))
        let log2S = if Dyadic.sign bigS = 0 then -1.0e9 else float (Dyadic.magnitude bigS + 1)
        let n = termsFor 2 log2S target
        let mutable t = BigInteger.One <<< wp
        let mutable sum = t
        for k in 1 .. n - 1 do
            t <- BigInteger.Divide((t * x) >>> wp, BigInteger(k + shift))
            sum <- sum + t
        Ball.inflate (ofFixed wp sum (4 * n)) (expTail bigS n)

    // ---- ln 2 ----

    /// ln 2 = 2·atanh(1/3) = Σ_{k≥0} 2/((2k+1)·3^(2k+1)), evaluated at wp with N terms. The tail is at most
    /// 2/((2N+1)·3^(2N+1))·1/(1 − 1/9) = 3/(4(2N+1))·9^−N ≤ 9^−N ≤ 2^−3N.
    let private computeLn2 wp =
        let n = (wp + 4) / 3 + 1
        let nine = Ball.ofInt 9
        let mutable power = Ball.div wp Ball.one (Ball.ofInt 3) // 3^−(2k+1)
        let mutable sum = Ball.zero
        for k in 0 .. n - 1 do
            sum <- Ball.add wp sum (Ball.div wp (Ball.mulPow2 power 1) (Ball.ofInt (2 * k + 1)))
            power <- Ball.div wp power nine
        Ball.inflate sum (Dyadic.pow2 (-3 * n))

    let private ln2Gate = obj ()
    let mutable private ln2Cache = (0, Ball.zero)

    let ln2 prec =
        checkPrec "ln2" prec
        lock ln2Gate (fun () ->
            let cachedPrec, cached = ln2Cache
            if cachedPrec >= prec then Ball.round prec cached
            else
                let p = max prec (2 * cachedPrec) + 32
                let value = Ball.round p (computeLn2 (p + 16))
                ln2Cache <- (p, value)
                Ball.round prec value)

    // ---- exp, expm1 ----

    /// Arguments with |x| ≥ 2^29 leave the exponent range of the reduction (n = round(x/ln 2) must fit an int).
    let private expLimitBits = 29

    /// exp of an exact dyadic at precision prec: x = n·ln 2 + t (|t| ≲ 0.35), s = t·2^−r (|s| ≤ 2^−q), Taylor series of
    /// exp(s) with tail bound, r squarings, times 2^n.
    let rec private expExact prec (m: Dyadic) : Ball =
        if Dyadic.sign m = 0 then Ball.one
        elif Dyadic.magnitude m >= expLimitBits then
            if Dyadic.sign m < 0 then
                // exp(m) < e^(−2^29) < 2^(−2^29).
                Ball.create Dyadic.zero (Dyadic.pow2 (-(1 <<< expLimitBits)))
            else
                raise (OverflowException(sprintf "exp: argument %g ≥ 2^%d is beyond the supported range" (Dyadic.toFloat m) expLimitBits))
        else
            let q = reductionBits prec
            let wp = working prec (q + 2)
            // Any integer n gives a correct reduction; this one makes |t| ≤ ln 2/2 up to the double rounding of m/ln 2.
            let n = int (Math.Round(Dyadic.toFloat m / 0.6931471805599453))
            let t =
                if n = 0 then Ball.exact m
                else
                    let l = ln2 (wp + bitLength n + 4)
                    Ball.round wp (Ball.sub Precision.exact (Ball.exact m) (Ball.mul Precision.exact l (Ball.ofInt n)))
            let r = max 0 (Dyadic.magnitude (Ball.magUpper t) + 1 + q)
            let s = Ball.mulPow2 t -r
            // Series at s' = ⌊s_mid·2^wp⌋·2^−wp ≤ s_mid; every point of s lies within ρ = r_s + (s_mid − s') of s', and
            // |e^σ − e^{s'}| ≤ e^{s'}·(e^ρ − 1) there.
            let x = toFixed wp s.Mid
            let rho = Dyadic.addUp radBits s.Rad (Dyadic.sub s.Mid (Dyadic.create x -wp))
            let y0 = taylorFixed wp x 0 (-(wp + 2))
            let mutable y = Ball.inflate y0 (mulUp (Ball.magUpper y0) (expm1Up rho))
            for _ in 1..r do
                y <- Ball.mul wp y y
            Ball.round prec (Ball.mulPow2 y n)

    /// Upper bound of e^r − 1 for r ≥ 0: r·(1 + r) when r ≤ 1/2 (the series Σ_{k≥2} r^(k−2)/k! ≤ 1 there), else from exp.
    and private expm1Up (r: Dyadic) =
        if Dyadic.compare r (Dyadic.pow2 -1) <= 0 then mulUp r (Dyadic.addUp radBits Dyadic.one r)
        else Dyadic.addUp radBits (Ball.upper (expExact 32 r)) (Dyadic.neg Dyadic.one)

    /// e^m − 1 for an exact dyadic 0 < |m| < 1 with small relative error: s = m·2^−r, u = Σ_{k≥1} s^k/k! (tail bound relative
    /// to |s|), then r times u ← u·(u + 2) (e^{2s} − 1 = (e^s − 1)(e^s + 1)), which at most doubles the relative error per step.
    let private expm1Small prec (m: Dyadic) =
        let q = reductionBits prec
        let wp = working prec (q + 2)
        let r = max 0 (Dyadic.magnitude m + 1 + q)
        let s = Dyadic.mulPow2 m -r
        // e^s − 1 = s·g(s), g(s) = Σ s^k/(k+1)! ≈ 1: g needs only absolute accuracy. It is summed at s' = ⌊s·2^wp⌋·2^−wp;
        // 0 ≤ g' ≤ 1 on |σ| ≤ 1/2, so |g(s) − g(s')| ≤ s − s' < 1 ulp.
        let g = Ball.inflate (taylorFixed wp (toFixed wp s) 1 (-(wp + 2))) (Dyadic.pow2 -wp)
        let mutable u = Ball.mul wp (Ball.exact s) g
        for _ in 1..r do
            u <- Ball.mul wp u (Ball.add wp u two)
        Ball.round prec u

    let private expm1Exact prec (m: Dyadic) =
        if Dyadic.sign m = 0 then Ball.zero
        elif Dyadic.magnitude m < 0 then expm1Small prec m
        else Ball.round prec (Ball.sub (prec + 4) (expExact (prec + 4) m) Ball.one) // |e^m − 1| ≥ 1 − 1/e: no cancellation

    /// f evaluated at the midpoint, widened by radius·(derivative bound) when the argument is not exact.
    let private propagate (x: Ball) (atMid: Dyadic -> Ball) (extra: Ball -> Dyadic) =
        let y = atMid x.Mid
        if Ball.isExact x then y else Ball.inflate y (extra y)

    let exp prec (x: Ball) =
        checkPrec "exp" prec
        // |e^ξ − e^m| = e^m·|e^(ξ−m) − 1| ≤ e^m·(e^r − 1) for |ξ − m| ≤ r.
        propagate x (expExact prec) (fun y -> mulUp (Ball.magUpper y) (expm1Up x.Rad))

    let expm1 prec (x: Ball) =
        checkPrec "expm1" prec
        propagate x (expm1Exact prec) (fun _ -> mulUp (Ball.magUpper (expExact 32 x.Mid)) (expm1Up x.Rad))

    // ---- tanh, sigmoid ----

    let private tanhExact prec (m: Dyadic) =
        if Dyadic.sign m = 0 then Ball.zero
        else
            let a = Dyadic.abs m
            let wp = prec + 10
            let t =
                if Dyadic.magnitude a < 0 then
                    // a < 1: tanh a = (e^{2a} − 1)/(e^{2a} + 1) with e^{2a} − 1 from expm1: small relative error for tiny a.
                    let u = expm1Exact wp (Dyadic.mulPow2 a 1)
                    Ball.div wp u (Ball.add wp u two)
                else
                    // a ≥ 1: tanh a = 1 − 2e^{−2a}/(1 + e^{−2a}) ∈ [0.76, 1): no cancellation, no overflow.
                    let e = expExact wp (Dyadic.neg (Dyadic.mulPow2 a 1))
                    Ball.sub wp Ball.one (Ball.div wp (Ball.mulPow2 e 1) (Ball.add wp Ball.one e))
            Ball.round prec (if Dyadic.sign m < 0 then Ball.neg t else t)

    /// Upper bound of e^(−a) for a ≥ 0.
    let private expNegUp (a: Dyadic) =
        if Dyadic.sign a = 0 then Dyadic.one else upR (Ball.upper (expExact 32 (Dyadic.neg a)))

    let tanh prec (x: Ball) =
        checkPrec "tanh" prec
        // tanh'(ξ) = sech² ξ ≤ min(1, 4e^{−2|ξ|}), decreasing in |ξ|: bounded by its value at the smallest |ξ| in x.
        propagate x (tanhExact prec) (fun _ ->
            let aMin = Ball.magLower x
            let d = mulUp (Dyadic.ofInt 4) (expNegUp (Dyadic.mulPow2 aMin 1))
            mulUp x.Rad (if Dyadic.compare d Dyadic.one < 0 then d else Dyadic.one))

    let private sigmoidExact prec (m: Dyadic) =
        let wp = prec + 10
        let y =
            if Dyadic.sign m >= 0 then Ball.div wp Ball.one (Ball.add wp Ball.one (expExact wp (Dyadic.neg m)))
            else
                // σ(m) = e^m/(1 + e^m): small relative error even where σ(m) ≈ e^m is tiny.
                let e = expExact wp m
                Ball.div wp e (Ball.add wp Ball.one e)
        Ball.round prec y

    let sigmoid prec (x: Ball) =
        checkPrec "sigmoid" prec
        // σ'(ξ) = σ(ξ)σ(−ξ) = e^{−|ξ|}/(1 + e^{−|ξ|})² ≤ min(1/4, e^{−|ξ|}).
        propagate x (sigmoidExact prec) (fun _ ->
            let d = expNegUp (Ball.magLower x)
            let quarter = Dyadic.pow2 -2
            mulUp x.Rad (if Dyadic.compare d quarter < 0 then d else quarter))

    // ---- sqrt ----

    /// √m for an exact m ≥ 0: ⌊√(M·2^s)⌋ with M·2^s of at least 2·prec + 4 bits and E − s even, so
    /// √m ∈ [q, q + 1]·2^((E−s)/2), exact when q² = M·2^s.
    let private sqrtExact prec (m: Dyadic) =
        if Dyadic.sign m = 0 then Ball.zero
        else
            let mant, e = m.Mantissa, m.Exponent
            let s0 = max 0 (2 * prec + 4 - Dyadic.bits m)
            let s = if ((e - s0) &&& 1) <> 0 then s0 + 1 else s0
            let n = mant <<< s
            let q = Dyadic.isqrt n
            let h = (e - s) / 2
            if q * q = n then Ball.exact (Dyadic.create q h)
            else Ball.round prec (Ball.create (Dyadic.create (BigInteger 2 * q + BigInteger.One) (h - 1)) (Dyadic.pow2 (h - 1)))

    let sqrt prec (x: Ball) =
        checkPrec "sqrt" prec
        if Dyadic.sign (Ball.lower x) < 0 then invalidArg "x" (sprintf "sqrt of a ball with negative points: %O" x)
        // |√ξ − √m| = |ξ − m|/(√ξ + √m) ≤ min(r/√m, √r).
        propagate x (sqrtExact prec) (fun y ->
            let viaRoot = upR (Ball.upper (sqrtExact 32 x.Rad))
            let lowRoot = Dyadic.roundDown radBits (Ball.lower y)
            if Dyadic.sign lowRoot > 0 then
                let viaDerivative = Dyadic.divUp radBits x.Rad lowRoot
                if Dyadic.compare viaDerivative viaRoot < 0 then viaDerivative else viaRoot
            else viaRoot)

    // ---- log ----

    /// log m for an exact m > 0: m = 2^e·f with f ∈ [3/4, 3/2), log m = e·ln 2 + 2·atanh z, z = (f − 1)/(f + 1) ∈ [−1/7, 1/5];
    /// atanh z = Σ z^(2k+1)/(2k+1) with tail after N terms ≤ Z^(2N+1)/((2N+1)(1 − Z²)) ≤ 2·Z^(2N+1)/(2N+1) (Z ≥ |z|, Z² ≤ 1/2).
    let private logExact prec (m: Dyadic) =
        if Dyadic.compare m Dyadic.one = 0 then Ball.zero
        else
            let e0 = Dyadic.magnitude m
            let f0 = Dyadic.mulPow2 m -e0
            let e, f =
                if Dyadic.compare f0 (Dyadic.create (BigInteger 3) -1) >= 0 then e0 + 1, Dyadic.mulPow2 f0 -1 else e0, f0
            let wp = prec + 10 + bitLength e
            let atanhPart =
                if Dyadic.compare f Dyadic.one = 0 then Ball.zero
                else
                    let z = Ball.div wp (Ball.exact (Dyadic.sub f Dyadic.one)) (Ball.exact (Dyadic.add f Dyadic.one))
                    // atanh ζ = ζ·h(ζ²), h(w) = Σ_{k≥0} w^k/(2k+1) ≈ 1, summed in fixed point at w' = ⌊z_mid²·2^wp⌋·2^−wp.
                    // Powers p_k = ⌊p_{k−1}·W/2^wp⌋ err by ≤ e_{k−1}·w + 1 ≤ 2 ulps (w ≤ 1/2), terms ⌊p_k/(2k+1)⌋ by ≤ 3 ulps,
                    // the sum by ≤ 3N. 0 ≤ h' ≤ (1/2)/(1 − w)² ≤ 1 for w ≤ 1/4, so |h(w) − h(w')| ≤ 1 ulp.
                    // Tail: Σ_{k≥N} w^k/(2k+1) ≤ w^N/((2N+1)(1 − w)) ≤ 2·W^N/(2N+1) with W ≥ w.
                    let zMid = z.Mid
                    let w = Dyadic.mul zMid zMid
                    let wFixed = toFixed wp w
                    let bigW = Dyadic.roundUp radBits w
                    let log2W = float (Dyadic.magnitude bigW + 1)
                    let target = float (-(wp + 2))
                    let mutable n = 1
                    while float n * log2W - Math.Log2(float (2 * n + 1)) + 1.0 > target do
                        n <- n + 1
                    let mutable power = BigInteger.One <<< wp
                    let mutable sum = power
                    for k in 1 .. n - 1 do
                        power <- (power * wFixed) >>> wp
                        sum <- sum + BigInteger.Divide(power, BigInteger(2 * k + 1))
                    let tail = Dyadic.divUp radBits (Dyadic.mulPow2 (powUp bigW n) 1) (Dyadic.ofInt (2 * n + 1))
                    let h = Ball.inflate (ofFixed wp sum (3 * n + 1)) tail
                    // |atanh ζ − atanh z_mid| ≤ r_z/(1 − Z²) ≤ 2·r_z for ζ in z (Z ≤ 1/5 + r_z).
                    let atanhZ = Ball.inflate (Ball.mul wp (Ball.exact zMid) h) (Dyadic.mulPow2 z.Rad 1)
                    Ball.mulPow2 atanhZ 1
            let y =
                if e = 0 then atanhPart
                else Ball.add wp atanhPart (Ball.mul wp (Ball.ofInt e) (ln2 (wp + bitLength e)))
            Ball.round prec y

    let log prec (x: Ball) =
        checkPrec "log" prec
        let lo = Ball.lower x
        if Dyadic.sign lo <= 0 then invalidArg "x" (sprintf "log of a ball with non-positive points: %O" x)
        // |log ξ − log m| ≤ |ξ − m|/min(ξ, m) ≤ r/(m − r).
        propagate x (logExact prec) (fun _ -> Dyadic.divUp radBits x.Rad (Dyadic.roundDown radBits lo))
