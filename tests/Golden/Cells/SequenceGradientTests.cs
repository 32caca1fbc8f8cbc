using RnnVerify.Cells;
using Xunit;

namespace RnnVerify.Golden.Cells;

/// <summary>Gradient conventions at padded steps, and float gradients against double.</summary>
public class SequenceGradientTests
{
    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void No_gradient_reaches_inputs_at_padded_steps(CellKind kind)
    {
        foreach (bool bidirectional in new[] { false, true })
        {
            foreach (var padding in new[] { PaddingReading.Zeros, PaddingReading.CarryLast })
            {
                var spec = new CellSpec { Kind = kind, InputSize = 2, HiddenSize = 2, NumLayers = 2, Bidirectional = bidirectional, Padding = padding };
                var w = Rnn.RandomWeights(spec, 5);
                int steps = 4, batch = 3;
                int[] lens = [4, 2, 0];
                var rng = new Random(5);
                var x = Enumerable.Range(0, steps * batch * 2).Select(_ => rng.NextDouble() - 0.5).ToArray();
                var dy = Enumerable.Range(0, steps * batch * spec.Directions * 2).Select(_ => rng.NextDouble() - 0.5).ToArray();
                var dx = new double[x.Length];
                var dh0 = new double[spec.NumLayers * spec.Directions * batch * 2];
                new Network<double>(w).Backward(batch, x, lens, default, default, dy, default, default, new NetworkGradients<double>(spec), dx, dh0, default);
                for (int t = 0; t < steps; t++)
                {
                    for (int b = 0; b < batch; b++)
                    {
                        for (int i = 0; i < 2; i++)
                        {
                            double v = dx[(((t * batch) + b) * 2) + i];
                            if (t >= lens[b])
                            {
                                Assert.True(v == 0, $"{kind} bidir={bidirectional} {padding}: dx[t={t}, b={b}] = {Compare.R(v)} at a padded step");
                            }
                            else
                            {
                                Assert.True(v != 0, $"{kind} bidir={bidirectional} {padding}: dx[t={t}, b={b}] is 0 at a valid step");
                            }
                        }
                    }
                }

                // An entry of length 0 passes its initial state straight through: dh0 is dhN (zero here) plus, under CarryLast,
                // every padded output's gradient of the last layer; under Zeros nothing.
                for (int ld = 0; ld < spec.NumLayers * spec.Directions; ld++)
                {
                    for (int j = 0; j < 2; j++)
                    {
                        double v = dh0[(((ld * batch) + 2) * 2) + j];
                        int layer = ld / spec.Directions, d = ld % spec.Directions;
                        double expected = 0;
                        if (padding == PaddingReading.CarryLast && layer == spec.NumLayers - 1)
                        {
                            for (int t = 0; t < steps; t++)
                            {
                                expected += dy[(((t * batch) + 2) * spec.Directions * 2) + (d * 2) + j];
                            }
                        }

                        Compare.Close(expected, v, 1e-15, 1e-15, $"{kind} bidir={bidirectional} {padding}: dh0[{ld}, b=2, {j}] of an empty sequence");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Values_at_padded_steps_are_never_read_so_NaN_padding_leaves_outputs_and_gradients_unchanged(CellKind kind)
    {
        foreach (bool lbr in new[] { true, false })
        {
            var spec = new CellSpec { Kind = kind, InputSize = 2, HiddenSize = 3, NumLayers = 2, LinearBeforeReset = lbr };
            var net = new Network<double>(Rnn.RandomWeights(spec, 9));
            int steps = 4, batch = 2;
            int[] lens = [4, 1];
            var rng = new Random(9);
            var x = Enumerable.Range(0, steps * batch * 2).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var dy = Enumerable.Range(0, steps * batch * 3).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var poisoned = (double[])x.Clone();
            for (int t = 1; t < steps; t++)
            {
                poisoned[(((t * batch) + 1) * 2) + 0] = double.NaN;
                poisoned[(((t * batch) + 1) * 2) + 1] = double.PositiveInfinity;
            }

            var g1 = new NetworkGradients<double>(spec);
            var g2 = new NetworkGradients<double>(spec);
            var dx1 = new double[x.Length];
            var dx2 = new double[x.Length];
            var y1 = new double[dy.Length];
            var y2 = new double[dy.Length];
            net.Forward(batch, x, lens, default, default, y1, default, default);
            net.Forward(batch, poisoned, lens, default, default, y2, default, default);
            net.Backward(batch, x, lens, default, default, dy, default, default, g1, dx1, default, default);
            net.Backward(batch, poisoned, lens, default, default, dy, default, default, g2, dx2, default, default);
            Compare.Close(y1, y2, 0, 0, $"{kind} lbr={lbr} y");
            Compare.Close(dx1, dx2, 0, 0, $"{kind} lbr={lbr} dx");
            var w1 = g1.ToNetworkWeights();
            var w2 = g2.ToNetworkWeights();
            foreach (var ((name, a, _), (_, b, _)) in FiniteDifference.Pairs(w1, w1).Zip(FiniteDifference.Pairs(w2, w2)))
            {
                Compare.Close(a, b, 0, 0, $"{kind} lbr={lbr} ∂L/∂{name}");
            }
        }
    }

    [Fact]
    public void Float_gradients_agree_with_double_within_a_stated_bound()
    {
        // Float rounding (u = 6e-8) amplified by ≤ 5 steps, 2 layers and the backward chain; asserted 1e-4·(1 + |g|), about 1700 u.
        // The default activations (σ, tanh) are used: with identity or relu gates the network can be expansive and the float error
        // grows with the condition number (observed 1.1e-4 relative on seed 3019 with identity z), which this bound does not model.
        const double tol = 1e-4;
        for (int seed = 3000; seed < 3040; seed++)
        {
            var r = RandomCases.Make(seed);
            var c = r with { Spec = r.Spec with { Activations = null }, Weights = new NetworkWeights(r.Spec with { Activations = null }, r.Weights.Layers) };
            var rng = new Random(seed);
            var dy = Enumerable.Range(0, c.Steps * c.Batch * c.Spec.Directions * c.Spec.HiddenSize).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var gd = new NetworkGradients<double>(c.Spec);
            var gf = new NetworkGradients<float>(c.Spec);
            var dxd = new double[c.X.Length];
            var dxf = new float[c.X.Length];
            new Network<double>(c.Weights).Backward(c.Batch, c.X, c.Lens, c.H0, c.C0, dy, default, default, gd, dxd, default, default);
            static float[] F(double[]? a) => a is null ? [] : a.Select(v => (float)v).ToArray();
            new Network<float>(c.Weights).Backward(c.Batch, F(c.X), c.Lens, F(c.H0), F(c.C0), F(dy), default, default, gf, dxf, default, default);
            var wd = gd.ToNetworkWeights();
            var wf = gf.ToNetworkWeights();
            foreach (var ((name, a, _), (_, b, _)) in FiniteDifference.Pairs(wd, wd).Zip(FiniteDifference.Pairs(wf, wf)))
            {
                Compare.Close(a, b, tol, tol, $"float vs double ∂L/∂{name}, {c}");
            }

            Compare.Close(dxd, dxf.Select(v => (double)v).ToArray(), tol, tol, $"float vs double dx, {c}");
        }
    }
}
