/// Cross-check of src/Reference/Elementary.fs and Conversions.toFloat against MPFR, an independent correctly rounded library.
/// For random doubles x and precisions p in 53..1024: MPFR's f(x) at p + 64 bits, widened by its own half ulp (a proven
/// enclosure, since MPFR rounds correctly), must meet the reference ball f_p(x); that ball must be narrow (radius ≤
/// 2^(10 − p)·|f(x)|, see docs/tolerances.md); and when the reference rounds the ball to a double (toFloat Nearest = Ok d),
/// d must equal MPFR's correctly rounded double. The interval comparison is done in exact BigInteger arithmetic (Mpfr.Exact),
/// not with the reference's own Ball.overlaps.
module RnnVerify.Properties.Reference.MpfrCrossCheck

open System
open System.Numerics
open Expecto
open RnnVerify.Properties.Theorem
open RnnVerify.Properties.Reference.Mpfr

let private showFloat (x: float) =
    sprintf "%s (%.17g, bits 0x%016X)" (x.ToString "R") x (BitConverter.DoubleToInt64Bits x)

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
    ]
