/// Theorems about src/Reference/Conversions.fs: rounding to double/float32 in three modes, TooWide instead of a wrong value,
/// decimal and hexadecimal text.
module RnnVerify.Properties.Reference.ConversionTheorems

open System
open System.Globalization
open System.Numerics
open Expecto
open FsCheck
open FsCheck.FSharp
open RnnVerify.Reference
open RnnVerify.Properties.Theorem
open RnnVerify.Properties.Reference.Support

/// A double as C99 hex-float text built from its bit pattern: ±0x<mantissa hex>p<exponent>.
let private hexText (x: float) =
    let m, e = decode x
    (if m.Sign < 0 then "-" else "") + "0x" + BigInteger.Abs(m).ToString("x", CultureInfo.InvariantCulture) + "p" + string e

[<Tests>]
let tests =
    testList "Reference conversions" [
        theorem "toFloat and toFloat32 of an exact double return it (Nearest, Down and Up alike), and the float32 cast of it for Nearest"
            (fun (NormalFloat x) ->
                let b = Ball.ofFloat x
                [ Nearest; Down; Up ] |> List.forall (fun mode -> Conversions.toFloat mode b = Ok x)
                && Conversions.toFloat32 Nearest b = Ok(float32 x))
        theorem "toFloat32 in the directed modes brackets the exact value by adjacent floats"
            (fun (NormalFloat x) ->
                let b = Ball.ofFloat x
                match Conversions.toFloat32 Down b, Conversions.toFloat32 Up b with
                | Ok lo, Ok hi when Single.IsFinite lo && Single.IsFinite hi ->
                    let q = rationalOfFloat x
                    cmpQ (rationalOfFloat (float lo)) q <= 0 && cmpQ q (rationalOfFloat (float hi)) <= 0
                    && (lo = hi || MathF.BitIncrement lo = hi)
                | Ok lo, Ok hi -> abs x > float Single.MaxValue && (Single.IsInfinity lo || Single.IsInfinity hi)
                | r -> failwithf "%A" r)
        theorem "toFloat Nearest of the ball between two adjacent doubles' midpoint ± 2^-1100 is TooWide, never a guess"
            (fun (NormalFloat x) ->
                let x = if x = 0.0 || Double.IsInfinity(Math.BitIncrement x) then 1.0 else x
                let mid = Dyadic.mulPow2 (Dyadic.add (Dyadic.ofFloat x) (Dyadic.ofFloat (Math.BitIncrement x))) -1
                match Conversions.toFloat Nearest (Ball.create mid (Dyadic.pow2 -1100)) with
                | Error(TooWide _) -> true
                | Ok d -> failwithf "rounded the tie-straddling ball to %.17g" d)
        theorem "the double halfway between two adjacent doubles rounds to the even one; one 2^-1100 above it rounds up"
            (fun (NormalFloat x) ->
                let x = if x <= 0.0 || Double.IsInfinity(Math.BitIncrement x) then 1.5 else x
                let y = Math.BitIncrement x
                let mid = Dyadic.mulPow2 (Dyadic.add (Dyadic.ofFloat x) (Dyadic.ofFloat y)) -1
                let even = if (BitConverter.DoubleToInt64Bits x &&& 1L) = 0L then x else y
                Conversions.toFloat Nearest (Ball.exact mid) = Ok even
                && Conversions.toFloat Nearest (Ball.exact (Dyadic.add mid (Dyadic.pow2 -1100))) = Ok y
                && Conversions.toFloat Down (Ball.exact mid) = Ok x
                && Conversions.toFloat Up (Ball.exact mid) = Ok y)
        theorem "printing then parsing gives a ball containing the original (decimal round trip, 1 to 45 digits)"
            (fun (NormalFloat m) (NormalFloat r) (k: byte) (digits: byte) ->
                let b = Ball.create (Dyadic.ofFloat m) (Dyadic.mulPow2 (Dyadic.abs (Dyadic.ofFloat r)) -(int k))
                let text = Conversions.toDecimalString (1 + int digits % 45) b
                match Conversions.parse 128 text with
                | Ok back -> Ball.containsBall back b |> Prop.label (sprintf "%s → \"%s\" → %s" (show b) text (show back))
                | Error e -> failwithf "\"%s\" did not parse: %s" text e)
        theorem "an exact double prints with 17 digits and no radius only when its 17-digit decimal is exact; parsing the text gives it back exactly when the radius is absent"
            (fun (NormalFloat x) ->
                let text = Conversions.toDecimalString 17 (Ball.ofFloat x)
                let back = Conversions.parse 200 text
                match back with
                | Ok b when text.Contains "+/-" -> Ball.contains b (Dyadic.ofFloat x)
                | Ok b -> Ball.isExact b && Dyadic.compare b.Mid (Dyadic.ofFloat x) = 0
                | Error e -> failwithf "%s: %s" text e)
        theorem "hex-float text of a double parses to exactly that double" (fun (NormalFloat x) ->
            match Conversions.parse 53 (hexText x) with
            | Ok b -> Ball.isExact b && Dyadic.compare b.Mid (Dyadic.ofFloat x) = 0
            | Error e -> failwithf "%s: %s" (hexText x) e)
        theorem "a decimal n·10^−k parses to a ball containing it, of relative radius ≤ 2^(1−p) (exact when dyadic)"
            (fun (n: int64) (k: byte) (DoNotSize p: DoNotSize<int>) ->
                let p, k = precisionOf p, int k % 60
                let text = sprintf "%de-%d" n k
                match Conversions.parse p text with
                | Ok b ->
                    let q = BigInteger n, BigInteger.Pow(BigInteger 10, k)
                    let dyadic = (BigInteger n % BigInteger.Pow(BigInteger 5, k)).IsZero
                    ballContainsQ b q && (n = 0L || Ball.relativeRadius b <= Math.Pow(2.0, float (1 - p)))
                    && (not dyadic || Ball.isExact b)
                | Error e -> failwithf "%s: %s" text e)
        test "the documented text forms parse: decimals, m +/- r, ±, hex floats; garbage is an Error naming the text" {
            let value text = match Conversions.parse 128 text with Ok b -> b | Error e -> failtestf "%s: %s" text e
            Expect.isTrue (Ball.isExact (value "-1.25e-3") |> not) "-1.25e-3 is not dyadic"
            Expect.isTrue (Ball.contains (value "0x1.8p+1") (Dyadic.ofInt 3)) "0x1.8p+1 = 3"
            Expect.isTrue (Ball.contains (value "2.5 +/- 0.5") (Dyadic.ofInt 3) && Ball.contains (value "2.5 ± 0.5") (Dyadic.ofInt 2)) "m +/- r"
            Expect.isFalse (Ball.contains (value "2.5 +/- 0.5") (Dyadic.ofFloat 3.0000001)) "m +/- r is not wider than asked"
            for bad in [ "abc"; ""; "1.2.3"; "nan"; "1e99999999"; "1 +/- -1"; "0x" ] do
                match Conversions.parse 128 bad with
                | Error _ -> ()
                | Ok b -> failtestf "\"%s\" parsed as %s" bad (show b)
        }
        test "radii that are exact powers of ten print as themselves and round-trip (0 ± 1000, 5 ± 100, 0.5 ± 10^3·2^-10)" {
            for mid, rad, expected in [ 0.0, 1000.0, "0 +/- 1.00e+3"; 5.0, 100.0, "5.0000e+0 +/- 1.00e+2" ] do
                let b = Ball.create (Dyadic.ofFloat mid) (Dyadic.ofFloat rad)
                let text = Conversions.toDecimalString 5 b
                Expect.equal text expected "printed"
                match Conversions.parse 128 text with
                | Ok back -> Expect.isTrue (Ball.containsBall back b) (sprintf "%s back as %s" text (show back))
                | Error e -> failtest e
            let b = Ball.create (Dyadic.pow2 -1) (Dyadic.mulPow2 (Dyadic.ofInt 1000) -10)
            match Conversions.parse 128 (Conversions.toDecimalString 3 b) with
            | Ok back -> Expect.isTrue (Ball.containsBall back b) (show back)
            | Error e -> failtest e
        }
        test "exact decimals of dyadics: 0.125, -3, 2^-3 as text" {
            Expect.equal (Conversions.dyadicToDecimal (Dyadic.pow2 -3)) "0.125" "2^-3"
            Expect.equal (Conversions.dyadicToDecimal (Dyadic.ofInt -3)) "-3" "-3"
            Expect.equal (Conversions.toDecimalString 5 (Ball.ofFloat 0.125)) "1.2500e-1" "0.125 is exact at 5 digits: no radius"
            Expect.equal (Conversions.toDecimalString 2 (Ball.ofFloat 0.125)) "1.3e-1 +/- 5.00e-3" "0.125 at 2 digits: 0.13 ± 0.005"
        }
    ]
