namespace RnnVerify.Reference

open System
open System.Globalization
open System.Numerics
open System.Text.RegularExpressions

type RoundingError = TooWide of ball: Ball

type RoundingMode =
    | Nearest
    | Down
    | Up

module Conversions =
    // ---- binary formats ----

    /// x rounded in the given mode to a double: nearest is Dyadic.toFloat (correctly rounded); the directed modes step one
    /// ulp from it when it lies on the wrong side of x (exact comparison), which gives the correctly rounded directed value.
    let private roundDouble mode (x: Dyadic) =
        let d = Dyadic.toFloat x
        match mode with
        | Nearest -> d
        | Down ->
            if Double.IsPositiveInfinity d then Double.MaxValue
            elif Double.IsNegativeInfinity d then d
            elif Dyadic.compare (Dyadic.ofFloat d) x > 0 then Math.BitDecrement d
            else d
        | Up ->
            if Double.IsNegativeInfinity d then -Double.MaxValue
            elif Double.IsPositiveInfinity d then d
            elif Dyadic.compare (Dyadic.ofFloat d) x < 0 then Math.BitIncrement d
            else d

    /// The binary32 value nearest to x (ties to even, overflow to ±∞, gradual underflow), rounded directly from the
    /// dyadic (going through double would round twice).
    let private nearestSingle (x: Dyadic) : float32 =
        if Dyadic.sign x = 0 then 0.0f
        else
            let negative = Dyadic.sign x < 0
            let signed (v: float32) = if negative then -v else v
            let mag = Dyadic.magnitude x
            if mag > 127 then signed Single.PositiveInfinity
            else
                // 24 significant bits for normal numbers; in the subnormal range the last bit sits at 2^−149.
                let prec = if mag >= -126 then 24 else mag + 150
                if prec <= 0 then
                    // Below 2^−149: nearest is 2^−149 above half of it (2^−150), else 0 (a tie goes to the even 0).
                    signed (if Dyadic.compare (Dyadic.abs x) (Dyadic.pow2 -150) > 0 then Single.Epsilon else 0.0f)
                else
                    let r = Dyadic.roundNearest prec x
                    if Dyadic.magnitude r > 127 then signed Single.PositiveInfinity
                    else float32 (Math.ScaleB(float r.Mantissa, r.Exponent)) // ≤ 24 bits, in range: exact

    let private roundSingle mode (x: Dyadic) =
        let f = nearestSingle x
        let exactly (v: float32) = Dyadic.ofFloat (float v)
        match mode with
        | Nearest -> f
        | Down ->
            if Single.IsPositiveInfinity f then Single.MaxValue
            elif Single.IsNegativeInfinity f then f
            elif Dyadic.compare (exactly f) x > 0 then MathF.BitDecrement f
            else f
        | Up ->
            if Single.IsNegativeInfinity f then -Single.MaxValue
            elif Single.IsPositiveInfinity f then f
            elif Dyadic.compare (exactly f) x < 0 then MathF.BitIncrement f
            else f

    /// Rounding is monotone, so every point of the ball rounds to the same value iff both endpoints do.
    let private roundBall (round: Dyadic -> 'f) (x: Ball) =
        let lo, hi = round (Ball.lower x), round (Ball.upper x)
        if lo = hi then Ok(round x.Mid) else Error(TooWide x)

    let toFloat mode (x: Ball) = roundBall (roundDouble mode) x
    let toFloat32 mode (x: Ball) = roundBall (roundSingle mode) x
    let midToFloat (x: Ball) = Dyadic.toFloat x.Mid

    // ---- decimal text ----

    let private ten = BigInteger 10
    let private pow10 (k: int) = BigInteger.Pow(ten, k)

    let dyadicToDecimal (d: Dyadic) =
        let sign = if Dyadic.sign d < 0 then "-" else ""
        let m = BigInteger.Abs d.Mantissa
        if d.Exponent >= 0 then sign + (m <<< d.Exponent).ToString(CultureInfo.InvariantCulture)
        else
            // m·2^−k = m·5^k/10^k.
            let k = -d.Exponent
            let digits = (m * BigInteger.Pow(BigInteger 5, k)).ToString(CultureInfo.InvariantCulture).PadLeft(k + 1, '0')
            sign + digits.Substring(0, digits.Length - k) + "." + digits.Substring(digits.Length - k)

    /// A non-negative rational num/den.
    [<Struct>]
    type private Fraction = { Num: BigInteger; Den: BigInteger }

    let private ofDyadicAbs (d: Dyadic) =
        let p, q = Dyadic.toFraction (Dyadic.abs d)
        { Num = p; Den = q }

    let private addFractions (a: Fraction) (b: Fraction) = { Num = a.Num * b.Den + b.Num * a.Den; Den = a.Den * b.Den }

    /// f·10^j as a fraction.
    let private scale10 (f: Fraction) j =
        if j >= 0 then { f with Num = f.Num * pow10 j } else { f with Den = f.Den * pow10 -j }

    /// An estimate of ⌊log10 f⌋ for f > 0 (exact up to ±1; callers correct it).
    let private log10Estimate (f: Fraction) =
        let bits = float (f.Num.GetBitLength() - f.Den.GetBitLength())
        int (Math.Floor(bits * Math.Log10 2.0))

    /// (N, d) with N·10^(d − digits + 1) the nearest (ties away) to f among numbers with `digits` significant digits and
    /// 10^(digits−1) ≤ N < 10^digits, for f > 0.
    let private roundDecimal digits (f: Fraction) =
        let rec attempt d =
            let s = scale10 f (digits - 1 - d)
            let mutable r = BigInteger.Zero
            let q = BigInteger.DivRem(s.Num, s.Den, &r)
            let n = if r * BigInteger 2 >= s.Den then q + BigInteger.One else q
            if n >= pow10 digits then attempt (d + 1)
            elif n < pow10 (digits - 1) then attempt (d - 1)
            else n, d
        attempt (log10Estimate f)

    /// (N, d) with N·10^(d − digits + 1) ≥ f, N < 10^digits: f rounded up to `digits` significant digits, for f > 0.
    let private roundDecimalUp digits (f: Fraction) =
        let rec attempt d =
            let s = scale10 f (digits - 1 - d)
            let mutable r = BigInteger.Zero
            let q = BigInteger.DivRem(s.Num, s.Den, &r)
            let n = if r.IsZero then q else q + BigInteger.One
            if n > pow10 digits || (n = pow10 digits && not r.IsZero) then attempt (d + 1)
            elif n = pow10 digits then pow10 (digits - 1), d + 1 // exactly 10^(d+1) = 10^(digits−1)·10^((d+1) − digits + 1)
            elif n < pow10 (digits - 1) && d > -1000000000 then attempt (d - 1)
            else n, d
        attempt (log10Estimate f)

    /// "d.ddd…e±x" for N with its leading digit at 10^d.
    let private scientific (n: BigInteger) (d: int) =
        let s = n.ToString(CultureInfo.InvariantCulture)
        let body = if s.Length = 1 then s else s.Substring(0, 1) + "." + s.Substring(1)
        body + "e" + (if d >= 0 then "+" else "") + d.ToString(CultureInfo.InvariantCulture)

    let toDecimalString digits (x: Ball) =
        if digits < 1 then invalidArg "digits" (sprintf "digits must be at least 1, got %d" digits)
        let midText, error =
            if Dyadic.sign x.Mid = 0 then "0", { Num = BigInteger.Zero; Den = BigInteger.One }
            else
                let f = ofDyadicAbs x.Mid
                let n, d = roundDecimal digits f
                // |mid − printed| = |f·10^(digits−1−d) − n|·10^(d−digits+1), exactly.
                let s = scale10 f (digits - 1 - d)
                let err = scale10 { Num = BigInteger.Abs(s.Num - n * s.Den); Den = s.Den } (d - digits + 1)
                (if Dyadic.sign x.Mid < 0 then "-" else "") + scientific n d, err
        let total = addFractions (ofDyadicAbs x.Rad) error
        if total.Num.IsZero then midText
        else
            let n, d = roundDecimalUp 3 total
            let s = n.ToString(CultureInfo.InvariantCulture)
            // Scale the digits so the printed radius is n·10^(d − len + 1) with len = digits of n.
            midText + " +/- " + scientific n (d - 3 + s.Length)

    // ---- parsing ----

    let private decimalPattern = Regex(@"^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$", RegexOptions.CultureInvariant)
    let private hexPattern = Regex(@"^([+-])?0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$", RegexOptions.CultureInvariant)

    /// Exponents beyond this are rejected rather than expanded (10^1000000 has 3.3 million bits).
    let private maxDecimalExponent = 1_000_000

    let private parsePoint prec (text: string) : Result<Ball, string> =
        let hex = hexPattern.Match text
        let dec = decimalPattern.Match text
        if hex.Success && (hex.Groups.[2].Value + hex.Groups.[3].Value).Length > 0 then
            let digits = hex.Groups.[2].Value + hex.Groups.[3].Value
            let mantissa = BigInteger.Parse("0" + digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            let expText = if hex.Groups.[4].Value = "" then "0" else hex.Groups.[4].Value
            match Int32.TryParse(expText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) with
            | true, p when abs p < Int32.MaxValue / 2 ->
                let m = if hex.Groups.[1].Value = "-" then -mantissa else mantissa
                Ok(Ball.exact (Dyadic.create m (p - 4 * hex.Groups.[3].Value.Length)))
            | _ -> Error(sprintf "hex float exponent out of range in \"%s\"" text)
        elif dec.Success && (dec.Groups.[2].Value + dec.Groups.[3].Value).Length > 0 then
            let digits = dec.Groups.[2].Value + dec.Groups.[3].Value
            let n = BigInteger.Parse(digits, CultureInfo.InvariantCulture)
            let n = if dec.Groups.[1].Value = "-" then -n else n
            match Int32.TryParse((if dec.Groups.[4].Value = "" then "0" else dec.Groups.[4].Value), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) with
            | true, e when abs e <= maxDecimalExponent ->
                let k = e - dec.Groups.[3].Value.Length
                if k >= 0 then Ok(Ball.ofBigInt (n * pow10 k))
                else
                    // n·10^k = (n/5^−k)·2^k: exact when 5^−k divides n, else the correctly rounded quotient ± its error.
                    let five = BigInteger.Pow(BigInteger 5, -k)
                    let mutable r = BigInteger.Zero
                    let q = BigInteger.DivRem(n, five, &r)
                    if r.IsZero then Ok(Ball.exact (Dyadic.create q k))
                    else Ok(Ball.mulPow2 (Ball.div prec (Ball.ofBigInt n) (Ball.ofBigInt five)) k)
            | _ -> Error(sprintf "decimal exponent out of range (|e| ≤ %d) in \"%s\"" maxDecimalExponent text)
        else Error(sprintf "not a decimal or hexadecimal number: \"%s\"" text)

    let parse prec (text: string) =
        if isNull text then Error "no text (null)"
        else
            let parts = text.Split([| "+/-"; "±" |], StringSplitOptions.None)
            match parts with
            | [| m |] -> parsePoint prec (m.Trim())
            | [| m; r |] ->
                match parsePoint prec (m.Trim()), parsePoint prec (r.Trim()) with
                | Ok mid, Ok rad when Dyadic.sign (Ball.lower rad) >= 0 -> Ok(Ball.inflate mid (Ball.magUpper rad))
                | Ok _, Ok _ -> Error(sprintf "negative radius in \"%s\"" text)
                | Error e, _
                | _, Error e -> Error e
            | _ -> Error(sprintf "more than one \"+/-\" in \"%s\"" text)
