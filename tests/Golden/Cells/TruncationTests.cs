using RnnVerify.Cells;
using Xunit;

namespace RnnVerify.Golden.Cells;

/// <summary>
/// Truncated BPTT against its definition built from full BPTT: the truncated gradient is the sum over terms t of the full gradient of
/// the sub-network run on steps s0..t (s0 = max(0, t − k + 1)) from the state the full run had reached before s0, held constant.
/// </summary>
public class TruncationTests
{
    /// <summary>Same formulas, different accumulation order: 1e-12·(1 + |expected|).</summary>
    private const double Tol = 1e-12;

    public static TheoryData<int, int> Cases()
    {
        var data = new TheoryData<int, int>();
        for (int seed = 2000; seed < 2030; seed++)
        {
            data.Add(seed, 1 + (seed % 4));
        }

        return data;
    }

    private static double[] Draw(Random rng, int n) => Enumerable.Range(0, n).Select(_ => (2 * rng.NextDouble()) - 1).ToArray();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Truncated_gradient_is_the_sum_of_full_gradients_over_each_terms_window(int seed, int window)
    {
        var c = RandomCases.Make(seed, allowBidirectional: false);
        var spec = c.Spec;
        int steps = c.Steps, batch = c.Batch, h = spec.HiddenSize, io = spec.InputSize, states = c.H0.Length;
        var rng = new Random(seed);
        var dy = Draw(rng, steps * batch * h);
        var dhN = Draw(rng, states);
        var dcN = spec.Kind == CellKind.Lstm ? Draw(rng, states) : null;
        var net = new Network<double>(c.Weights);

        var grads = new NetworkGradients<double>(spec);
        var dx = new double[c.X.Length];
        var dh0 = new double[states];
        net.Backward(batch, c.X, default, c.H0, c.C0, dy, dhN, dcN, grads, dx, dh0, default, window);

        var expW = new NetworkGradients<double>(spec).ToNetworkWeights();
        var expDx = new double[c.X.Length];
        var expDh0 = new double[states];
        var sub = new NetworkGradients<double>(spec);

        void Term(int last, bool final)
        {
            int s0 = Math.Max(0, last - window + 1);
            int len = last - s0 + 1;
            double[] hStart = c.H0, cStart = c.C0 ?? [];
            if (s0 > 0)
            {
                var prefix = Rnn.Run(c.Weights, c.X[..(s0 * batch * io)], batch, null, c.H0, c.C0);
                hStart = prefix.HN;
                cStart = prefix.CN ?? [];
            }

            var subDy = new double[len * batch * h];
            if (!final)
            {
                Array.Copy(dy, last * batch * h, subDy, (len - 1) * batch * h, batch * h);
            }

            var subDx = new double[len * batch * io];
            var subDh0 = new double[states];
            net.Backward(batch, c.X.AsSpan(s0 * batch * io, len * batch * io), default, hStart, cStart, subDy,
                final ? dhN : default, final ? dcN : default, sub, subDx, subDh0, default);
            var sw = sub.ToNetworkWeights();
            foreach (var ((_, acc, _), (_, add, _)) in FiniteDifference.Pairs(expW, expW).Zip(FiniteDifference.Pairs(sw, sw)))
            {
                for (int i = 0; i < acc.Length; i++)
                {
                    acc[i] += add[i];
                }
            }

            for (int i = 0; i < subDx.Length; i++)
            {
                expDx[(s0 * batch * io) + i] += subDx[i];
            }

            if (s0 == 0)
            {
                for (int i = 0; i < states; i++)
                {
                    expDh0[i] += subDh0[i];
                }
            }
        }

        for (int t = 0; t < steps; t++)
        {
            Term(t, final: false);
        }

        Term(steps - 1, final: true);

        string ctx = $"window {window}, {c}";
        foreach (var ((name, exp, _), (_, act, _)) in FiniteDifference.Pairs(expW, expW).Zip(FiniteDifference.Pairs(grads.ToNetworkWeights(), grads.ToNetworkWeights())))
        {
            Compare.Close(exp, act, Tol, Tol, $"{name}, {ctx}");
        }

        Compare.Close(expDx, dx, Tol, Tol, $"dx, {ctx}");
        Compare.Close(expDh0, dh0, Tol, Tol, $"dh0, {ctx}");
    }

    [Fact]
    public void A_window_as_long_as_the_sequence_gives_the_full_gradient()
    {
        var c = RandomCases.Make(77, CellKind.Lstm, allowBidirectional: false);
        var net = new Network<double>(c.Weights);
        var dy = Draw(new Random(77), c.Steps * c.Batch * c.Spec.HiddenSize);
        var full = new NetworkGradients<double>(c.Spec);
        var windowed = new NetworkGradients<double>(c.Spec);
        net.Backward(c.Batch, c.X, c.Lens, c.H0, c.C0, dy, default, default, full, default, default, default);
        net.Backward(c.Batch, c.X, c.Lens, c.H0, c.C0, dy, default, default, windowed, default, default, default, c.Steps);
        Assert.Equal(full.ToNetworkWeights().Layers.SelectMany(l => l.Wh), windowed.ToNetworkWeights().Layers.SelectMany(l => l.Wh));
    }

    [Fact]
    public void Truncation_of_a_bidirectional_network_is_rejected()
    {
        var spec = new CellSpec { Kind = CellKind.Gru, InputSize = 1, HiddenSize = 1, Bidirectional = true };
        var net = new Network<double>(Rnn.RandomWeights(spec, 1));
        var ex = Assert.Throws<ArgumentException>(() =>
            net.Backward(1, new double[3], default, default, default, default, default, default, new NetworkGradients<double>(spec), default, default, default, 2));
        Assert.Equal("truncationWindow", ex.ParamName);
    }
}
