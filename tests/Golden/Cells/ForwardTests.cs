using RnnVerify.Cells;
using Xunit;

namespace RnnVerify.Golden.Cells;

/// <summary>The vectorised network against the scalar transcription <see cref="NaiveRnn"/>, and forward edge cases.</summary>
public class ForwardTests
{
    /// <summary>
    /// Both evaluate the same formulas in double with different summation orders; with |weights| ≤ 0.8, |x| ≤ 1.5, at most
    /// 12 terms per dot product and activations with Lipschitz constant ≤ 1 that is a few hundred ulps of values of order 1 after
    /// 5 steps and 2 layers: 1e-12 absolute. Identity and relu let values grow (up to ~10³ here), so the bound is relative
    /// too: 1e-12·(1 + |expected|).
    /// </summary>
    private const double SameFormulaTol = 1e-12;

    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 400));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Network_matches_the_scalar_transcription_of_the_equations_on_every_option(int seed)
    {
        var c = RandomCases.Make(seed);
        var expected = NaiveRnn.Run(c.Weights, c.X, c.Batch, c.Lens, c.H0, c.C0);
        var actual = Rnn.Run(c.Weights, c.X, c.Batch, c.Lens, c.H0, c.C0);
        Compare.Close(expected.Y, actual.Y, SameFormulaTol, SameFormulaTol, $"y, {c}");
        Compare.Close(expected.HN, actual.HN, SameFormulaTol, SameFormulaTol, $"hN, {c}");
        if (c.Spec.Kind == CellKind.Lstm)
        {
            Compare.Close(expected.CN, actual.CN!, SameFormulaTol, SameFormulaTol, $"cN, {c}");
        }
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Huge_finite_inputs_give_finite_saturated_outputs(CellKind kind)
    {
        foreach (var acts in kind switch
        {
            CellKind.Lstm => new Activation[][] { [Activation.Sigmoid, Activation.Tanh, Activation.Tanh], [Activation.Sigmoid, Activation.Sigmoid, Activation.Sigmoid] },
            CellKind.Gru => [[Activation.Sigmoid, Activation.Tanh], [Activation.Sigmoid, Activation.Sigmoid]],
            _ => [[Activation.Tanh], [Activation.Sigmoid]],
        })
        {
            var spec = new CellSpec { Kind = kind, InputSize = 2, HiddenSize = 3, Activations = acts, Bidirectional = true };
            var w = Rnn.RandomWeights(spec, 7, 1.0);
            // Largest magnitudes are float-representable so that the float run also receives finite input.
            double[] x = [1000, -1000, -1e30, 1e30, 1e6, -3e5];
            var r = Rnn.Run(w, x, 1);
            foreach (double v in r.Y.Concat(r.HN))
            {
                Assert.True(double.IsFinite(v) && Math.Abs(v) <= 1, $"{kind} {string.Join(",", acts)}: output {Compare.R(v)} is not a finite value in [−1, 1]");
            }

            var f = new float[r.Y.Length];
            new Network<float>(w).Forward(1, x.Select(v => (float)v).ToArray(), default, default, default, f, default, default);
            Assert.All(f, v => Assert.True(float.IsFinite(v) && Math.Abs(v) <= 1, $"float output {v:R}"));
        }
    }

    [Fact]
    public void Sigmoid_and_tanh_saturate_exactly_at_plus_minus_1000()
    {
        // One unit, identity weight on the input, zero bias and recurrence: y = φ(x).
        foreach (var (phi, input, expected) in new[]
        {
            (Activation.Sigmoid, -1000.0, 0.0), (Activation.Sigmoid, 1000.0, 1.0),
            (Activation.Tanh, -1000.0, -1.0), (Activation.Tanh, 1000.0, 1.0),
        })
        {
            var spec = new CellSpec { Kind = CellKind.Rnn, InputSize = 1, HiddenSize = 1, Activations = [phi] };
            var w = new NetworkWeights(spec, [new LayerWeights([1.0], [0.0], [0.0], [0.0], null)]);
            double d = Rnn.Run(w, [input]).Y[0];
            var f = new float[1];
            Rnn.Forward<float>(w, 1, [(float)input], default, default, default, f, default, default);
            Assert.True(d == expected, $"double {phi}({input}) = {Compare.R(d)}, expected {expected}");
            Assert.True(f[0] == (float)expected, $"float {phi}({input}) = {f[0]:R}, expected {expected}");
        }
    }

    [Fact]
    public void Float_and_double_agree_within_the_float_rounding_bound()
    {
        // Each step's float error is a few units of u = 2^-24 ≈ 6e-8 on values of order 1 (dot products of ≤ 12 terms with
        // |w| ≤ 0.8, then activations with Lipschitz ≤ 1); propagated through ≤ 5 steps and 2 layers with gain ≤ 12·0.8 per step in
        // the worst case but contracting in practice. We assert 1e-5·(1 + |expected|), i.e. about 170 u relative (identity and relu
        // activations let values grow to ~10), and record the observed maximum in docs/tolerances.md.
        const double floatTol = 1e-5;
        for (int seed = 1; seed <= 100; seed++)
        {
            var c = RandomCases.Make(seed);
            var d = Rnn.Run(c.Weights, c.X, c.Batch, c.Lens, c.H0, c.C0);
            var yf = new float[d.Y.Length];
            var hf = new float[d.HN.Length];
            new Network<float>(c.Weights).Forward(c.Batch, c.X.Select(v => (float)v).ToArray(), c.Lens,
                c.H0.Select(v => (float)v).ToArray(), c.C0 is null ? default : c.C0.Select(v => (float)v).ToArray(), yf, hf, default);
            Compare.Close(d.Y, yf.Select(v => (double)v).ToArray(), floatTol, floatTol, $"y float vs double, {c}");
            Compare.Close(d.HN, hf.Select(v => (double)v).ToArray(), floatTol, floatTol, $"hN float vs double, {c}");
        }
    }

    [Fact]
    public void Bad_lengths_are_rejected_with_the_argument_and_sizes_named()
    {
        var spec = new CellSpec { Kind = CellKind.Lstm, InputSize = 2, HiddenSize = 2, NumLayers = 2 };
        var net = new Network<double>(Rnn.RandomWeights(spec, 1));
        var ex = Assert.Throws<ArgumentException>(() => net.Forward(1, new double[4], default, new double[7], default, default, default, default));
        Assert.Equal("h0", ex.ParamName);
        Assert.Contains("h0 has length 7, expected numLayers·directions·batch·hiddenSize = 4", ex.Message, StringComparison.Ordinal);
        var ex2 = Assert.Throws<ArgumentException>(() => net.Forward(1, new double[3], default, default, default, default, default, default));
        Assert.Equal("x", ex2.ParamName);
        var ex3 = Assert.Throws<ArgumentException>(() => net.Forward(2, new double[4], new[] { 2, 3 }, default, default, default, default, default));
        Assert.Equal("seqLens", ex3.ParamName);
        var bad = new CellSpec { Kind = CellKind.Gru, InputSize = 2, HiddenSize = 2 };
        var w = Rnn.RandomWeights(bad, 1);
        var broken = new NetworkWeights(bad, [w.Layers[0] with { Wh = new double[11] }]);
        var ex4 = Assert.Throws<ArgumentException>(() => new Network<double>(broken));
        Assert.Contains("weights.Layers[0].Wh has length 11, expected gates·hiddenSize·hiddenSize = 12", ex4.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_network_instance_gives_the_same_result_when_reused_across_sizes()
    {
        var c = RandomCases.Make(11, CellKind.Lstm);
        var net = new Network<double>(c.Weights);
        var first = new double[c.Steps * c.Batch * c.Spec.Directions * c.Spec.HiddenSize];
        net.Forward(c.Batch, c.X, c.Lens, c.H0, c.C0, first, default, default);
        var other = new double[2 * c.Spec.InputSize * 3];
        net.Forward(3, other, default, default, default, new double[2 * 3 * c.Spec.Directions * c.Spec.HiddenSize], default, default);
        var again = new double[first.Length];
        net.Forward(c.Batch, c.X, c.Lens, c.H0, c.C0, again, default, default);
        Assert.Equal(first, again);
    }
}
