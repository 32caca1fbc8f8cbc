using RnnVerify.Cells;
using RnnVerify.Oracle;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Engines;
using RnnVerify.Verify.Golden;
using Xunit;

namespace RnnVerify.Golden.Vectors;

/// <summary>The reference engine: hand-worked values, correct rounding, precision escalation, and gradients under layout names.</summary>
public sealed class ReferenceEngineTests
{
    /// <summary>
    /// A 1-unit linear Elman network (activation Identity), ONNX layout: W = 2, R = 0.5, B = [0.25, −0.125], h0 = 1, x = [0.5, −0.25].
    /// By hand: h1 = 2·0.5 + 0.25 − 0.125 + 0.5·1 = 1.625, h2 = 2·(−0.25) + 0.125 + 0.5·1.625 = 0.4375. With dy = [1, 1]:
    /// ∂L/∂h2 = 1, ∂L/∂h1 = 1 + 0.5·1 = 1.5; ∂L/∂x = [2·1.5, 2·1] = [3, 2]; ∂L/∂h0 = 0.5·1.5 = 0.75;
    /// ∂L/∂W = 1.5·0.5 + 1·(−0.25) = 0.5; ∂L/∂R = 1.5·1 + 1·1.625 = 3.125; ∂L/∂b_x = ∂L/∂b_h = 2.5. All exact dyadics.
    /// </summary>
    private static RnnCase LinearCase()
    {
        var spec = new CellSpec { Kind = CellKind.Rnn, InputSize = 1, HiddenSize = 1, Activations = [Activation.Identity] };
        var w = new NetworkWeights(spec, [new LayerWeights([2], [0.5], [0.25], [-0.125], null)]);
        var c = CaseBuilder.Create(w, "onnx", Dtype.Float64, new Tensor([2, 1, 1], [0.5, -0.25]), null, new Tensor([1, 1, 1], [1]));
        return c with { Claimed = new Claimed { Grad = new ClaimedGrad { Dy = new Tensor([2, 1, 1], [1, 1]) } } };
    }

    [Fact]
    public void The_reference_gives_the_hand_worked_outputs_and_gradients_of_a_linear_network_exactly_with_radius_0()
    {
        var r = ReferenceEngine.Compute(LinearCase());
        var expected = new Dictionary<string, double[]>
        {
            ["y"] = [1.625, 0.4375],
            ["h_n"] = [0.4375],
            ["grad.x"] = [3, 2],
            ["grad.h0"] = [0.75],
            ["grad.weights.W"] = [0.5],
            ["grad.weights.R"] = [3.125],
            ["grad.weights.B"] = [2.5, 2.5],
        };
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), r.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
        foreach (var (name, e) in expected)
        {
            var t = r[name]!;
            for (int k = 0; k < e.Length; k++)
            {
                Assert.True(t.Binary64[k] == e[k] && t.Binary32[k] == (float)e[k],
                    $"{name}[{k}]: binary64 {Vectors.R(t.Binary64[k])}, binary32 {Vectors.R(t.Binary32[k])}, expected {Vectors.R(e[k])}");
                Assert.Equal("0", t.Rad[k]);
                Assert.Equal(e[k], double.Parse(t.Mid[k], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>
    /// One tanh step, x = 1, W = 1, no bias, h0 = 0: y = tanh 1 = 0.76159415595576488811945828260479359… (mpmath, 300 bits).
    /// Nearest binary64 0.7615941559557649; nearest binary32 0x3F42F7D6 = 0.7615941762924194; 25 digits 7.615941559557648881194583e-1.
    /// </summary>
    [Fact]
    public void The_reference_rounds_tanh_1_correctly_to_binary64_and_binary32_and_prints_its_25_digit_midpoint()
    {
        var spec = new CellSpec { Kind = CellKind.Rnn, InputSize = 1, HiddenSize = 1, Activations = [Activation.Tanh] };
        var c = CaseBuilder.Create(new NetworkWeights(spec, [new LayerWeights([1], [0.25], [0], [0], null)]), "pytorch", Dtype.Float64,
            new Tensor([1, 1, 1], [1]));
        var y = ReferenceEngine.Compute(c)["y"]!;
        Assert.Equal(BitConverter.DoubleToInt64Bits(0.7615941559557649), BitConverter.DoubleToInt64Bits(y.Binary64[0]));
        Assert.Equal(0x3F42F7D6, BitConverter.SingleToInt32Bits(y.Binary32[0]));
        Assert.Equal("7.615941559557648881194583e-1", y.Mid[0]);
        double rad = double.Parse(y.Rad[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(rad > 0 && rad < 1e-25, $"radius {y.Rad[0]}");
    }

    [Fact]
    public void At_53_bits_the_enclosures_straddle_rounding_boundaries_so_the_engine_escalates_and_fails_only_at_its_maximum()
    {
        var c = GoldenVectors.Build(GoldenSet.Cases.Single(g => g.Name == "gru_onnx"), GoldenVectors.DefaultSeed);
        var e = Assert.Throws<EngineException>(() => ReferenceEngine.Compute(c, 53, 53));
        Assert.Contains("straddles", e.Message, StringComparison.Ordinal);
        Assert.Contains("at 53 bits", e.Message, StringComparison.Ordinal);
        var escalated = ReferenceEngine.Compute(c, 53);
        Assert.True(escalated.PrecisionBits > 53, $"certified at {escalated.PrecisionBits} bits");
        var standard = ReferenceEngine.Compute(c);
        foreach (var t in standard.Tensors)
        {
            var u = escalated[t.Name]!;
            Assert.Equal(t.Binary64, u.Binary64);
            Assert.Equal(t.Binary32, u.Binary32);
        }
    }

    /// <summary>The layout map agrees with the cells engine's own export of canonical gradients, in every layout and option of the golden set.</summary>
    [Fact]
    public void The_layout_map_sends_every_canonical_gradient_where_the_cells_engine_exports_it()
    {
        foreach (var g in GoldenSet.Cases)
        {
            var c = GoldenVectors.Build(g, 7);
            var rng = new Random(11);
            var grads = new NetworkWeights(c.Spec, c.Weights.Layers.Select(l => new LayerWeights(
                R(rng, l.Wx.Length), R(rng, l.Wh.Length), R(rng, l.Bx.Length), R(rng, l.Bh.Length), l.P is null ? null : R(rng, l.P.Length))).ToArray());
            var viaCells = CellsEngine.LayoutGradients(c, grads);
            var flat = LayoutGradientMap.Flatten(grads.Layers.Select(l => (l.Wx, l.Wh, l.Bx, l.Bh, l.P)));
            var sources = LayoutGradientMap.Sources(c.Layout, c.Spec);
            Assert.Equal(viaCells.Keys.Order(StringComparer.Ordinal), sources.Select(s => s.Name).Order(StringComparer.Ordinal));
            foreach (var (name, shape, source) in sources)
            {
                Assert.Equal(viaCells[name].Shape, shape);
                var mapped = Array.ConvertAll(source, i => flat[i]);
                Assert.True(mapped.AsSpan().SequenceEqual(viaCells[name].Data), $"{g.Name}: '{name}' maps differently from the cells engine's export");
            }
        }

        static double[] R(Random rng, int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
    }

    [Theory]
    [InlineData("float64")]
    [InlineData("float32")]
    public void Run_engine_reference_fills_outputs_and_gradients_and_check_passes_the_result(string dtype)
    {
        string dir = Path.Combine(Path.GetTempPath(), "rnnverify-ref-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string input = Path.Combine(dir, "in.json"), output = Path.Combine(dir, "out.json");
            CaseWriter.WriteFile(GoldenVectors.Build(GoldenSet.Cases.Single(g => g.Name == "lstm_onnx_peepholes"), 3), input);
            var err = new StringWriter();
            Assert.Equal(0, RunCommand.Run(input, "reference", dtype, output, err));
            Assert.Equal("", err.ToString());
            var c = CaseReader.ReadFile(output);
            Assert.Equal(dtype, c.Dtype.Name());
            var g = c.Claimed.Grad!;
            Assert.NotNull(c.Claimed.Y);
            Assert.NotNull(c.Claimed.CN);
            Assert.NotNull(g.X);
            Assert.NotNull(g.C0);
            Assert.Equal(["B", "P", "R", "W"], g.Weights.Keys.Order(StringComparer.Ordinal));
            if (dtype == "float32")
                Assert.All(g.Weights["R"].Data, v => Assert.Equal(v, (float)v));
            var (code, stdout, stderr) = Oracle.BadInputTests.Check(output);
            Assert.True(code == 0, stdout + stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
