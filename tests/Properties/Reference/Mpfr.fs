/// A minimal binding to the system's MPFR (libmpfr.so.6, MPFR 4.x) and GMP (libgmp.so.10), used only by the tests as an
/// independent oracle for the reference arithmetic. Values cross the boundary exactly: in from doubles (mpfr_set_d at ≥ 53
/// bits is exact), out as an integer significand and a binary exponent (mpfr_get_z_2exp), so no decimal or binary string
/// conversion stands between MPFR's result and the comparison.
module RnnVerify.Properties.Reference.Mpfr

open System
open System.Numerics
open System.Runtime.InteropServices

/// The shared objects this binding needs, by the names the dynamic loader looks up.
[<Literal>]
let MpfrLibrary = "libmpfr.so.6"

[<Literal>]
let GmpLibrary = "libgmp.so.10"

/// MPFR's rounding modes (mpfr_rnd_t): MPFR_RNDN = 0, MPFR_RNDZ = 1, MPFR_RNDU = 2, MPFR_RNDD = 3.
type Rounding =
    | Nearest = 0
    | TowardZero = 1
    | Up = 2
    | Down = 3

module private Native =
    // mpfr_t is __mpfr_struct[1] = { mpfr_prec_t (long) prec; mpfr_sign_t (int) sign; mpfr_exp_t (long) exp; mp_limb_t* d }:
    // 8 + 4 (+4 padding) + 8 + 8 = 32 bytes on LP64. Functions take a pointer to it.
    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern void mpfr_init2(nativeint x, int64 prec)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern void mpfr_clear(nativeint x)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int mpfr_set_d(nativeint rop, double op, int rnd)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern double mpfr_get_d(nativeint op, int rnd)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int64 mpfr_get_z_2exp(nativeint rop, nativeint op)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int64 mpfr_get_exp(nativeint op)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int mpfr_zero_p(nativeint op)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int mpfr_number_p(nativeint op)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int mpfr_exp(nativeint rop, nativeint op, int rnd)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int mpfr_log(nativeint rop, nativeint op, int rnd)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int mpfr_tanh(nativeint rop, nativeint op, int rnd)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int mpfr_sqrt(nativeint rop, nativeint op, int rnd)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int mpfr_neg(nativeint rop, nativeint op, int rnd)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int mpfr_add_ui(nativeint rop, nativeint op1, unativeint op2, int rnd)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int mpfr_ui_div(nativeint rop, unativeint op1, nativeint op2, int rnd)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int mpfr_subnormalize(nativeint x, int t, int rnd)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int64 mpfr_get_emin()

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int64 mpfr_get_emax()

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int mpfr_set_emin(int64 e)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern int mpfr_set_emax(int64 e)

    [<DllImport(MpfrLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern nativeint mpfr_get_version()

    // mpz_t is __mpz_struct[1] = { int alloc; int size; mp_limb_t* d }: 16 bytes; |size| limbs, sign of size = sign.
    [<DllImport(GmpLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern void __gmpz_init(nativeint x)

    [<DllImport(GmpLibrary, CallingConvention = CallingConvention.Cdecl)>]
    extern void __gmpz_clear(nativeint x)

/// Loads both libraries once: Ok with MPFR's version string, or Error naming the library that is missing.
let private availability =
    lazy
        (let load (name: string) =
            let mutable handle = 0n
            if NativeLibrary.TryLoad(name, &handle) then Ok() else Error name

         match load MpfrLibrary, load GmpLibrary with
         | Ok(), Ok() -> Ok(Marshal.PtrToStringAnsi(Native.mpfr_get_version ()))
         | Error lib, _
         | _, Error lib ->
             Error(
                 sprintf
                     "the MPFR cross-check needs %s (MPFR 4.x, with %s) and could not load %s; install the Debian packages libmpfr6 and libgmp10"
                     MpfrLibrary
                     GmpLibrary
                     lib
             ))

/// MPFR's version string; fails (naming the missing library) when libmpfr.so.6 or libgmp.so.10 cannot be loaded.
let require () =
    match availability.Force() with
    | Ok version -> version
    | Error message -> failwith message

/// An exact dyadic number M·2^E (M = 0 is zero, whatever E), independent of the reference's own Dyadic type.
[<Struct>]
type Exact =
    { M: BigInteger
      E: int64 }

/// Exact arithmetic and comparison on Exact, by aligning both operands to the smaller exponent.
module Exact =
    let zero = { M = BigInteger.Zero; E = 0L }
    let create m e = { M = m; E = e }

    let private align (a: Exact) (b: Exact) =
        let e = min a.E b.E
        a.M <<< int (a.E - e), b.M <<< int (b.E - e), e

    let add (a: Exact) (b: Exact) =
        if a.M.IsZero then b
        elif b.M.IsZero then a
        else
            let x, y, e = align a b
            { M = x + y; E = e }

    let neg (a: Exact) = { a with M = -a.M }
    let sub a b = add a (neg b)
    let abs (a: Exact) = { a with M = BigInteger.Abs a.M }
    let mulPow2 (a: Exact) (k: int64) = { a with E = a.E + k }

    let compare (a: Exact) (b: Exact) =
        let sa, sb = a.M.Sign, b.M.Sign
        if sa <> sb then Operators.compare sa sb
        elif sa = 0 then 0
        else
            let x, y, _ = align a b
            BigInteger.Compare(x, y)

    /// Text "M·2^E" with M in decimal; exact, for failure messages.
    let show (a: Exact) = sprintf "%s·2^%d" (a.M.ToString()) a.E

/// A closed interval [Lo, Hi] with exact ends that provably contains a real value.
type Enclosure = { Lo: Exact; Hi: Exact }

/// An MPFR number of fixed precision in unmanaged memory, initialised by mpfr_init2 and released by mpfr_clear.
[<Sealed>]
type Number(precision: int) =
    let handle =
        require () |> ignore
        let h = Marshal.AllocHGlobal 32
        Native.mpfr_init2 (h, int64 precision)
        h

    let mutable disposed = false

    /// The address of the mpfr_t.
    member _.Handle = handle

    /// The precision in bits.
    member _.Precision = precision

    interface IDisposable with
        member _.Dispose() =
            if not disposed then
                disposed <- true
                Native.mpfr_clear handle
                Marshal.FreeHGlobal handle

/// The elementary functions MPFR rounds correctly (≤ ½ ulp in RNDN, the right neighbour in directed modes).
type Function =
    | Exp
    | Log
    | Tanh
    | Sqrt

/// rop ← f(op) rounded as asked; returns MPFR's ternary value (0: exact, > 0: rop > f(op), < 0: rop < f(op)).
let apply (f: Function) (rop: Number) (op: Number) (rnd: Rounding) =
    match f with
    | Exp -> Native.mpfr_exp (rop.Handle, op.Handle, int rnd)
    | Log -> Native.mpfr_log (rop.Handle, op.Handle, int rnd)
    | Tanh -> Native.mpfr_tanh (rop.Handle, op.Handle, int rnd)
    | Sqrt -> Native.mpfr_sqrt (rop.Handle, op.Handle, int rnd)

/// A number of the given precision (≥ 53) holding the double x exactly.
let ofFloat (precision: int) (x: float) =
    if precision < 53 then invalidArg "precision" (sprintf "a double needs 53 bits, got %d" precision)
    let n = new Number(precision)
    if Native.mpfr_set_d (n.Handle, x, int Rounding.Nearest) <> 0 then
        invalidOp (sprintf "mpfr_set_d was inexact for %s at %d bits" (x.ToString "R") precision)
    n

/// The exact value of a finite MPFR number as M·2^E (read through mpfr_get_z_2exp into a GMP integer's limbs).
let toExact (x: Number) : Exact =
    if Native.mpfr_zero_p x.Handle <> 0 then Exact.zero
    elif Native.mpfr_number_p x.Handle = 0 then invalidOp "toExact: the MPFR value is NaN or infinite"
    else
        let z = Marshal.AllocHGlobal 16
        Native.__gmpz_init z
        try
            let e = Native.mpfr_get_z_2exp (z, x.Handle)
            let size = Marshal.ReadInt32(z, 4)
            let limbs = Marshal.ReadIntPtr(z, 8)
            let bytes = Array.zeroCreate<byte> (8 * abs size)
            Marshal.Copy(limbs, bytes, 0, bytes.Length)
            let magnitude = BigInteger(ReadOnlySpan bytes, isUnsigned = true, isBigEndian = false)
            { M = (if size < 0 then -magnitude else magnitude); E = e }
        finally
            Native.__gmpz_clear z
            Marshal.FreeHGlobal z

/// The nearest double to an MPFR number (mpfr_get_d, correctly rounded including the subnormal range).
let toFloat (rnd: Rounding) (x: Number) = Native.mpfr_get_d (x.Handle, int rnd)

/// The unit in the last place of a nonzero finite MPFR number: 2^(EXP(x) − PREC(x)), where x = m·2^EXP(x), ½ ≤ |m| < 1.
let ulpExponent (x: Number) = Native.mpfr_get_exp x.Handle - int64 x.Precision

/// f(x) computed by MPFR at the given precision in RNDN, widened by half its ulp (not at all when MPFR reports it exact):
/// since MPFR rounds correctly, |RN(f(x)) − f(x)| ≤ ½ ulp, so the interval contains f(x).
let enclose (f: Function) (precision: int) (x: float) : Enclosure =
    use a = ofFloat (max 53 precision) x
    use y = new Number(precision)
    let ternary = apply f y a Rounding.Nearest
    if Native.mpfr_number_p y.Handle = 0 then
        invalidOp (sprintf "MPFR %A(%s) at %d bits is not finite" f (x.ToString "R") precision)
    let v = toExact y
    if ternary = 0 then { Lo = v; Hi = v }
    else
        let half = { M = BigInteger.One; E = ulpExponent y - 1L }
        { Lo = Exact.sub v half; Hi = Exact.add v half }

/// The logistic sigmoid σ(x) = 1/(1 + e^−x) enclosed with directed roundings at the given precision: σ is increasing in
/// 1/(1 + e^−x) and decreasing in e^−x, so lo = RD(1/RU(1 + RU(e^−x))) ≤ σ(x) ≤ RU(1/RD(1 + RD(e^−x))) = hi.
/// Returns the enclosure and, when RN(lo) = RN(hi) as doubles, that double: the correctly rounded σ(x) (RN is monotone).
let encloseSigmoid (precision: int) (x: float) : Enclosure * float option =
    use minusX = ofFloat 53 -x
    let bound (inner: Rounding) (outer: Rounding) =
        let e = new Number(precision)
        Native.mpfr_exp (e.Handle, minusX.Handle, int inner) |> ignore
        Native.mpfr_add_ui (e.Handle, e.Handle, 1un, int inner) |> ignore
        Native.mpfr_ui_div (e.Handle, 1un, e.Handle, int outer) |> ignore
        e
    use lo = bound Rounding.Up Rounding.Down
    use hi = bound Rounding.Down Rounding.Up
    let dLo, dHi = toFloat Rounding.Nearest lo, toFloat Rounding.Nearest hi
    { Lo = toExact lo; Hi = toExact hi }, (if dLo = dHi then Some dLo else None)

let private exponentRange = obj ()

/// MPFR's correctly rounded double of f(x) (RNDN): f computed at 53 bits within the exponent range of binary64
/// (emin = −1073, emax = 1024) and passed through mpfr_subnormalize, so subnormal results are rounded once, as IEEE 754 does.
/// The exponent range is process state in MPFR; it is set and restored under a lock.
let correctlyRounded (f: Function) (x: float) =
    lock exponentRange (fun () ->
        let emin, emax = Native.mpfr_get_emin (), Native.mpfr_get_emax ()
        try
            if Native.mpfr_set_emin -1073L <> 0 || Native.mpfr_set_emax 1024L <> 0 then
                invalidOp "mpfr_set_emin/emax refused the binary64 exponent range"
            use a = ofFloat 53 x
            use y = new Number(53)
            let ternary = apply f y a Rounding.Nearest
            Native.mpfr_subnormalize (y.Handle, ternary, int Rounding.Nearest) |> ignore
            toFloat Rounding.Nearest y
        finally
            Native.mpfr_set_emin emin |> ignore
            Native.mpfr_set_emax emax |> ignore)
