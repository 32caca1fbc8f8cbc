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
