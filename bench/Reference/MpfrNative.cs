using System.Runtime.InteropServices;

namespace RnnVerify.Bench.Reference;

/// <summary>
/// The few MPFR entry points the benchmarks compare against (libmpfr.so.6, MPFR 4.x). An mpfr_t is
/// <c>{ long prec; int sign; long exp; limb* d }</c>, 32 bytes on LP64, allocated here in unmanaged memory.
/// </summary>
internal static partial class MpfrNative
{
    private const string Library = "libmpfr.so.6";

    /// <summary>Size of an mpfr_t in bytes.</summary>
    internal const int Size = 32;

    /// <summary>MPFR_RNDN.</summary>
    internal const int Nearest = 0;

    [LibraryImport(Library)]
    internal static partial void mpfr_init2(nint x, long precision);

    [LibraryImport(Library)]
    internal static partial void mpfr_clear(nint x);

    [LibraryImport(Library)]
    internal static partial int mpfr_set_d(nint rop, double op, int rnd);

    [LibraryImport(Library)]
    internal static partial int mpfr_tanh(nint rop, nint op, int rnd);

    [LibraryImport(Library)]
    internal static partial int mpfr_dot(nint rop, nint a, nint b, nuint n, int rnd);

    /// <summary>An initialised mpfr_t of the given precision holding x (exact when precision ≥ 53).</summary>
    internal static nint Create(long precision, double x)
    {
        var handle = Marshal.AllocHGlobal(Size);
        mpfr_init2(handle, precision);
        _ = mpfr_set_d(handle, x, Nearest);
        return handle;
    }

    /// <summary>Releases what <see cref="Create"/> allocated.</summary>
    internal static void Free(nint handle)
    {
        mpfr_clear(handle);
        Marshal.FreeHGlobal(handle);
    }
}
