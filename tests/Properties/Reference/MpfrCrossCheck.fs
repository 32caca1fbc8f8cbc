/// Cross-check of src/Reference/Elementary.fs and Conversions.toFloat against MPFR, an independent correctly rounded library.
/// For random doubles x and precisions p in 53..1024: MPFR's f(x) at p + 64 bits, widened by its own half ulp (a proven
/// enclosure, since MPFR rounds correctly), must meet the reference ball f_p(x); that ball must be narrow (radius ≤
/// 2^(2 − p)·|f(x)|, see docs/tolerances.md); and when the reference rounds the ball to a double (toFloat Nearest = Ok d),
/// d must equal MPFR's correctly rounded double. The interval comparison is done in exact BigInteger arithmetic (Mpfr.Exact),
/// not with the reference's own Ball.overlaps.
module RnnVerify.Properties.Reference.MpfrCrossCheck

open System
open System.Numerics
open Expecto
open FsCheck.FSharp
open RnnVerify.Reference
open RnnVerify.Properties.Theorem
open RnnVerify.Properties.Reference.Mpfr

/// MPFR works this many bits above the reference precision, so its enclosure is 2^−64 times narrower than the reference's
/// and the intersection test is, in effect, "the reference ball contains f(x)".
[<Literal>]
let GuardBits = 64

/// The reference radius may be at most 2^WidthSlackBits units of 2^−p relative to |f(x)| (Elementary.fsi promises "a few
/// units of 2^−prec": four). Without a width bound a huge ball would pass the intersection test.
[<Literal>]
let WidthSlackBits = 2

/// From this precision on the reference must decide the rounding to double (toFloat Nearest = Ok), after retrying at
/// doubled precisions up to MaxZivBits: a ball of relative radius ≤ 2^(2 − 128) = 2^−126 straddles a binary64 rounding
/// boundary only if f(x) lies within 2^−126 relative of the midpoint between two doubles. For generic arguments that has
/// probability about 2^−73 per case, but not for small ones: σ(x) = ½ + x/4 − x³/48 + … lies within x³/48 of a midpoint
/// whenever x/4 is an odd multiple of 2^−54 (x = 1.5765166949677223e-14 did: docs/findings.md), hence the retries.
[<Literal>]
let DecidedFromBits = 128

/// The largest precision an undecided rounding is retried at (as the reference engine's escalation).
[<Literal>]
let MaxZivBits = 4096

/// Cases per function: 2,000 (not the default 1,000) so that the five functions together check 10,000 random arguments.
[<Literal>]
let CasesPerFunction = 2000

/// One cross-check case: an argument and a reference precision.
type Case = { X: float; Precision: int }

let private ofDyadic (d: Dyadic) = Exact.create d.Mantissa (int64 d.Exponent)

let private showFloat (x: float) =
    sprintf "%s (%.17g, bits 0x%016X)" (x.ToString "R") x (BitConverter.DoubleToInt64Bits x)

/// Checks one case; `mpfr q x` gives MPFR's enclosure of f(x) at q bits and its correctly rounded double when known;
/// `zeroAt x` says that f(x) = 0 exactly (no relative width, and the sign of rounding is not forced).
let private check
    (name: string)
    (reference: int -> Ball -> Ball)
    (mpfr: int -> float -> Enclosure * float option)
    (zeroAt: float -> bool)
    (case: Case)
    =
    let p, x = case.Precision, case.X
    let ball = reference p (Ball.ofFloat x)
    let mid, rad = ofDyadic ball.Mid, ofDyadic ball.Rad
    let lo, hi = Exact.sub mid rad, Exact.add mid rad
    let enclosure, rounded = mpfr (p + GuardBits) x

    let where () =
        sprintf
            "%s(x) for x = %s at p = %d bits\n  reference: mid %s\n             rad %s\n  MPFR (%d bits): [%s,\n                  %s]"
            name
            (showFloat x)
            p
            (Exact.show mid)
            (Exact.show rad)
            (p + GuardBits)
            (Exact.show enclosure.Lo)
            (Exact.show enclosure.Hi)

    if rad.M.Sign < 0 then failtestf "negative radius: %s" (where ())

    if Exact.compare lo enclosure.Hi > 0 || Exact.compare enclosure.Lo hi > 0 then
        failtestf "the reference ball misses MPFR's enclosure of the exact value: %s" (where ())

    if not (zeroAt x) then
        // |f(x)| ≥ min(|lo|, |hi|) of MPFR's enclosure (both ends have the sign of f(x) ≠ 0 at these precisions).
        let least =
            if Exact.compare (Exact.abs enclosure.Lo) (Exact.abs enclosure.Hi) < 0 then Exact.abs enclosure.Lo
            else Exact.abs enclosure.Hi
        let bound = Exact.mulPow2 least (int64 (WidthSlackBits - p))
        if Exact.compare rad bound > 0 then
            failtestf "the reference ball is wider than 2^(%d - p)·|f(x)|: %s" WidthSlackBits (where ())

    // Near a rounding midpoint no fixed precision decides (the table maker's dilemma): small arguments make σ(x) = ½ + x/4
    // − x³/48 + … land within x³/48 of a binary64 midpoint whenever x/4 is an odd multiple of 2^−54 (docs/findings.md). An
    // undecided p-bit ball is retried at 2p, 4p, … up to MaxZivBits (Ziv's strategy, as the reference engine does), and the
    // decided rounding must still be MPFR's.
    let rec decide q (b: Ball) =
        match Conversions.toFloat Nearest b with
        | Error(TooWide _) when q >= DecidedFromBits && q < MaxZivBits && not (zeroAt x) ->
            let q' = 2 * q
            decide q' (reference q' (Ball.ofFloat x))
        | r -> q, r

    let decidedAt, decided = decide p ball
    match decided, rounded with
    | Ok d, Some expected ->
        if Double.IsNaN d || Double.IsNaN expected then
            failtestf "NaN in rounding: reference %s, MPFR %s; %s" (showFloat d) (showFloat expected) (where ())
        if d <> expected then
            failtestf
                "toFloat Nearest is not MPFR's correctly rounded double: reference %s, MPFR %s; %s"
                (showFloat d)
                (showFloat expected)
                (where ())
    | Ok _, None -> () // MPFR's own enclosure straddles a rounding boundary: nothing to compare (vanishingly rare).
    | Error(TooWide _), _ ->
        if p >= DecidedFromBits && not (zeroAt x) then
            failtestf "toFloat Nearest returned TooWide at p = %d ≥ %d and still at %d bits: %s" p DecidedFromBits decidedAt (where ())

let private mpfrOf (f: Function) q x = enclose f q x, Some(correctlyRounded f x)

let private mpfrSigmoid q x = encloseSigmoid q x

// ---- Generators: hypotheses as generators, no filtering. ----

/// Reference precisions: 53 and 128 (the edge and the default) often, otherwise uniform in 53..1024.
let private precisions = Gen.frequency [ 1, Gen.constant 53; 1, Gen.constant 128; 8, Gen.choose (53, 1024) ]

/// Positive doubles of binary exponent k ∈ [kMin, kMax] with 1..12 or 53 significant bits (short significands give
/// arguments like 3·2^k whose results are as hard to round as any; full ones are generic).
let private magnitudes kMin kMax =
    gen {
        let! k = Gen.choose (kMin, kMax)
        let! bits = Gen.frequency [ 1, Gen.choose (1, 12); 3, Gen.constant 53 ]
        let! m = Gen.choose64 (1L <<< (bits - 1), (1L <<< bits) - 1L)
        return Math.ScaleB(float m, k - bits + 1)
    }

/// Arguments for exp, tanh and σ: signed, |x| ≤ 1e6, binary exponents from −997 (1e-300 ≈ 2^−996.6) up, with extra
/// weight on |x| ∈ [2^−4, 2^11) where exp underflows to subnormals and tanh/σ saturate in binary64, plus named edges.
let private signedArguments =
    let edges =
        Gen.elements
            [ 0.0; 1e6; 1e-300; 800.0; 745.1332191019412; 744.4400719213812; 709.782712893384; 708.3964185322641
              36.74; 19.06; 1.0; 0.5; 1e-10; Double.Epsilon ]
    gen {
        let! magnitude = Gen.frequency [ 3, magnitudes -997 19; 4, magnitudes -4 10; 1, edges ]
        let! negative = Gen.elements [ false; true ]
        let x = Math.Min(magnitude, 1e6)
        return if negative && x <> 0.0 then -x else x
    }

/// Arguments for log and sqrt: positive doubles over the whole binary64 range (subnormals to near DBL_MAX), plus
/// 1 + j·2^−52 near 1 (log's cancellation region, j = 0 giving log 1 = 0 exactly) and exact squares n²·4^k (exact sqrt).
let private positiveArguments =
    let nearOne = Gen.choose (-4096, 4096) |> Gen.map (fun j -> 1.0 + float j * Math.ScaleB(1.0, -52))
    let squares =
        gen {
            let! n = Gen.choose (1, (1 <<< 26) - 1)
            let! k = Gen.choose (-500, 485) // n² < 2^52, so n²·4^k stays below 2^1022
            return Math.ScaleB(float n * float n, 2 * k)
        }
    let anywhere = magnitudes -1074 1023 |> Gen.map (fun x -> if x = 0.0 then Double.Epsilon else x)
    Gen.frequency [ 6, anywhere; 2, nearOne; 1, squares; 1, Gen.elements [ 1.0; Double.Epsilon; Double.MaxValue; 2.0; 0.5 ] ]

let private cases arguments =
    gen {
        let! x = arguments
        let! p = precisions
        return { X = x; Precision = p }
    }
    |> Arb.fromGen

let private crossCheck name statement arguments reference mpfr zeroAt =
    theoremWith CasesPerFunction statement (Prop.forAll (cases arguments) (check name reference mpfr zeroAt))

/// A stand-in reference built by MPFR at p bits: RN_p(f(x)) + displacement·ulp_p, radius one ulp_p. With displacement 0 it
/// encloses f(x) and is narrow, so `check` must accept it; displaced by 3 ulp_p it misses f(x), so `check` must reject it.
let private mpfrBuiltBall (f: Function) (displacement: int) (p: int) (x: Ball) =
    use a = ofFloat 53 (Dyadic.toFloat x.Mid)
    use y = new Number(p)
    apply f y a Rounding.Nearest |> ignore
    let v, ulp = toExact y, ulpExponent y
    let mid = Exact.add v (Exact.create (BigInteger displacement) ulp)
    Ball.create (Dyadic.create mid.M (int mid.E)) (Dyadic.create BigInteger.One (int ulp))

/// Fixed cases for the self-test of `check` (deterministic, so no seed).
let private selfTestCases =
    [ for f, x in [ Exp, -745.0; Exp, 3.5; Exp, 1e-300; Log, 1e-310; Log, 1.0 + 2.0 ** -52; Tanh, -19.06; Tanh, 1e-300
                    Sqrt, 2.0; Sqrt, Double.Epsilon ] do
          for p in [ 53; 128; 1024 ] -> f, { X = x; Precision = p } ]

/// exact decimal digits: floor(v·10^k) for an exact v ≥ 0.
let private decimalFloor (v: Exact) (k: int) =
    let scaled = v.M * BigInteger.Pow(BigInteger 10, k)
    if v.E >= 0L then scaled <<< int v.E else scaled >>> int -v.E

[<Tests>]
let tests =
    testList "MPFR cross-check" [
        test "libmpfr.so.6 and libgmp.so.10 load, and MPFR is version 4" {
            let version = require ()
            Expect.isTrue (version.StartsWith "4.") (sprintf "MPFR version %s, expected 4.x" version)
        }

        test "the MPFR binding reads doubles back exactly (mpfr_set_d then mpfr_get_z_2exp)" {
            for x in [ 1.0; -0.1; Math.PI; Double.Epsilon; -Double.MaxValue; 3.0 * Math.ScaleB(1.0, -1060); 1e-300 ] do
                use n = ofFloat 200 x
                let v = toExact n
                // Independent decomposition of the binary64 encoding.
                let bits = BitConverter.DoubleToInt64Bits x
                let field = int ((bits >>> 52) &&& 0x7FFL)
                let fraction = bits &&& 0xFFFFFFFFFFFFFL
                let m, e = if field = 0 then fraction, -1074 else fraction ||| (1L <<< 52), field - 1075
                let expected = Exact.create (if x < 0.0 then BigInteger -m else BigInteger m) (int64 e)
                Expect.equal (Exact.compare v expected) 0 (sprintf "%s read back as %s" (showFloat x) (Exact.show v))
        }

        test "the MPFR binding encloses e: floor(e·10^50) = 271828182845904523536028747135266249775724709369995" {
            // Digits of e from OEIS A001113; the 51st-53rd decimals (957) are far from an integer boundary.
            let enclosure = enclose Exp 200 1.0
            let expected = BigInteger.Parse "271828182845904523536028747135266249775724709369995"
            Expect.equal (decimalFloor enclosure.Lo 50) expected "lower end of MPFR's enclosure of e"
            Expect.equal (decimalFloor enclosure.Hi 50) expected "upper end of MPFR's enclosure of e"
        }

        test "the cross-check accepts a correct narrow ball and rejects one displaced by 3 ulp (self-test of check)" {
            for f, case in selfTestCases do
                let name = sprintf "%A" f
                check name (fun p x -> mpfrBuiltBall f 0 p x) (mpfrOf f) (fun _ -> false) case
                let rejected =
                    try
                        check name (fun p x -> mpfrBuiltBall f 3 p x) (mpfrOf f) (fun _ -> false) case
                        false
                    with :? AssertException as e -> e.Message.Contains "misses"
                Expect.isTrue rejected (sprintf "%s(%s) at %d bits displaced by 3 ulp was not rejected as missing f(x)" name (showFloat case.X) case.Precision)
        }

        crossCheck
            "exp"
            "exp: MPFR's exp(x) at p+64 bits ± ½ulp meets the narrow ball Elementary.exp p x, and its rounding to double is MPFR's"
            signedArguments
            Elementary.exp
            (mpfrOf Exp)
            (fun _ -> false)

        crossCheck
            "log"
            "log: MPFR's log(x) at p+64 bits ± ½ulp meets the narrow ball Elementary.log p x, and its rounding to double is MPFR's"
            positiveArguments
            Elementary.log
            (mpfrOf Log)
            (fun x -> x = 1.0)

        crossCheck
            "tanh"
            "tanh: MPFR's tanh(x) at p+64 bits ± ½ulp meets the narrow ball Elementary.tanh p x, and its rounding to double is MPFR's"
            signedArguments
            Elementary.tanh
            (mpfrOf Tanh)
            (fun x -> x = 0.0)

        crossCheck
            "sqrt"
            "sqrt: MPFR's sqrt(x) at p+64 bits ± ½ulp meets the narrow ball Elementary.sqrt p x, and its rounding to double is MPFR's"
            positiveArguments
            Elementary.sqrt
            (mpfrOf Sqrt)
            (fun x -> x = 0.0)

        crossCheck
            "sigmoid"
            "σ: MPFR's directed-rounding enclosure of 1/(1+exp(−x)) at p+64 bits meets the narrow ball Elementary.sigmoid p x, and its rounding to double is MPFR's"
            signedArguments
            Elementary.sigmoid
            mpfrSigmoid
            (fun _ -> false)
    ]
