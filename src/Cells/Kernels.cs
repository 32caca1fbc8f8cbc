using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnVerify.Cells;

/// <summary>Dense kernels on row-major spans, vectorised through <see cref="TensorPrimitives"/>.</summary>
internal static partial class Kernels
{
    /// <summary>Rows of B kept hot in cache while every row of A streams past them.</summary>
    private const int BlockRows = 32;

    /// <summary>
    /// C = A·Bᵀ (or C += A·Bᵀ when <paramref name="accumulate"/>): A is [rows][k], B is [cols][k] (both row-major, so every
    /// entry is one contiguous dot product), C is [rows][cols] with row stride <paramref name="ldc"/>.
    /// The loop is blocked over B's rows so that a block of B stays in cache; inside a block, 2×4 register tiles of vector
    /// accumulators (<see cref="Vector{T}"/>) reuse each loaded row of A four times and each row of B twice.
    /// </summary>
    public static void MatMulABt<T>(ReadOnlySpan<T> a, int rows, ReadOnlySpan<T> b, int cols, int k, Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // The tiles read through unchecked references: establish the bounds once.
        ArgumentOutOfRangeException.ThrowIfLessThan(a.Length, rows * k, nameof(a));
        ArgumentOutOfRangeException.ThrowIfLessThan(b.Length, cols * k, nameof(b));
        if (!Vector<T>.IsSupported || !Vector.IsHardwareAccelerated || k < Vector<T>.Count)
        {
            MatMulABtDots(a, 0, rows, b, 0, cols, k, c, ldc, accumulate);
            return;
        }

        for (int j0 = 0; j0 < cols; j0 += BlockRows)
        {
            int j1 = Math.Min(cols, j0 + BlockRows);
            int jTiled = j0 + ((j1 - j0) & ~3);
            int r = 0;
            for (; r + 2 <= rows; r += 2)
            {
                for (int j = j0; j < jTiled; j += 4)
                {
                    Tile2x4(a, r, b, j, k, c, ldc, accumulate);
                }
            }

            if (r < rows)
            {
                for (int j = j0; j < jTiled; j += 4)
                {
                    Tile1x4(a, r, b, j, k, c, ldc, accumulate);
                }
            }

            MatMulABtDots(a, 0, rows, b, jTiled, j1, k, c, ldc, accumulate);
        }
    }

    /// <summary>C[r][j] (+)= A_r · B_j for r in [r0, r1), j in [j0, j1): one <see cref="TensorPrimitives.Dot{T}"/> per entry.</summary>
    private static void MatMulABtDots<T>(ReadOnlySpan<T> a, int r0, int r1, ReadOnlySpan<T> b, int j0, int j1, int k, Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int jb = j0; jb < j1; jb += BlockRows)
        {
            int je = Math.Min(j1, jb + BlockRows);
            for (int r = r0; r < r1; r++)
            {
                ReadOnlySpan<T> ar = a.Slice(r * k, k);
                for (int j = jb; j < je; j++)
                {
                    T dot = TensorPrimitives.Dot(ar, b.Slice(j * k, k));
                    c[(r * ldc) + j] = accumulate ? c[(r * ldc) + j] + dot : dot;
                }
            }
        }
    }

    /// <summary>Register tile: rows r, r+1 of A against rows j..j+3 of B; eight vector accumulators, each A and B load used 4 or 2 times.</summary>
    private static void Tile2x4<T>(ReadOnlySpan<T> a, int r, ReadOnlySpan<T> b, int j, int k, Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T a0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), r * k);
        ref T a1 = ref Unsafe.Add(ref a0, k);
        ref T b0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(b), j * k);
        ref T b1 = ref Unsafe.Add(ref b0, k);
        ref T b2 = ref Unsafe.Add(ref b1, k);
        ref T b3 = ref Unsafe.Add(ref b2, k);
        Vector<T> s00 = Vector<T>.Zero, s01 = Vector<T>.Zero, s02 = Vector<T>.Zero, s03 = Vector<T>.Zero;
        Vector<T> s10 = Vector<T>.Zero, s11 = Vector<T>.Zero, s12 = Vector<T>.Zero, s13 = Vector<T>.Zero;
        int w = Vector<T>.Count;
        int i = 0;
        for (; i <= k - w; i += w)
        {
            var x0 = Vector.LoadUnsafe(ref a0, (nuint)i);
            var x1 = Vector.LoadUnsafe(ref a1, (nuint)i);
            var y0 = Vector.LoadUnsafe(ref b0, (nuint)i);
            var y1 = Vector.LoadUnsafe(ref b1, (nuint)i);
            var y2 = Vector.LoadUnsafe(ref b2, (nuint)i);
            var y3 = Vector.LoadUnsafe(ref b3, (nuint)i);
            s00 += x0 * y0;
            s01 += x0 * y1;
            s02 += x0 * y2;
            s03 += x0 * y3;
            s10 += x1 * y0;
            s11 += x1 * y1;
            s12 += x1 * y2;
            s13 += x1 * y3;
        }

        T t00 = Vector.Sum(s00), t01 = Vector.Sum(s01), t02 = Vector.Sum(s02), t03 = Vector.Sum(s03);
        T t10 = Vector.Sum(s10), t11 = Vector.Sum(s11), t12 = Vector.Sum(s12), t13 = Vector.Sum(s13);
        for (; i < k; i++)
        {
            T x0 = Unsafe.Add(ref a0, i), x1 = Unsafe.Add(ref a1, i);
            T y0 = Unsafe.Add(ref b0, i), y1 = Unsafe.Add(ref b1, i), y2 = Unsafe.Add(ref b2, i), y3 = Unsafe.Add(ref b3, i);
            t00 += x0 * y0;
            t01 += x0 * y1;
            t02 += x0 * y2;
            t03 += x0 * y3;
            t10 += x1 * y0;
            t11 += x1 * y1;
            t12 += x1 * y2;
            t13 += x1 * y3;
        }

        Store(c, (r * ldc) + j, t00, t01, t02, t03, accumulate);
        Store(c, ((r + 1) * ldc) + j, t10, t11, t12, t13, accumulate);
    }

    /// <summary>Register tile: row r of A against rows j..j+3 of B.</summary>
    private static void Tile1x4<T>(ReadOnlySpan<T> a, int r, ReadOnlySpan<T> b, int j, int k, Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T a0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), r * k);
        ref T b0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(b), j * k);
        ref T b1 = ref Unsafe.Add(ref b0, k);
        ref T b2 = ref Unsafe.Add(ref b1, k);
        ref T b3 = ref Unsafe.Add(ref b2, k);
        Vector<T> s0 = Vector<T>.Zero, s1 = Vector<T>.Zero, s2 = Vector<T>.Zero, s3 = Vector<T>.Zero;
        int w = Vector<T>.Count;
        int i = 0;
        for (; i <= k - w; i += w)
        {
            var x0 = Vector.LoadUnsafe(ref a0, (nuint)i);
            s0 += x0 * Vector.LoadUnsafe(ref b0, (nuint)i);
            s1 += x0 * Vector.LoadUnsafe(ref b1, (nuint)i);
            s2 += x0 * Vector.LoadUnsafe(ref b2, (nuint)i);
            s3 += x0 * Vector.LoadUnsafe(ref b3, (nuint)i);
        }

        T t0 = Vector.Sum(s0), t1 = Vector.Sum(s1), t2 = Vector.Sum(s2), t3 = Vector.Sum(s3);
        for (; i < k; i++)
        {
            T x0 = Unsafe.Add(ref a0, i);
            t0 += x0 * Unsafe.Add(ref b0, i);
            t1 += x0 * Unsafe.Add(ref b1, i);
            t2 += x0 * Unsafe.Add(ref b2, i);
            t3 += x0 * Unsafe.Add(ref b3, i);
        }

        Store(c, (r * ldc) + j, t0, t1, t2, t3, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(Span<T> c, int at, T v0, T v1, T v2, T v3, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> dst = c.Slice(at, 4);
        if (accumulate)
        {
            dst[0] += v0;
            dst[1] += v1;
            dst[2] += v2;
            dst[3] += v3;
        }
        else
        {
            dst[0] = v0;
            dst[1] = v1;
            dst[2] = v2;
            dst[3] = v3;
        }
    }

    /// <summary>
    /// y += Aᵀ·v for A [n][k] row-major and v of length n: y (length k) += Σ_j v_j · A_j (one axpy per row, zero rows skipped).
    /// </summary>
    public static void AddTransposedProduct<T>(ReadOnlySpan<T> a, int n, int k, ReadOnlySpan<T> v, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j < n; j++)
        {
            T vj = v[j];
            if (vj != T.Zero)
            {
                TensorPrimitives.MultiplyAdd(a.Slice(j * k, k), vj, y, y);
            }
        }
    }

    /// <summary>
    /// G += u ⊗ w: G [n][k] row-major, u of length n, w of length k (one axpy per row, zero entries of u skipped).
    /// </summary>
    public static void AddOuterProduct<T>(ReadOnlySpan<T> u, ReadOnlySpan<T> w, Span<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = w.Length;
        for (int j = 0; j < u.Length; j++)
        {
            T uj = u[j];
            if (uj != T.Zero)
            {
                Span<T> row = g.Slice(j * k, k);
                TensorPrimitives.MultiplyAdd(w, uj, row, row);
            }
        }
    }
}
