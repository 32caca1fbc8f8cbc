using System.Numerics;
using System.Numerics.Tensors;

namespace RnnVerify.Cells;

/// <summary>Dense kernels on row-major spans, vectorised through <see cref="TensorPrimitives"/>.</summary>
internal static class Kernels
{
    /// <summary>Rows of B kept hot in cache while every row of A streams past them.</summary>
    private const int BlockRows = 32;

    /// <summary>
    /// C = A·Bᵀ (or C += A·Bᵀ when <paramref name="accumulate"/>): A is [rows][k], B is [cols][k] (both row-major, so every
    /// entry is one contiguous dot product), C is [rows][cols] with row stride <paramref name="ldc"/>.
    /// The loop is blocked over B's rows so that a block of B stays in cache.
    /// </summary>
    public static void MatMulABt<T>(ReadOnlySpan<T> a, int rows, ReadOnlySpan<T> b, int cols, int k, Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j0 = 0; j0 < cols; j0 += BlockRows)
        {
            int j1 = Math.Min(cols, j0 + BlockRows);
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<T> ar = a.Slice(r * k, k);
                Span<T> cr = c.Slice(r * ldc, cols);
                for (int j = j0; j < j1; j++)
                {
                    T dot = TensorPrimitives.Dot(ar, b.Slice(j * k, k));
                    cr[j] = accumulate ? cr[j] + dot : dot;
                }
            }
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
