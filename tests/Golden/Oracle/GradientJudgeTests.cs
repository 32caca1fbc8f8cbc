using RnnVerify.Cells;
using RnnVerify.Cells.Layouts;
using RnnVerify.Oracle;
using RnnVerify.Verify;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Checking;
using RnnVerify.Verify.Engines;
using Xunit;
using Xunit.Abstractions;

namespace RnnVerify.Golden.Oracle;

/// <summary>
/// The oracle judges claimed gradients (grad.x, grad.h0, grad.c0, grad.weights.NAME in the case's layout) with the
/// tolerance model's BPTT bounds: the C# cells' gradients pass in float32 and float64 for every cell and layout, and
/// gradients with a deliberate bug fail.
/// </summary>
public class GradientJudgeTests(ITestOutputHelper output)
{
    /// <summary>Cases per (cell, layout, dtype); sizes H ≤ 4, T ≤ 4, B ≤ 2 keep each check to milliseconds.</summary>
    private const int CasesPerCombination = 3;

    /// <summary>Every cell (both GRU variants) × every layout × both dtypes.</summary>
    public static TheoryData<string, string, Dtype> Combinations()
    {
        var data = new TheoryData<string, string, Dtype>();
        foreach (var cell in new[] { "rnn_tanh", "rnn_relu", "lstm", "gru", "gru_reset_before" })
            foreach (var layout in WeightLayouts.Names)
                foreach (var dtype in new[] { Dtype.Float32, Dtype.Float64 })
                    data.Add(cell, layout, dtype);
        return data;
    }

    /// <summary>A random case of the named cell with random upstream dy, dh_n (and dc_n); peepholes only where the layout holds them.</summary>
    internal static RnnCase RandomCase(string cell, string layout, Dtype dtype, Random rng, int minSteps = 1, int minHidden = 1)
    {
        var kind = cell switch { "lstm" => CellKind.Lstm, "gru" or "gru_reset_before" => CellKind.Gru, _ => CellKind.Rnn };
        var spec = new CellSpec
        {
            Kind = kind,
            InputSize = 1 + rng.Next(3),
            HiddenSize = minHidden + rng.Next(5 - minHidden),
            NumLayers = 1 + rng.Next(2),
            Bidirectional = rng.Next(2) == 0,
            Activations = kind == CellKind.Rnn ? [cell == "rnn_relu" ? Activation.Relu : Activation.Tanh] : null,
            Peepholes = kind == CellKind.Lstm && layout == "onnx" && rng.Next(2) == 0,
            LinearBeforeReset = cell != "gru_reset_before",
        };
        var c = CaseBuilder.Random(spec, layout, dtype, minSteps + rng.Next(5 - minSteps), 1 + rng.Next(2), rng,
            withSeqLens: rng.Next(2) == 0, minSeqLen: 1);
        return c with { Claimed = new Claimed { Grad = CaseBuilder.RandomUpstream(c, rng) } };
    }

    /// <summary>The case with the cells' results (forward and gradients) as its claims.</summary>
    private static RnnCase WithCellsClaims(RnnCase c) => c with { Claimed = new CellsEngine().Run(c, c.Dtype) };

    [Theory]
    [MemberData(nameof(Combinations))]
    public void The_cells_gradients_pass_with_every_weight_judged_by_its_layout_name(string cell, string layout, Dtype dtype)
    {
        int seed = Seed(4711, cell, layout, dtype);
        var rng = new Random(seed);
        for (int i = 0; i < CasesPerCombination; i++)
        {
            var c = WithCellsClaims(RandomCase(cell, layout, dtype, rng));
            var v = Verifier.Check(c);
            var slots = WeightLayouts.Get(layout)!.Slots(c.Spec).Select(s => "grad.weights." + s.Name).Order(StringComparer.Ordinal);
            Assert.Empty(v.Unchecked);
            Assert.Equal(slots, v.Tensors.Where(t => t.Name.StartsWith("grad.weights.", StringComparison.Ordinal)).Select(t => t.Name));
            Assert.Contains(v.Tensors, t => t.Name == "grad.x");
            Assert.Contains(v.Tensors, t => t.Name == "grad.h0");
            Assert.Equal(c.Spec.Kind == CellKind.Lstm, v.Tensors.Any(t => t.Name == "grad.c0"));
            Assert.True(v.Pass, $"seed {seed} case {i} ({c.Spec}): {Describe(v)}");
            output.WriteLine($"case {i}: worst gradient ratio {v.Tensors.Where(t => t.Name.StartsWith("grad", StringComparison.Ordinal)).Max(t => t.WorstRatio):F4}");
        }
    }

    /// <summary>The four deliberate bugs; each must make the named tensor fail (and the case with it).</summary>
    public static TheoryData<string, string> Bugs()
    {
        var data = new TheoryData<string, string>();
        foreach (var bug in new[] { "sign_error_in_one_weight", "off_by_one_time_step", "transposed_recurrent_gradient", "wrong_loss" })
            foreach (var cell in new[] { "rnn_tanh", "lstm", "gru" })
                data.Add(bug, cell);
        return data;
    }

    [Theory]
    [MemberData(nameof(Bugs))]
    public void A_deliberately_wrong_gradient_fails(string bug, string cell)
    {
        foreach (var layout in WeightLayouts.Names)
        {
            foreach (var dtype in new[] { Dtype.Float32, Dtype.Float64 })
            {
                int seed = Seed(90210, bug + cell, layout, dtype);
                var rng = new Random(seed);
                var c = RandomCase(cell, layout, dtype, rng, minSteps: 2, minHidden: 2);
                if (bug == "off_by_one_time_step")
                    c = c with { SeqLens = null };
                var good = WithCellsClaims(c);
                var goodVerdict = Verifier.Check(good);
                Assert.True(goodVerdict.Pass, $"seed {seed}: the unmutated gradients must pass: {Describe(goodVerdict)}");

                var (bad, tensor) = Mutate(bug, good);
                var v = Verifier.Check(bad);
                var t = v.Tensors.Single(x => x.Name == tensor);
                output.WriteLine($"{bug} {cell} {layout} {dtype.Name()}: {tensor} ratio {t.WorstRatio:G4} at [{string.Join(",", t.WorstIndex)}], gradcheck ratio {t.GradcheckRatio:G4}");
                Assert.False(t.Pass, $"seed {seed} {layout} {dtype.Name()}: {bug} passed as {tensor} (ratio {t.WorstRatio:R})");
                Assert.False(v.Pass);
            }
        }
    }

    /// <summary>The mutated case and the claimed tensor the bug corrupts.</summary>
    private static (RnnCase Case, string Tensor) Mutate(string bug, RnnCase good)
    {
        var g = good.Claimed.Grad!;
        var layout = WeightLayouts.Get(good.Layout)!;
        var spec = good.Spec;
        NetworkWeights Canonical() => layout.Import(spec, g.Weights.ToDictionary(kv => kv.Key, kv => new WeightTensor(kv.Value.Shape, kv.Value.Data)));
        RnnCase WithWeights(NetworkWeights canonical) =>
            good with { Claimed = good.Claimed with { Grad = g with { Weights = CellsEngine.LayoutGradients(good, canonical) } } };
        string inputWeight = good.Layout switch { "pytorch" => "weight_ih_l0", "onnx" => "W", _ => "kernel" };
        string recurrentWeight = good.Layout switch { "pytorch" => "weight_hh_l0", "onnx" => "R", _ => "recurrent_kernel" };
        switch (bug)
        {
            case "sign_error_in_one_weight":
            {
                // ∂L/∂W_x of layer 0, forward direction, with its sign flipped.
                var w = Canonical();
                var l0 = w.Layers[0];
                var layers = w.Layers.ToArray();
                layers[0] = l0 with { Wx = Array.ConvertAll(l0.Wx, v => -v) };
                return (WithWeights(w with { Layers = layers }), "grad.weights." + inputWeight);
            }
            case "off_by_one_time_step":
            {
                // ∂L/∂x reported one step early: dx'[t] = dx[t + 1], dx'[T − 1] = 0.
                int step = good.Batch * spec.InputSize;
                var dx = new double[g.X!.Data.Length];
                Array.Copy(g.X.Data, step, dx, 0, dx.Length - step);
                return (good with { Claimed = good.Claimed with { Grad = g with { X = new Tensor(g.X.Shape, dx) } } }, "grad.x");
            }
            case "transposed_recurrent_gradient":
            {
                // Every H×H gate block of ∂L/∂W_h (layer 0, forward) transposed.
                var w = Canonical();
                int h = spec.HiddenSize;
                var l0 = w.Layers[0];
                var wh = (double[])l0.Wh.Clone();
                for (int gate = 0; gate < spec.Gates; gate++)
                    for (int i = 0; i < h; i++)
                        for (int j = 0; j < h; j++)
                            wh[(gate * h + i) * h + j] = l0.Wh[(gate * h + j) * h + i];
                var layers = w.Layers.ToArray();
                layers[0] = l0 with { Wh = wh };
                return (WithWeights(w with { Layers = layers }), "grad.weights." + recurrentWeight);
            }
            default:
            {
                // The gradient of L = ⟨dy, y⟩ alone (dh_n and dc_n forgotten), claimed for the case that gives them.
                var forgetful = good with { Claimed = good.Claimed with { Grad = new ClaimedGrad { Dy = g.Dy } } };
                var wrong = new CellsEngine().Run(forgetful, good.Dtype).Grad!;
                return (good with { Claimed = good.Claimed with { Grad = wrong with { DhN = g.DhN, DcN = g.DcN } } }, "grad.h0");
            }
        }
    }

    [Fact]
    public void Run_with_the_cells_fills_the_gradients_of_a_case_giving_dy_and_check_passes_them()
    {
        using var dir = new TempDir();
        var c = RandomCase("lstm", "pytorch", Dtype.Float32, new Random(12));
        string input = Path.Combine(dir.Path, "in.json"), outPath = Path.Combine(dir.Path, "out.json");
        CaseWriter.WriteFile(c, input);
        var e = new StringWriter();
        Assert.Equal(0, RunCommand.Run(input, "cells", null, outPath, e));
        Assert.Equal("", e.ToString());
        var filled = CaseReader.ReadFile(outPath);
        Assert.NotNull(filled.Claimed.Grad?.X);
        Assert.Equal(WeightLayouts.Get("pytorch")!.Slots(c.Spec).Count, filled.Claimed.Grad!.Weights.Count);
        var (code, stdout, stderr) = BadInputTests.Check(outPath);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("grad.weights.weight_hh_l0", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("unchecked", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_with_onnxruntime_on_a_case_giving_dy_writes_the_forward_results_and_says_so_in_one_line()
    {
        using var dir = new TempDir();
        var c = RandomCase("gru", "onnx", Dtype.Float32, new Random(13));
        string input = Path.Combine(dir.Path, "in.json"), outPath = Path.Combine(dir.Path, "out.json");
        CaseWriter.WriteFile(c, input);
        var e = new StringWriter();
        Assert.Equal(0, RunCommand.Run(input, "onnxruntime", null, outPath, e));
        Assert.Single(e.ToString().TrimEnd('\n').Split('\n'));
        Assert.Contains("computes no gradients", e.ToString(), StringComparison.Ordinal);
        var filled = CaseReader.ReadFile(outPath);
        Assert.Null(filled.Claimed.Grad);
        Assert.NotNull(filled.Claimed.Y);
        Assert.Equal(0, BadInputTests.Check(outPath).Code);
    }

    /// <summary>A fixed seed per test combination (printed on failure).</summary>
    private static int Seed(int basis, string a, string b, Dtype dtype) =>
        (a + "/" + b).Aggregate(basis, (h, ch) => unchecked(h * 31 + ch)) + (int)dtype;

    private static string Describe(CaseVerdict v) =>
        string.Join("; ", v.Tensors.Where(t => !t.Pass).Select(t =>
            $"{t.Name} ratio {t.WorstRatio:R} at [{string.Join(",", t.WorstIndex)}]: claimed {t.WorstClaimed:R}, expected {t.WorstExpected:R}, bound {t.WorstBound:R}"));
}
