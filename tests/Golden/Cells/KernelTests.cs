using RnnVerify.Cells;
using Xunit;

namespace RnnVerify.Golden.Cells;

/// <summary>The blocked, register-tiled A·Bᵀ kernel against a triple loop, on every tile edge and SIMD tail length.</summary>
public class KernelTests
{
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
                                    dot += a[(r * k) + i] * b[(j * k) + i];
                                }

                                expected = accumulate ? expected + dot : dot;
                            }

                            // Reordered sums of k ≤ 37 products of size ≤ 1/4: γ_k·Σ|a||b| ≤ 37·u·10 in double, 37·2^-24·10 in float.
                            string ctx = $"k={k} rows={rows} cols={cols} acc={accumulate} C[{r}][{j}]";
                            Compare.Close(expected, c[(r * ldc) + j], 1e-13, 0, "double " + ctx);
                            Compare.Close(expected, cf[(r * ldc) + j], 3e-5, 0, "float " + ctx);
                        }
                    }
                }
            }
        }
    }
}
