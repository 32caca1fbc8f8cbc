using RnnVerify.Cells;
using Xunit;

namespace RnnVerify.Golden.Cells;

/// <summary>The blocked, register-tiled A·Bᵀ kernel against a triple loop, on every tile edge and SIMD tail length.</summary>
public class KernelTests
{
    /// <summary>
    /// C (+)= A·B in double (<paramref name="c"/>) and float (<paramref name="cf"/>), both started from <paramref name="init"/>,
    /// against a triple loop in double over A[r][i] = <paramref name="aAt"/>(r, i) and B[i][j] = <paramref name="bAt"/>(i, j);
    /// the padding columns past <paramref name="cols"/> must keep their initial values.
    /// </summary>
    private static void AssertTripleLoop(
        double[] init, int rows, int cols, int ldc, int k, Func<int, int, double> aAt, Func<int, int, double> bAt,
        double[] c, float[] cf, bool accumulate, double toleranceDouble, double toleranceFloat)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < ldc; j++)
            {
                double expected = init[(r * ldc) + j];
                if (j < cols)
                {
                    double dot = 0;
                    for (int i = 0; i < k; i++)
                    {
                        dot += aAt(r, i) * bAt(i, j);
                    }

                    expected = accumulate ? expected + dot : dot;
                }

                string ctx = $"k={k} rows={rows} cols={cols} acc={accumulate} C[{r}][{j}]";
                Compare.Close(expected, c[(r * ldc) + j], toleranceDouble, 0, "double " + ctx);
                Compare.Close(expected, cf[(r * ldc) + j], toleranceFloat, 0, "float " + ctx);
            }
        }
    }

    [Fact]
    public void Tiled_product_equals_the_triple_loop_for_every_shape_and_tail_length()
    {
        var rng = new Random(17);
        foreach (int k in Enumerable.Range(1, 37))
        {
            foreach (var (rows, cols) in new[] { (1, 1), (1, 4), (2, 4), (3, 5), (5, 9), (4, 35), (2, 70) })
            {
                var a = Enumerable.Range(0, rows * k).Select(_ => rng.NextDouble() - 0.5).ToArray();
                var b = Enumerable.Range(0, cols * k).Select(_ => rng.NextDouble() - 0.5).ToArray();
                int ldc = cols + 3;
                var init = Enumerable.Range(0, rows * ldc).Select(_ => rng.NextDouble()).ToArray();
                foreach (bool accumulate in new[] { false, true })
                {
                    var c = (double[])init.Clone();
                    Kernels.MatMulABt<double>(a, rows, b, cols, k, c, ldc, accumulate);
                    var cf = init.Select(v => (float)v).ToArray();
                    Kernels.MatMulABt<float>(a.Select(v => (float)v).ToArray(), rows, b.Select(v => (float)v).ToArray(), cols, k, cf, ldc, accumulate);
                    // Reordered sums of k ≤ 37 products of size ≤ 1/4: γ_k·Σ|a||b| ≤ 37·u·10 in double, 37·2^-24·10 in float.
                    AssertTripleLoop(init, rows, cols, ldc, k, (r, i) => a[(r * k) + i], (i, j) => b[(j * k) + i], c, cf, accumulate, 1e-13, 3e-5);
                }
            }
        }
    }

    /// <summary>
    /// C (+)= A·B with strided operands against a triple loop: every row remainder of the 4-row tiles (rows 1–9, and 97 across a
    /// row block), columns across the 2-vector panels and the 8-vector batch-1 tile (float panels are 32 wide, double 16), and
    /// k across the 128-deep k blocks; the padding columns of C past <c>cols</c> must stay untouched.
    /// </summary>
    [Fact]
    public void Blocked_product_equals_the_triple_loop_on_every_tile_panel_and_block_edge()
    {
        var rng = new Random(23);
        foreach (int k in new[] { 0, 1, 3, 17, 127, 128, 129, 300 })
        {
            foreach (var (rows, cols) in new[] { (1, 1), (1, 32), (1, 129), (2, 33), (3, 64), (4, 16), (5, 47), (8, 96), (9, 131), (97, 40) })
            {
                int lda = k + 2, ldb = cols + 5, ldc = cols + 3;
                var a = Enumerable.Range(0, rows * lda).Select(_ => rng.NextDouble() - 0.5).ToArray();
                var b = Enumerable.Range(0, Math.Max(1, k) * ldb).Select(_ => rng.NextDouble() - 0.5).ToArray();
                var init = Enumerable.Range(0, rows * ldc).Select(_ => rng.NextDouble()).ToArray();
                foreach (bool accumulate in new[] { false, true })
                {
                    var c = (double[])init.Clone();
                    Kernels.MatMul<double>(a, rows, k, lda, b, ldb, cols, c, ldc, accumulate);
                    var cf = init.Select(v => (float)v).ToArray();
                    Kernels.MatMul<float>(a.Select(v => (float)v).ToArray(), rows, k, lda, b.Select(v => (float)v).ToArray(), ldb, cols, cf, ldc, accumulate);
                    // Sums of k ≤ 300 products of size ≤ 1/4 plus C ≤ 1, any order: γ_{k+1}·(Σ|a||b| + 1) ≤ 301·u·76 ≈ 2.3e4·u:
                    // 5e-12 in double (u = 2^-53), and in float (u = 2^-24, inputs rounded too) 2e-3.
                    AssertTripleLoop(init, rows, cols, ldc, k, (r, i) => a[(r * lda) + i], (i, j) => b[(i * ldb) + j], c, cf, accumulate, 5e-12, 2e-3);
                }
            }
        }
    }

    /// <summary>
    /// A B packed once (<c>Kernels.PackOnce</c>, used for W_hᵀ of the time loop) gives the same bits as per-call packing, on
    /// every row count (packing starts at 8 rows), across k blocks and for other k-block depths (the product then runs with the
    /// packing's depth, and with more rows than a row block, row block by row block), with and without accumulation; a packing
    /// made for other columns is ignored rather than misread. A single row (batch 1) runs the packed panels column group by column
    /// group through the whole depth, in ascending and in descending column order: both give the same bits. Where the blocked path does not run on the host, PackOnce returns null and the
    /// comparison is between two identical calls.
    /// </summary>
    [Fact]
    public void A_matrix_packed_once_gives_the_same_bits_as_packing_at_every_product()
    {
        var rng = new Random(29);
        foreach (int k in new[] { 1, 64, 128, 129, 300 })
        {
            foreach (var (rows, cols) in new[] { (1, 64), (1, 200), (1, 320), (7, 96), (8, 96), (9, 131), (64, 256), (97, 40) })
            {
                int lda = k + 2, ldb = cols + 5, ldc = cols + 3;
                var a = Enumerable.Range(0, rows * lda).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
                var b = Enumerable.Range(0, k * ldb).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
                var init = Enumerable.Range(0, rows * ldc).Select(_ => (float)rng.NextDouble()).ToArray();
                var packed = Kernels.PackOnce<float>(b, k, ldb, cols);
                var packedOther = Kernels.PackOnce<float>(b, k, ldb, cols / 2);
                var packedDeep = Kernels.PackOnce<float>(b, k, ldb, cols, Kernels.KBlockProjection);
                var packedShallow = Kernels.PackOnce<float>(b, k, ldb, cols, 32);
                foreach (bool accumulate in new[] { false, true })
                {
                    var expected = (float[])init.Clone();
                    Kernels.MatMul<float>(a, rows, k, lda, b, ldb, cols, expected, ldc, accumulate);
                    foreach (var (name, p) in new[] { ("packed", packed), ("packed for cols/2", packedOther), ("packed in 512-deep k blocks", packedDeep), ("packed in 32-deep k blocks", packedShallow) })
                    {
                        foreach (bool descending in new[] { false, true })
                        {
                            var c = (float[])init.Clone();
                            Kernels.MatMul<float>(a, rows, k, lda, b, ldb, cols, c, ldc, accumulate, p, descending);
                            for (int i = 0; i < c.Length; i++)
                            {
                                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(c[i]),
                                    $"{name} (descending columns: {descending}): k={k} rows={rows} cols={cols} acc={accumulate} element {i}: {expected[i]:R} per call, {c[i]:R} packed once");
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// C (+)= Aᵀ·B read from A stored [k][rows] (<c>Kernels.MatMulTransposedA</c>, used for the weight gradients dAᵀ·X) gives the
    /// same bits as <c>Kernels.MatMul</c> on an explicitly transposed copy of A: the same κ order, k blocks and fused
    /// multiply–adds, on every row remainder of the 4-row tiles, the panel and column tails, and across k blocks (k ≥ 512: full-depth
    /// blocks of A copied into the contiguous buffer, panel by panel; k &lt; 512: one short block, four rows through every panel).
    /// </summary>
    [Fact]
    public void The_transposed_left_operand_gives_the_same_bits_as_a_transposed_copy()
    {
        var rng = new Random(31);
        foreach (int k in new[] { 0, 1, 5, 128, 129, 300, 512, 1100 })
        {
            foreach (var (rows, cols) in new[] { (1, 1), (1, 64), (3, 33), (4, 16), (7, 96), (9, 131), (64, 64), (97, 40) })
            {
                int lda = rows + 3, ldb = cols + 5, ldc = cols + 3;
                var at = Enumerable.Range(0, Math.Max(1, k) * lda).Select(_ => rng.NextDouble() - 0.5).ToArray();
                var a = new double[rows * Math.Max(1, k)];
                for (int r = 0; r < rows; r++)
                {
                    for (int q = 0; q < k; q++)
                    {
                        a[(r * k) + q] = at[(q * lda) + r];
                    }
                }

                var b = Enumerable.Range(0, Math.Max(1, k) * ldb).Select(_ => rng.NextDouble() - 0.5).ToArray();
                var init = Enumerable.Range(0, rows * ldc).Select(_ => rng.NextDouble()).ToArray();
                foreach (bool accumulate in new[] { false, true })
                {
                    var expected = (double[])init.Clone();
                    Kernels.MatMul<double>(a, rows, k, k, b, ldb, cols, expected, ldc, accumulate);
                    var c = (double[])init.Clone();
                    Kernels.MatMulTransposedA<double>(at, rows, k, lda, b, ldb, cols, c, ldc, accumulate);
                    var expectedF = init.Select(v => (float)v).ToArray();
                    Kernels.MatMul<float>(a.Select(v => (float)v).ToArray(), rows, k, k, b.Select(v => (float)v).ToArray(), ldb, cols, expectedF, ldc, accumulate);
                    var cf = init.Select(v => (float)v).ToArray();
                    Kernels.MatMulTransposedA<float>(at.Select(v => (float)v).ToArray(), rows, k, lda, b.Select(v => (float)v).ToArray(), ldb, cols, cf, ldc, accumulate);
                    for (int i = 0; i < c.Length; i++)
                    {
                        string ctx = $"k={k} rows={rows} cols={cols} acc={accumulate} element {i}";
                        Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(c[i]),
                            $"double {ctx}: {expected[i]:R} on the copy, {c[i]:R} in place");
                        Assert.True(BitConverter.SingleToInt32Bits(expectedF[i]) == BitConverter.SingleToInt32Bits(cf[i]),
                            $"float {ctx}: {expectedF[i]:R} on the copy, {cf[i]:R} in place");
                    }
                }
            }
        }
    }

    /// <summary>
    /// The paired product C = Aᵀ·B, C2 = Aᵀ·B2 with the sums of A's rows of depth (the weight gradients dW_x, dW_h and the
    /// bias of one backward pass, <c>Kernels.MatMulTransposedA</c> with two right operands) gives the bits of two separate
    /// products and of a row-by-row sum (one rounded addition per κ, in κ order), in float and double: on row remainders of the
    /// 4-row tiles, row blocks beyond 96, column tails, a missing or narrow operand, one short or several full-depth k blocks,
    /// and A with depth stride 1 (a single row, read in place).
    /// </summary>
    [Fact]
    public void The_paired_transposed_product_with_row_sums_gives_the_bits_of_separate_products_and_a_row_by_row_sum()
    {
        Paired<double>(new Random(41));
        Paired<float>(new Random(42));
    }

    private static void Paired<T>(Random rng)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        T[] Random(int n) => Enumerable.Range(0, n).Select(_ => T.CreateTruncating(rng.NextDouble() - 0.5)).ToArray();
        foreach (int k in new[] { 0, 1, 5, 300, 512, 1100 })
        {
            foreach (var (rows, cols, cols2, tight) in new[]
                { (1, 64, 64, true), (1, 33, 1, false), (3, 33, 64, false), (7, 96, 0, false), (9, 131, 40, false), (64, 64, 64, true), (97, 40, 70, false), (200, 32, 96, true), (5, 0, 33, false) })
            {
                int lda = tight ? rows : rows + 3, ldb = cols + 5, ldb2 = cols2 + 2, ldc = cols + 3, ldc2 = cols2 + 1;
                int depth = Math.Max(1, k);
                T[] at = Random(depth * lda), b = Random(depth * ldb), b2 = Random(depth * ldb2);
                T[] init = Random(rows * ldc), init2 = Random(rows * ldc2), sums0 = Random(rows);
                foreach (bool accumulate in new[] { false, true })
                {
                    string ctx = $"{typeof(T).Name} k={k} rows={rows} lda={lda} cols={cols} cols2={cols2} acc={accumulate}";
                    T[] c = (T[])init.Clone(), c2 = (T[])init2.Clone(), sums = (T[])sums0.Clone();
                    Kernels.MatMulTransposedA<T>(at, rows, k, lda, b, ldb, cols, c, ldc, b2, ldb2, cols2, c2, ldc2, accumulate, sums);
                    T[] e = (T[])init.Clone(), e2 = (T[])init2.Clone(), eSums = (T[])sums0.Clone();
                    Kernels.MatMulTransposedA<T>(at, rows, k, lda, b, ldb, cols, e, ldc, accumulate);
                    Kernels.MatMulTransposedA<T>(at, rows, k, lda, b2, ldb2, cols2, e2, ldc2, accumulate);
                    for (int q = 0; q < k; q++)
                    {
                        System.Numerics.Tensors.TensorPrimitives.Add<T>(eSums, at.AsSpan(q * lda, rows), eSums);
                    }

                    Compare.SameBits(e, c, ctx + " C", "separate", "paired");
                    Compare.SameBits(e2, c2, ctx + " C2", "separate", "paired");
                    Compare.SameBits(eSums, sums, ctx + " sums", "row by row", "from the copies");
                    T[] single = (T[])init.Clone(), singleSums = (T[])sums0.Clone();
                    Kernels.MatMulTransposedA<T>(at, rows, k, lda, b, ldb, cols, single, ldc, accumulate, singleSums);
                    Compare.SameBits(e, single, ctx + " C (one operand)", "without sums", "with sums");
                    Compare.SameBits(eSums, singleSums, ctx + " sums (one operand)", "row by row", "from the copies");
                }
            }
        }
    }
}
