namespace RnnVerify.Reference

open System
open System.Numerics

[<Sealed; AllowNullLiteral(false)>]
type Dyadic internal (m: BigInteger, e: int) =
    member _.Mantissa = m
    member _.Exponent = e

    static member internal Cmp(a: Dyadic, b: Dyadic) =
        let sa, sb = a.Mantissa.Sign, b.Mantissa.Sign
        if sa <> sb then compare sa sb
        elif sa = 0 then 0
        else
            // Align exponents: compare m_a·2^(e_a − e) with m_b·2^(e_b − e), e = min exponent.
            let e0 = min a.Exponent b.Exponent
            BigInteger.Compare(a.Mantissa <<< (a.Exponent - e0), b.Mantissa <<< (b.Exponent - e0))

    override this.Equals(o) =
        match o with
        | :? Dyadic as d -> d.Mantissa = m && d.Exponent = e
        | _ -> false

    override _.GetHashCode() = HashCode.Combine(m, e)

    interface IComparable with
        member this.CompareTo(o) =
            match o with
            | :? Dyadic as d -> Dyadic.Cmp(this, d)
            | _ -> invalidArg "o" "a Dyadic can only be compared with a Dyadic"

module Dyadic =
    let create (mantissa: BigInteger) (exponent: int) =
        let m, e = mantissa, exponent
        if m.IsZero then Dyadic(BigInteger.Zero, 0)
        else
            // Strip trailing zero bits so that the representation is unique.
            let tz = int (BigInteger.TrailingZeroCount m)
            Dyadic(m >>> tz, e + tz)

    let zero = create BigInteger.Zero 0
    let one = create BigInteger.One 0
    let ofBigInt (n: BigInteger) = create n 0
    let ofInt (n: int) = create (BigInteger n) 0

    let ofFloat (x: float) =
        if Double.IsNaN x || Double.IsInfinity x then invalidArg "x" (sprintf "expected a finite double, got %g" x)
        elif x = 0.0 then zero
        else
            let bits = BitConverter.DoubleToInt64Bits x
            let exponentField = int ((bits >>> 52) &&& 0x7FFL)
            let fraction = bits &&& 0xFFFFFFFFFFFFFL
            let m, e =
                if exponentField = 0 then fraction, -1074 // subnormal
                else fraction ||| (1L <<< 52), exponentField - 1075
            create (if x < 0.0 then BigInteger(-m) else BigInteger m) e

    let add (a: Dyadic) (b: Dyadic) =
        if a.Mantissa.IsZero then b
        elif b.Mantissa.IsZero then a
        else
            let e0 = min a.Exponent b.Exponent
            create ((a.Mantissa <<< (a.Exponent - e0)) + (b.Mantissa <<< (b.Exponent - e0))) e0

    let neg (a: Dyadic) = Dyadic(-a.Mantissa, a.Exponent)
    let sub a b = add a (neg b)
    let mul (a: Dyadic) (b: Dyadic) = create (a.Mantissa * b.Mantissa) (a.Exponent + b.Exponent)
    let abs (a: Dyadic) = if a.Mantissa.Sign < 0 then neg a else a
    let mulPow2 (a: Dyadic) k = if a.Mantissa.IsZero then a else Dyadic(a.Mantissa, a.Exponent + k)
    let sign (a: Dyadic) = a.Mantissa.Sign
    let compare a b = Dyadic.Cmp(a, b)
    let bits (a: Dyadic) = if a.Mantissa.IsZero then 0 else int (BigInteger.Abs(a.Mantissa).GetBitLength())

    let magnitude (a: Dyadic) =
        if a.Mantissa.IsZero then invalidArg "a" "magnitude of zero is undefined"
        else a.Exponent + bits a - 1

    /// Rounds |m| to prec bits: the truncated mantissa, the shift, and whether anything nonzero was dropped,
    /// and whether the dropped part is more than, exactly, or less than a half unit.
    let private split prec (a: Dyadic) =
        let n = bits a
        let shift = n - prec
        let mag = BigInteger.Abs a.Mantissa
        let q = mag >>> shift
        let r = mag - (q <<< shift)
        let half = BigInteger.One <<< (shift - 1)
        q, shift, r, BigInteger.Compare(r, half)

    let private roundWith prec (a: Dyadic) (chooseUp: bool -> BigInteger -> BigInteger -> int -> bool) =
        if prec < 1 then invalidArg "prec" (sprintf "precision must be at least 1 bit, got %d" prec)
        if bits a <= prec then a
        else
            let q, shift, r, vsHalf = split prec a
            let negative = a.Mantissa.Sign < 0
            let up = chooseUp negative q r vsHalf
            let q' = if up then q + BigInteger.One else q
            create (if negative then -q' else q') (a.Exponent + shift)

    let roundDown prec a = roundWith prec a (fun negative _ r _ -> negative && not r.IsZero)
    let roundUp prec a = roundWith prec a (fun negative _ r _ -> not negative && not r.IsZero)

    let roundNearest prec a =
        roundWith prec a (fun _ q _ vsHalf -> vsHalf > 0 || (vsHalf = 0 && not q.IsEven))

    let toFloat (a: Dyadic) =
        if a.Mantissa.IsZero then 0.0
        else
            let mag = magnitude a
            if mag > 1023 then (if sign a < 0 then Double.NegativeInfinity else Double.PositiveInfinity)
            else
                // Significant bits available: 53 for normal numbers, fewer in the subnormal range (last bit at 2^-1074).
                let prec = if mag >= -1022 then 53 else mag + 1074 + 1
                if prec <= 0 then
                    // Below half the smallest subnormal, or exactly at it (ties to even → 0), or above → smallest subnormal.
                    let tiny = Double.Epsilon
                    let cmpHalf = Dyadic.Cmp(abs a, create BigInteger.One -1075)
                    let v = if cmpHalf > 0 then tiny else 0.0
                    if sign a < 0 then -v else v
                else
                    let r = roundNearest prec a
                    if bits r > 0 && magnitude r > 1023 then (if sign a < 0 then Double.NegativeInfinity else Double.PositiveInfinity)
                    else
                        // r has at most 53 bits: exact in double via scaling by powers of two.
                        let m = float r.Mantissa
                        Math.ScaleB(m, r.Exponent)

    let toFraction (a: Dyadic) =
        if a.Exponent >= 0 then (a.Mantissa <<< a.Exponent, BigInteger.One)
        else (a.Mantissa, BigInteger.One <<< (-a.Exponent))

    let pow2 k = create BigInteger.One k

    /// Bound of a + b rounded outward (up = true: upper bound). When one summand is below the other by more than prec + 2
    /// binary orders of magnitude it is replaced by one unit in the prec-th bit of the rounded larger one, which it cannot
    /// exceed: |small| < 2^(mag small + 1) ≤ 2^(mag big − prec − 2) < 2^(mag big − prec + 1) ≤ ulp_prec(round big).
    let private addBound prec up (a: Dyadic) (b: Dyadic) =
        let r = if up then roundUp prec else roundDown prec
        if a.Mantissa.IsZero then r b
        elif b.Mantissa.IsZero then r a
        else
            let ma, mb = magnitude a, magnitude b
            if Math.Abs(ma - mb) <= prec + 2 then r (add a b)
            else
                let big, small = if ma > mb then a, b else b, a
                let bigRounded = r big
                let unit = pow2 (magnitude bigRounded - prec + 1)
                if up && sign small > 0 then r (add bigRounded unit)
                elif not up && sign small < 0 then r (sub bigRounded unit)
                else bigRounded

    let addUp prec a b = addBound prec true a b
    let addDown prec a b = addBound prec false a b

    /// a/b as a signed dyadic D = ±(2q + s)·2^t with q ≥ 2^(prec+2) and |a/b| ∈ [2q·2^t, (2q + 2)·2^t), s = 1 iff the
    /// division is inexact (a sticky bit at least four bits below the prec-th bit). Rounding D to prec bits in any mode
    /// therefore gives the correctly rounded quotient. Also returns whether the division was exact and the unit 2^t,
    /// which bounds |a/b − D|.
    let private divSticky prec (a: Dyadic) (b: Dyadic) =
        if b.Mantissa.IsZero then raise (DivideByZeroException "Dyadic division by zero")
        if a.Mantissa.IsZero then zero, true, zero
        else
            let ma, mb = BigInteger.Abs a.Mantissa, BigInteger.Abs b.Mantissa
            let k = max 0 (prec + 3 + int (mb.GetBitLength()) - int (ma.GetBitLength()))
            let mutable r = BigInteger.Zero
            let q = BigInteger.DivRem(ma <<< k, mb, &r)
            let m = (q <<< 1) + (if r.IsZero then BigInteger.Zero else BigInteger.One)
            let negative = a.Mantissa.Sign * b.Mantissa.Sign < 0
            let t = a.Exponent - b.Exponent - k - 1
            create (if negative then -m else m) t, r.IsZero, pow2 t

    let divUp prec a b =
        let d, _, _ = divSticky prec a b
        roundUp prec d

    let divDown prec a b =
        let d, _, _ = divSticky prec a b
        roundDown prec d

    let divNearest prec a b =
        let d, exact, unit = divSticky prec a b
        let q = roundNearest prec d
        let roundingError = abs (sub d q)
        q, (if exact then roundingError else roundUp 30 (add roundingError unit))

    let isqrt (n: BigInteger) =
        if n.Sign < 0 then invalidArg "n" "isqrt of a negative integer"
        elif n.IsZero then n
        else
            // Newton from above: x0 = 2^⌈bits/2⌉ > √n; x ← ⌊(x + ⌊n/x⌋)/2⌋ decreases strictly until x = ⌊√n⌋.
            let mutable x = BigInteger.One <<< int ((n.GetBitLength() + 1L) / 2L)
            let mutable go = true
            while go do
                let y = (x + n / x) >>> 1
                if y >= x then go <- false else x <- y
            x
