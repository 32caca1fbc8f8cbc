using System.Numerics;
using RnnVerify.Cells;
using Xunit;

namespace RnnVerify.Golden.Cells;

/// <summary>
/// At batch 1 with a packed W_hᵀ of at least 256 KB and input size = hidden size, the forward computes the input projection of
/// each block of 8 steps inside the recurrent products of the block before it (one loop over κ for both products), and runs
/// the columns of the recurrent product in alternating direction from step to step. Each entry of both products is the same
/// chain of fused multiply–adds as in the separate products of a larger batch, so a sequence run alone must give the bits it
/// gives as row 0 of a batch of two: y, h_n, c_n, and through the tape dx and dh0.
/// </summary>
public class InterleavedProjectionTests
{
    /// <summary>
    /// Sizes at which the interleaving runs (float LSTM H = 128: 256 KB; GRU H = 160: 300 KB with a tail of single panels;
    /// GRU with the reset before the product H = 224, whose W_hᵀ holds only r and z; RNN H = 256; double LSTM H = 96), one or
    /// two directions, lengths with and without a partial last block (37 = 4 blocks + 5, 16 = 2 blocks), one block (15: not
    /// interleaved), and a batch-1 row shorter than T (the padded steps take the row-by-row path while the projection of
    /// the later blocks is still computed inside the products).
    /// </summary>
    [Theory]
    [InlineData(CellKind.Lstm, 128, true, false)]
    [InlineData(CellKind.Gru, 160, true, false)]
    [InlineData(CellKind.Gru, 224, false, false)]
    [InlineData(CellKind.Rnn, 256, true, false)]
    [InlineData(CellKind.Lstm, 128, true, true)]
    [InlineData(CellKind.Gru, 160, true, true)]
    public void A_sequence_alone_gives_the_bits_it_gives_in_a_batch_of_two(CellKind kind, int h, bool linearBeforeReset, bool bidirectional)
    {
        var spec = new CellSpec { Kind = kind, InputSize = h, HiddenSize = h, LinearBeforeReset = linearBeforeReset, Bidirectional = bidirectional };
        var w = Rnn.RandomWeights(spec, 70 + h, 1.5);
        foreach (var (steps, len) in new[] { (37, 37), (16, 16), (15, 15), (37, 29) })
        {
            Check<float>(spec, w, steps, len, v => (float)v);
        }

        if (kind == CellKind.Lstm && !bidirectional)
        {
            var specD = spec with { InputSize = 96, HiddenSize = 96 };
            Check<double>(specD, Rnn.RandomWeights(specD, 11, 1.5), 37, 37, v => v);
        }
    }

    private static void Check<T>(CellSpec spec, NetworkWeights w, int steps, int len, Func<double, T> convert)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = spec.HiddenSize, input = spec.InputSize, dirs = spec.Bidirectional ? 2 : 1;
        var rng = new Random(steps + h);
        T[] Draw(int n, double scale) => Enumerable.Range(0, n).Select(_ => convert((rng.NextDouble() - 0.5) * scale)).ToArray();
        var x2 = Draw(steps * 2 * input, 4);
        var h02 = Draw(dirs * 2 * h, 1);
        var c02 = spec.Kind == CellKind.Lstm ? Draw(dirs * 2 * h, 2) : [];
        var dy2 = Draw(steps * 2 * dirs * h, 1);
        int[] lens2 = len == steps ? [] : [len, steps];
        int[] lens1 = len == steps ? [] : [len];

        var one = Run(spec, w, 1, Row0(x2, steps, input), lens1, Row0(h02, dirs, h), Row0(c02, dirs, h), Row0(dy2, steps, dirs * h));
        var two = Run(spec, w, 2, x2, lens2, h02, c02, dy2);
        string ctx = $"{spec.Kind} {typeof(T).Name} H = {h} directions = {dirs} T = {steps} len = {len}";
        Compare.SameBits(Row0(two.Y, steps, dirs * h), one.Y, $"y, {ctx}", "batch of two", "alone");
        Compare.SameBits(Row0(two.HN, dirs, h), one.HN, $"h_n, {ctx}", "batch of two", "alone");
        Compare.SameBits(Row0(two.CN, dirs, h), one.CN, $"c_n, {ctx}", "batch of two", "alone");
        Compare.SameBits(Row0(two.Dx, steps, input), one.Dx, $"dx, {ctx}", "batch of two", "alone");
        Compare.SameBits(Row0(two.Dh0, dirs, h), one.Dh0, $"dh0, {ctx}", "batch of two", "alone");
    }

    private static (T[] Y, T[] HN, T[] CN, T[] Dx, T[] Dh0) Run<T>(CellSpec spec, NetworkWeights w, int batch, T[] x, int[] lens,
        T[] h0, T[] c0, T[] dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int states = (spec.Bidirectional ? 2 : 1) * batch * spec.HiddenSize;
        var net = new Network<T>(w);
        var y = new T[dy.Length];
        var hN = new T[states];
        var cN = spec.Kind == CellKind.Lstm ? new T[states] : [];
        net.Forward(batch, x, lens, h0, c0, y, hN, cN);
        var dx = new T[x.Length];
        var dh0 = new T[states];
        var dc0 = spec.Kind == CellKind.Lstm ? new T[states] : [];
        net.Backward(batch, x, lens, h0, c0, dy, [], [], new NetworkGradients<T>(spec), dx, dh0, dc0);
        return (y, hN, cN, dx, dh0);
    }

    /// <summary>[n][2][width] → [n][1][width] (row 0 of each block).</summary>
    private static T[] Row0<T>(T[] a, int n, int width)
    {
        if (a.Length == 0)
        {
            return a;
        }

        var r = new T[n * width];
        for (int i = 0; i < n; i++)
        {
            a.AsSpan(i * 2 * width, width).CopyTo(r.AsSpan(i * width));
        }

        return r;
    }
}

/// <summary>
/// A full backward sweep writes dW_x and dW_h instead of adding to zeros cleared first: gradients that held NaN from an earlier
/// use must come out with the bits of fresh ones, for a full sweep and a truncated one (which still clears and accumulates),
/// with both GRU readings (the reset-before reading writes dW_h in two row ranges), two layers and two directions, with a
/// zero-length entry (rows without a cell) and with every row active (dW_x and dW_h in one pass over dA, the bias sums taken
/// from its copies).
/// </summary>
public class GradientOverwriteTests
{
    [Theory]
    [InlineData(CellKind.Lstm, true, 0, true)]
    [InlineData(CellKind.Gru, false, 0, true)]
    [InlineData(CellKind.Gru, true, 0, true)]
    [InlineData(CellKind.Rnn, true, 0, true)]
    [InlineData(CellKind.Lstm, true, 2, true)]
    [InlineData(CellKind.Lstm, true, 0, false)]
    [InlineData(CellKind.Gru, false, 0, false)]
    [InlineData(CellKind.Gru, true, 0, false)]
    [InlineData(CellKind.Rnn, true, 0, false)]
    [InlineData(CellKind.Gru, true, 2, false)]
    public void Gradients_from_an_earlier_call_do_not_leak_into_the_next(CellKind kind, bool linearBeforeReset, int window, bool gaps)
    {
        const int steps = 5, batch = 3, input = 4, h = 40;
        var spec = new CellSpec
        {
            Kind = kind, InputSize = input, HiddenSize = h, LinearBeforeReset = linearBeforeReset,
            NumLayers = window == 0 ? 2 : 1, Bidirectional = window == 0,
        };
        var net = new Network<double>(Rnn.RandomWeights(spec, 5, 1.0));
        var rng = new Random(7);
        var x = Enumerable.Range(0, steps * batch * input).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var dy = Enumerable.Range(0, steps * batch * spec.Directions * h).Select(_ => rng.NextDouble() - 0.5).ToArray();
        int[] lens = gaps ? [steps, 0, 3] : [steps, steps, steps];
        var fresh = new NetworkGradients<double>(spec);
        net.Backward(batch, x, lens, [], [], dy, [], [], fresh, [], [], [], window);
        var stale = new NetworkGradients<double>(spec);
        foreach (var g in stale.Layers)
        {
            Array.Fill(g.Wx, double.NaN);
            Array.Fill(g.Wh, double.NaN);
            Array.Fill(g.Bx, double.NaN);
            Array.Fill(g.Bh, double.NaN);
        }

        net.Backward(batch, x, lens, [], [], dy, [], [], stale, [], [], [], window);
        for (int l = 0; l < fresh.Layers.Count; l++)
        {
            foreach (var (name, e, a) in new[] { ("dW_x", fresh.Layers[l].Wx, stale.Layers[l].Wx), ("dW_h", fresh.Layers[l].Wh, stale.Layers[l].Wh), ("db_x", fresh.Layers[l].Bx, stale.Layers[l].Bx), ("db_h", fresh.Layers[l].Bh, stale.Layers[l].Bh) })
            {
                for (int i = 0; i < e.Length; i++)
                {
                    Assert.False(double.IsNaN(e[i]), $"{kind} layer {l} {name}[{i}]: fresh gradient is NaN");
                    Assert.True(BitConverter.DoubleToInt64Bits(e[i]) == BitConverter.DoubleToInt64Bits(a[i]),
                        $"{kind} window {window} layer {l} {name}[{i}]: fresh {Compare.R(e[i])}, after a stale buffer {Compare.R(a[i])}");
                }
            }
        }
    }
}

/// <summary>
/// The recurrent product of the last step in processing order feeds ∂L/∂h0 only, and is skipped when dh0 is not asked for:
/// every other gradient keeps its bits whether dh0 is asked for or not (batch 1 and 3, both directions, two layers, every
/// cell kind), and dh0 is the one of a call that asks for it.
/// </summary>
public class InitialStateGradientTests
{
    [Theory]
    [InlineData(CellKind.Lstm, 1)]
    [InlineData(CellKind.Lstm, 3)]
    [InlineData(CellKind.Gru, 3)]
    [InlineData(CellKind.Rnn, 1)]
    public void Skipping_the_last_product_when_dh0_is_not_asked_for_changes_no_other_gradient(CellKind kind, int batch)
    {
        const int steps = 6, input = 5, h = 40;
        var spec = new CellSpec { Kind = kind, InputSize = input, HiddenSize = h, NumLayers = 2, Bidirectional = true };
        var net = new Network<float>(Rnn.RandomWeights(spec, 9, 1.0));
        var rng = new Random(11);
        float[] Random(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var x = Random(steps * batch * input);
        var dy = Random(steps * batch * spec.Directions * h);
        var h0 = Random(spec.NumLayers * spec.Directions * batch * h);
        int states = h0.Length;
        var withDh0 = new NetworkGradients<float>(spec);
        var dxWith = new float[x.Length];
        var dh0 = new float[states];
        net.Backward(batch, x, [], h0, [], dy, [], [], withDh0, dxWith, dh0, []);
        var without = new NetworkGradients<float>(spec);
        var dxWithout = new float[x.Length];
        net.Backward(batch, x, [], h0, [], dy, [], [], without, dxWithout, [], []);
        Compare.SameBits(dxWith, dxWithout, $"{kind} B={batch} dx", "with dh0", "without");
        for (int l = 0; l < withDh0.Layers.Count; l++)
        {
            var (e, a) = (withDh0.Layers[l], without.Layers[l]);
            Compare.SameBits(e.Wx, a.Wx, $"{kind} B={batch} layer {l} dW_x", "with dh0", "without");
            Compare.SameBits(e.Wh, a.Wh, $"{kind} B={batch} layer {l} dW_h", "with dh0", "without");
            Compare.SameBits(e.Bx, a.Bx, $"{kind} B={batch} layer {l} db_x", "with dh0", "without");
            Compare.SameBits(e.Bh, a.Bh, $"{kind} B={batch} layer {l} db_h", "with dh0", "without");
        }

        Assert.Contains(dh0, v => v != 0);
    }
}
