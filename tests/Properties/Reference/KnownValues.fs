/// Known values to ≥ 40 significant digits, each with its source, inside the computed ball and that ball narrow.
module RnnVerify.Properties.Reference.KnownValues

open Expecto
open RnnVerify.Reference
open RnnVerify.Properties.Reference.Support

/// The decimal strings have 50 significant digits; they are parsed at 400 bits, so the parsed ball (radius ≤ 2^−400
/// relative, or 0) is far narrower than the computed one and containment of it is containment of the exact constant up to
/// the 50th digit. A ball "contains" a truncated 50-digit constant only because its radius (≈ 2^−128 ≈ 3·10^−39 relative)
/// exceeds the truncation (≤ 10^−49 relative); the narrowness bound below keeps that margin meaningful.
let private parsePrec = 400

/// Computed at 128 bits, the radius must be below 2^−120 relative (8 bits of slack for the guard-bit budget).
let private maxRelative = pown 2.0 -120

/// (name, source, computation at prec, the value's 50-digit decimal).
let private table: (string * string * (int -> Ball) * string) list =
    [ "e", "OEIS A001113", (fun p -> Elementary.exp p Ball.one), "2.7182818284590452353602874713526624977572470937000"
      "ln 2", "OEIS A002162", Elementary.ln2, "0.69314718055994530941723212145817656807550013436026"
      "log 2", "OEIS A002162", (fun p -> Elementary.log p (Ball.ofInt 2)), "0.69314718055994530941723212145817656807550013436026"
      "log 10", "OEIS A002392", (fun p -> Elementary.log p (Ball.ofInt 10)), "2.3025850929940456840179914546843642076011014886288"
      "√2", "OEIS A002193", (fun p -> Elementary.sqrt p (Ball.ofInt 2)), "1.4142135623730950488016887242096980785696718753769"
      // Derived: tanh 1 = (e² − 1)/(e² + 1), GNU bc -l at scale=70, agreeing with mpmath 1.3.0 tanh(1) at 70 digits.
      "tanh 1", "bc (e(2)−1)/(e(2)+1)", (fun p -> Elementary.tanh p Ball.one), "0.76159415595576488811945828260479359041276859725794"
      // Derived: σ(−3) = 1/(1 + e³), GNU bc -l at scale=70 (e(3)), agreeing with mpmath at 70 digits.
      "σ(−3)", "bc 1/(1+e(3))", (fun p -> Elementary.sigmoid p (Ball.ofInt -3)), "0.047425873177566780878848151771752201386179432420609"
      // Derived: e^−20 from GNU bc -l e(−20) at scale=70, agreeing with mpmath at 70 digits.
      "exp(−20)", "bc e(-20)", (fun p -> Elementary.exp p (Ball.ofInt -20)), "2.0611536224385578279659403801558209763758072755991e-9"
      // Derived: tanh 20 = 1 − 2e^−40/(1 + e^−40), GNU bc -l at scale=70, agreeing with mpmath tanh(20).
      "tanh 20", "bc 1−2e(−40)/(1+e(−40))", (fun p -> Elementary.tanh p (Ball.ofInt 20)), "0.99999999999999999150329148941682204543855819119099"
      // Derived: tanh(10^−10) = (e^x − 1)/(e^x + 1) with x = 2·10^−10, GNU bc -l at scale=90, agreeing with mpmath tanh(mpf('1e-10'))
      // at mp.dps = 70 (series check: 10^−10 − 10^−30/3 + …).
      // The argument is the decimal 10^−10 itself (parsed at 400 bits), not the double nearest to it.
      "tanh 1e-10", "bc, and the series x − x³/3",
      (fun p -> Elementary.tanh p (parseExact parsePrec "1e-10")), "9.9999999999999999999666666666666666666668000000000e-11"
      // Derived with mpmath 1.3.0 at mp.dps = 70: exp(10^6), exp(−10^6), 1/(1 + e^800), log(1 + 10^−15).
      "exp(1e6)", "mpmath exp(10**6)", (fun p -> Elementary.exp p (Ball.ofInt 1000000)), "3.0332153968020875450864021414181143270839737948135e+434294"
      "exp(−1e6)", "mpmath exp(-10**6)", (fun p -> Elementary.exp p (Ball.ofInt -1000000)), "3.2968314780885585789689079691077242085614015066584e-434295"
      "σ(−800)", "mpmath 1/(1+exp(800))", (fun p -> Elementary.sigmoid p (Ball.ofInt -800)), "3.6678745841776872134554956542607982154696342266126e-348"
      "log(1 + 1e-15)", "mpmath log(1+1e-15)",
      (fun p -> Elementary.log p (parseExact parsePrec "1.000000000000001")), "9.9999999999999950000000000000033333333333333308333e-16" ]

[<Tests>]
let tests =
    testList "Reference known values" [
        for name, source, compute, digits in table do
            test (sprintf "%s (%s) lies in its 128-bit ball, which is narrower than 2^-120 relative" name source) {
                let computed = compute Precision.defaultBits
                let expected = parseExact parsePrec digits
                // The 50-digit decimal is within 10^−49 relative of the constant: widen it by that much (it is a truncation).
                let expected = Ball.inflate expected (Ball.magUpper (Ball.mul 64 (Ball.magUpper expected |> Ball.exact) (parseExact parsePrec "1e-49")))
                expectContains name computed expected
                let rel = Ball.relativeRadius computed
                if not (rel < maxRelative) then failtestf "%s: relative radius %.17g ≥ 2^-120 (%s)" name rel (show computed)
            }
        test "1 − tanh 800 = 2e^−1600/(1 + e^−1600) (mpmath, 50 digits) at 2600 bits: tanh 800 is a narrow ball below 1" {
            let t = Elementary.tanh 2600 (Ball.ofInt 800)
            let oneMinus = Ball.sub Precision.exact Ball.one t
            let expected = parseExact 2600 "2.6906607930513283768603926793193690080066311836626e-695"
            let expected = Ball.inflate expected (Ball.magUpper (Ball.mul 64 expected (parseExact 200 "1e-49")))
            // At 2600 bits the computed ball is far narrower than the 50-digit value's uncertainty: it must lie inside it.
            if not (Ball.containsBall expected oneMinus) then
                failtestf "1 − tanh 800 = %s is not inside the known %s" (show oneMinus) (show expected)
            // Absolute accuracy 2^−2600 ≈ 10^−783 on a value 2.7·10^−695: relative ≈ 10^−88.
            if not (Ball.relativeRadius oneMinus < 1e-80) then failtestf "1 − tanh 800 not narrow: %s" (show oneMinus)
        }
        test "tanh 800 at 128 bits is within 2^-120 of 1 and not wider" {
            let t = Elementary.tanh 128 (Ball.ofInt 800)
            if not (Ball.contains t Dyadic.one || Dyadic.compare (Ball.upper t) Dyadic.one < 0) then failtestf "%s" (show t)
            if not (Ball.relativeRadius t < maxRelative) then failtestf "%s" (show t)
        }
        test "exp 0 = 1 exactly, tanh 0 = 0 exactly, σ(0) = 1/2 exactly, log 1 = 0 exactly, √4 = 2 exactly" {
            let exactly (expected: int) (x: Ball) what =
                Expect.isTrue (Ball.isExact x && Dyadic.compare x.Mid (Dyadic.ofInt expected) = 0) (sprintf "%s = %s" what (show x))
            exactly 1 (Elementary.exp 128 Ball.zero) "exp 0"
            exactly 0 (Elementary.tanh 128 Ball.zero) "tanh 0"
            Expect.isTrue (Ball.contains (Elementary.sigmoid 128 Ball.zero) (Dyadic.pow2 -1)) "σ(0)"
            exactly 0 (Elementary.log 128 Ball.one) "log 1"
            exactly 2 (Elementary.sqrt 128 (Ball.ofInt 4)) "√4"
        }
        test "the correctly rounded doubles of e, ln 2, tanh 1 and σ(−3) (from the 50-digit values) are what toFloat Nearest returns" {
            for name, _, compute, digits in table |> List.filter (fun (n, _, _, _) -> List.contains n [ "e"; "ln 2"; "tanh 1"; "σ(−3)"; "exp(−20)"; "tanh 20" ]) do
                let fromTable = Dyadic.toFloat (parseExact parsePrec digits).Mid
                match Conversions.toFloat Nearest (compute 128) with
                | Ok d -> Expect.equal d fromTable (sprintf "%s: %.17g vs %.17g" name d fromTable)
                | Error e -> failtestf "%s: %A" name e
            Expect.equal (Conversions.toFloat Nearest (Elementary.exp 128 Ball.one)) (Ok System.Math.E) "e rounds to Math.E"
        }
    ]
