using RnnVerify.Cells;
using Xunit;

namespace RnnVerify.Golden.Cells;

/// <summary>
/// With random weights distinct per gate, every gate permutation, a transposed W_h and the other GRU reset variant change the output;
/// with constant weights (as in the ONNX backend tests) a gate permutation changes nothing, which is why the random weights matter.
/// </summary>
public class DiscriminationTests
{
    /// <summary>A change smaller than this would be hard to tell from rounding in float; the observed changes are ≥ 1e-2.</summary>
    private const double MinChange = 1e-4;

    private static IEnumerable<int[]> Permutations(int n) => n == 1
        ? [[0]]
        : Permutations(n - 1).SelectMany(p => Enumerable.Range(0, n).Select(pos => p.Take(pos).Append(n - 1).Concat(p.Skip(pos)).ToArray()));

    /// <summary>Reorders gate blocks: new block k = old block perm[k] (rows of W_x, W_h, b_x, b_h).</summary>
    private static NetworkWeights PermuteGates(NetworkWeights w, int[] perm)
    {
        var s = w.Spec;
        int h = s.HiddenSize;
        double[] Rows(double[] a, int cols) => perm.SelectMany(k => a.Skip(k * h * cols).Take(h * cols)).ToArray();
        return new NetworkWeights(s, w.Layers.Select(l => new LayerWeights(Rows(l.Wx, l.Wx.Length / (s.Gates * h)), Rows(l.Wh, h), Rows(l.Bx, 1), Rows(l.Bh, 1), l.P)).ToArray());
    }

    private static double Change(NetworkWeights a, NetworkWeights b, double[] x, double[] h0)
    {
        var ra = Rnn.Run(a, x, 1, null, h0);
        var rb = Rnn.Run(b, x, 1, null, h0);
        return Compare.MaxDiff(ra.Y, rb.Y);
    }

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Every_gate_permutation_changes_the_output_of_distinct_random_weights(CellKind kind)
    {
        var spec = new CellSpec { Kind = kind, InputSize = 3, HiddenSize = 2 };
        var w = Rnn.RandomWeights(spec, 31, 0.9);
        double[] x = [0.7, -1.1, 0.4, 0.2, 0.9, -0.5, -0.8, 0.3, 1.2];
        double[] h0 = [0.5, -0.6];
        foreach (var perm in Permutations(spec.Gates).Where(p => !p.SequenceEqual(Enumerable.Range(0, spec.Gates))))
        {
            double change = Change(w, PermuteGates(w, perm), x, h0);
            Assert.True(change > MinChange, $"{kind} gate permutation [{string.Join(",", perm)}] changed y by only {Compare.R(change)}");
        }
    }

    [Fact]
    public void Constant_weights_cannot_see_a_gate_permutation()
    {
        var spec = new CellSpec { Kind = CellKind.Lstm, InputSize = 2, HiddenSize = 2 };
        var l = new LayerWeights(Enumerable.Repeat(0.1, 16).ToArray(), Enumerable.Repeat(0.1, 16).ToArray(), new double[8], new double[8], null);
        var w = new NetworkWeights(spec, [l]);
        double change = Change(w, PermuteGates(w, [3, 1, 2, 0]), [0.5, -0.5, 1, 2], [0.1, 0.2]);
        Assert.True(change == 0, $"constant weights: permutation changed y by {Compare.R(change)}");
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Transposing_the_recurrent_matrix_changes_the_output(CellKind kind)
    {
        var spec = new CellSpec { Kind = kind, InputSize = 2, HiddenSize = 3 };
        var w = Rnn.RandomWeights(spec, 41, 0.9);
        int h = spec.HiddenSize;
        var l0 = w.Layers[0];
        var wt = new double[l0.Wh.Length];
        for (int g = 0; g < spec.Gates; g++)
        {
            for (int i = 0; i < h; i++)
            {
                for (int j = 0; j < h; j++)
                {
                    wt[(g * h * h) + (i * h) + j] = l0.Wh[(g * h * h) + (j * h) + i];
                }
            }
        }

        var transposed = new NetworkWeights(spec, [l0 with { Wh = wt }]);
        double change = Change(w, transposed, [0.7, -1.1, 0.4, 0.2, 0.9, -0.5], [0.5, -0.6, 0.3]);
        Assert.True(change > MinChange, $"{kind}: transposed W_h changed y by only {Compare.R(change)}");
    }

    [Fact]
    public void The_two_GRU_reset_variants_give_different_outputs()
    {
        var spec = new CellSpec { Kind = CellKind.Gru, InputSize = 2, HiddenSize = 3, LinearBeforeReset = true };
        var w = Rnn.RandomWeights(spec, 43, 0.9);
        var other = new NetworkWeights(spec with { LinearBeforeReset = false }, w.Layers);
        double change = Change(w, other, [0.7, -1.1, 0.4, 0.2, 0.9, -0.5], [0.5, -0.6, 0.3]);
        Assert.True(change > MinChange, $"GRU reset variants differ by only {Compare.R(change)}");
    }

    [Fact]
    public void Each_named_reading_changes_the_output_where_runtimes_disagree()
    {
        double[] x = [0.7, -1.1, 0.4, 0.2, 0.9, -0.5];
        var lstm = new CellSpec { Kind = CellKind.Lstm, InputSize = 2, HiddenSize = 3, InputForget = true, Clip = 0.3 };
        var w = Rnn.RandomWeights(lstm, 47, 1.5);
        double Diff(CellSpec a, CellSpec b, int[]? lens = null, int batch = 1, double[]? input = null)
        {
            input ??= x;
            var ra = Rnn.Run(new NetworkWeights(a, Rnn.RandomWeights(a, 47, 1.5).Layers), input, batch, lens);
            var rb = Rnn.Run(new NetworkWeights(b, Rnn.RandomWeights(a, 47, 1.5).Layers), input, batch, lens);
            return Compare.MaxDiff(ra.Y, rb.Y);
        }

        Assert.True(w.Layers.Count == 1);
        Assert.True(Diff(lstm, lstm with { InputForgetReading = InputForgetReading.InputFromForget }) > MinChange, "input_forget readings");
        // A cell state beyond the clip bound (c0 = ±2, clip 0.3) is clipped under one reading only.
        var clipped = lstm with { InputForget = false };
        var cw = Rnn.RandomWeights(clipped, 47, 1.5);
        double clipChange = Compare.MaxDiff(
            Rnn.Run(cw, x, 1, null, null, [2, -2, 2]).Y,
            Rnn.Run(new NetworkWeights(clipped with { ClipReading = ClipReading.GateInputsAndCell }, cw.Layers), x, 1, null, null, [2, -2, 2]).Y);
        Assert.True(clipChange > MinChange, $"clip readings differ by only {Compare.R(clipChange)}");
        var bi = new CellSpec { Kind = CellKind.Rnn, InputSize = 2, HiddenSize = 2, Bidirectional = true };
        Assert.True(Diff(bi, bi with { Padding = PaddingReading.CarryLast }, [2], 1, [0.7, -1.1, 0.4, 0.2, 0.9, -0.5]) > MinChange, "padding readings");
        Assert.True(Diff(bi, bi with { ReverseOrder = ReverseOutputOrder.ProcessingOrder }) > MinChange, "reverse output orders");
    }
}
