using System.Text.Json;
using RnnVerify.Cells;
using RnnVerify.Oracle;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Engines;
using Xunit;

namespace RnnVerify.Golden.Oracle;

/// <summary>Exit codes, machine verdicts, the report, and that the check is not vacuous.</summary>
public class CheckCommandTests
{
    private static string Good => Path.Combine(BadInputTests.CasesDir, "good", "lstm_pytorch_ort.json");

    [Fact]
    public void A_correct_float32_claim_passes_with_exit_code_0()
    {
        var (code, stdout, stderr) = BadInputTests.Check(Good);
        Assert.Equal(CheckCommand.ExitPass, code);
        Assert.Equal("", stderr);
        Assert.Contains("1 case(s): 1 passed, 0 failed, 0 unusable; 3 tensor(s) checked, 0 failed", stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// One element of y (at the last step, so no later step is fed it) moved by 4× its allowed error fails (exit 1), and the
    /// verdict points at that element. The allowed error comes from the judge, the perturbation from the test.
    /// </summary>
    [Fact]
    public void A_claim_off_by_four_times_its_bound_in_one_element_fails_with_exit_code_1_at_that_element()
    {
        var c = CaseReader.ReadFile(Good);
        var y = (double[])c.Claimed.Y!.Data.Clone();
        int k = y.Length - 1;
        double bound = RnnVerify.Verify.Verifier.DefaultJudge.Judge(c).Single(e => e.Name == "y").Bound[k];
        y[k] = (float)(y[k] + 4 * bound);
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "perturbed.json");
        CaseWriter.WriteFile(c with { Claimed = c.Claimed with { Y = c.Claimed.Y with { Data = y } } }, path);
        string json = Path.Combine(dir.Path, "verdicts.json");
        string report = Path.Combine(dir.Path, "report");
        var o = new StringWriter();
        int code = CheckCommand.Run([path], json, report, o, new StringWriter());
        Assert.Equal(CheckCommand.ExitFail, code);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("exit_code").GetInt32());
        var yv = root.GetProperty("cases")[0].GetProperty("tensors").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "y");
        Assert.False(yv.GetProperty("pass").GetBoolean());
        Assert.Equal(c.Claimed.Y.Index(k), yv.GetProperty("worst_index").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.InRange(yv.GetProperty("worst_ratio").GetDouble(), 3.0, 5.0); // 4× the bound, ± the claim's own error and the float32 rounding
        Assert.True(yv.GetProperty("onnx_ratio").GetDouble() < 1, "ONNX's rtol 1e-3 would have missed this");
        Assert.Contains("**FAIL**", File.ReadAllText(Path.Combine(report, "report.md")), StringComparison.Ordinal);
    }

    /// <summary>ORT's output for a GRU with linear_before_reset = 1, claimed for the same weights with 0, fails: the oracle discriminates the GRU variants.</summary>
    [Fact]
    public void The_wrong_gru_variant_and_a_gate_permutation_fail()
    {
        var rng = new Random(3);
        var spec = new CellSpec { Kind = CellKind.Gru, InputSize = 3, HiddenSize = 4, LinearBeforeReset = true };
        var c = CaseBuilder.Random(spec, "onnx", Dtype.Float32, 5, 2, rng);
        var claimed = new OnnxRuntimeEngine().Run(c, Dtype.Float32);
        Assert.True(RnnVerify.Verify.Verifier.Check(c, claimed).Pass);

        var otherVariant = CaseBuilder.Create(c.Weights with { Spec = spec with { LinearBeforeReset = false } }, "onnx", Dtype.Float32, c.X, null, c.H0);
        Assert.False(RnnVerify.Verify.Verifier.Check(otherVariant, claimed).Pass);

        // Swap the r and z blocks of every canonical matrix: the claim no longer matches the weights.
        int h = spec.HiddenSize;
        double[] Swap(double[] m, int cols)
        {
            var s = (double[])m.Clone();
            m.AsSpan(0, h * cols).CopyTo(s.AsSpan(h * cols, h * cols));
            m.AsSpan(h * cols, h * cols).CopyTo(s.AsSpan(0, h * cols));
            return s;
        }
        var lw = c.Weights.Layers[0];
        var permuted = c.Weights with { Layers = [new LayerWeights(Swap(lw.Wx, 3), Swap(lw.Wh, h), Swap(lw.Bx, 1), Swap(lw.Bh, 1), null)] };
        var permutedCase = CaseBuilder.Create(permuted, "onnx", Dtype.Float32, c.X, null, c.H0);
        Assert.False(RnnVerify.Verify.Verifier.Check(permutedCase, claimed).Pass);
    }

    [Fact]
    public void Run_refuses_to_overwrite_its_input_with_exit_code_2()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "case.json");
        File.Copy(Good, path);
        var before = File.ReadAllText(path);
        var e = new StringWriter();
        int code = RunCommand.Run(path, "onnxruntime", null, Path.Combine(dir.Path, ".", "case.json"), e);
        Assert.Equal(CheckCommand.ExitUnusable, code);
        Assert.Contains("refusing to overwrite the input case", e.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Theory]
    [InlineData("onnxruntime", "float32")]
    [InlineData("cells", "float32")]
    [InlineData("cells", "float64")]
    [InlineData("reference", "float32")]
    public void Run_output_is_a_valid_case_that_check_passes(string engine, string dtype)
    {
        using var dir = new TempDir();
        string outPath = Path.Combine(dir.Path, "out.json");
        var e = new StringWriter();
        int code = RunCommand.Run(Good, engine, dtype, outPath, e);
        Assert.True(code == 0, e.ToString());
        var (checkCode, stdout, stderr) = BadInputTests.Check(outPath);
        Assert.True(checkCode == 0, stdout + stderr);
        Assert.Equal(dtype, CaseReader.ReadFile(outPath).Dtype.Name());
    }

    [Fact]
    public void Run_with_an_engine_that_cannot_compute_the_case_says_why_in_one_line()
    {
        using var dir = new TempDir();
        var e = new StringWriter();
        int code = RunCommand.Run(Good, "onnxruntime", "float64", Path.Combine(dir.Path, "o.json"), e);
        Assert.Equal(CheckCommand.ExitUnusable, code);
        Assert.StartsWith($"{Good}: engine onnxruntime: ONNX Runtime", e.ToString(), StringComparison.Ordinal);
        Assert.Single(e.ToString().TrimEnd('\n').Split('\n'));
    }
}
