using RnnVerify.Cells;
using RnnVerify.Oracle;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Engines;
using Xunit;
using Xunit.Abstractions;

namespace RnnVerify.Golden.Oracle;

/// <summary>
/// ONNX Runtime, an implementation nobody here wrote, run on random non-degenerate cases over every attribute it supports
/// (direction, activations, clip, input_forget, sequence_lens, linear_before_reset, initial states, peepholes), and judged
/// by <c>rnnverify check</c> exactly as a user would: the engine's output is written to a case file and checked.
/// </summary>
public class OnnxRuntimeConformanceTests(ITestOutputHelper output)
{
    /// <summary>Cases per cell kind and dtype; each case is small (H ≤ 5, T ≤ 6), so the whole test takes a few seconds.</summary>
    private const int CasesPerCell = 24;

    private static readonly Activation[] Gates = [Activation.Sigmoid, Activation.Tanh, Activation.Relu, Activation.Identity];

    /// <summary>
    /// A random spec drawing every ORT-supported attribute. Readings are ORT's (f = 1 − i, clip on gate inputs only, zeros
    /// at padded steps, time-aligned reverse outputs), so a pass means ORT agrees with the reference under those readings.
    /// Activations other than the defaults are drawn from bounded ones for the gates (σ) and any for the rest; ReLU and
    /// Identity in recurrent positions are paired with a clip so the state stays in range.
    /// </summary>
    internal static CellSpec RandomSpec(CellKind kind, Random rng)
    {
        bool custom = rng.Next(3) == 0;
        IReadOnlyList<Activation>? acts = null;
        double? clip = rng.Next(3) == 0 ? 0.5 + 2.5 * rng.NextDouble() : null;
        if (custom)
        {
            Activation Any() => Gates[rng.Next(Gates.Length)];
            acts = kind switch
            {
                CellKind.Lstm => [Activation.Sigmoid, Any(), Any()],
                CellKind.Gru => [Activation.Sigmoid, Any()],
                _ => [Any()],
            };
            if (acts.Any(a => a is Activation.Relu or Activation.Identity))
                clip ??= 2.0;
        }
        return new CellSpec
        {
            Kind = kind,
            InputSize = 1 + rng.Next(4),
            HiddenSize = 1 + rng.Next(5),
            NumLayers = 1 + rng.Next(2),
            Bidirectional = rng.Next(2) == 0,
            Activations = kind == CellKind.Rnn && acts is null ? [rng.Next(2) == 0 ? Activation.Tanh : Activation.Relu] : acts,
            Clip = clip,
            InputForget = kind == CellKind.Lstm && rng.Next(3) == 0,
            Peepholes = kind == CellKind.Lstm && rng.Next(2) == 0,
            LinearBeforeReset = kind != CellKind.Gru || rng.Next(2) == 0,
        };
    }

    public static TheoryData<CellKind, Dtype> Kinds() => new()
    {
        { CellKind.Rnn, Dtype.Float32 }, { CellKind.Lstm, Dtype.Float32 }, { CellKind.Gru, Dtype.Float32 },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Rnnverify_check_passes_onnxruntime_on_random_cases_over_its_attributes(CellKind kind, Dtype dtype)
    {
        int seed = Environment.GetEnvironmentVariable("RNNVERIFY_SEED") is { } s && int.TryParse(s, out int v) ? v : 20261125 + (int)kind * 10 + (int)dtype;
        var rng = new Random(seed);
        using var dir = new TempDir();
        var files = new List<string>();
        var described = new List<string>();
        for (int i = 0; i < CasesPerCell; i++)
        {
            var spec = RandomSpec(kind, rng);
            var c = CaseBuilder.Random(spec, "onnx", dtype, 1 + rng.Next(6), 1 + rng.Next(4), rng,
                withSeqLens: rng.Next(2) == 0, withInitialState: rng.Next(4) != 0, minSeqLen: 1);
            var claimed = new OnnxRuntimeEngine().Run(c, dtype);
            string f = Path.Combine(dir.Path, $"case{i:D2}.json");
            CaseWriter.WriteFile(c with { Claimed = claimed }, f);
            files.Add(f);
        }
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CheckCommand.Run([dir.Path], null, null, stdout, stderr);
        output.WriteLine($"seed {seed} (replay with RNNVERIFY_SEED={seed})");
        output.WriteLine(stdout.ToString());
        Assert.True(stderr.ToString().Length == 0, stderr.ToString());
        Assert.True(code == 0, $"seed {seed}: rnnverify check exited {code}\n{stdout}");
    }

    /// <summary>
    /// direction="reverse": ORT runs every layer backwards in time on the case's inputs. The reference has no reverse-only
    /// network, but processing x from step len − 1 down to 0 is processing the reversed sequence forward, so ORT's outputs,
    /// with y reversed within each entry's valid steps, are the forward claims of the case whose x is reversed the same
    /// way (stacked layers too: each layer reads its predecessor's time-aligned outputs, reversed alike). Those claims
    /// are written to case files and judged by rnnverify check.
    /// </summary>
    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Rnnverify_check_passes_onnxruntime_direction_reverse_as_the_time_reversed_forward_case(CellKind kind)
    {
        int seed = Environment.GetEnvironmentVariable("RNNVERIFY_SEED") is { } s && int.TryParse(s, out int v) ? v : 20261127 + (int)kind;
        var rng = new Random(seed);
        using var dir = new TempDir();
        for (int i = 0; i < CasesPerCell / 2; i++)
        {
            var spec = RandomSpec(kind, rng) with { Bidirectional = false };
            var c = CaseBuilder.Random(spec, "onnx", Dtype.Float32, 2 + rng.Next(5), 1 + rng.Next(4), rng,
                withSeqLens: rng.Next(2) == 0, withInitialState: rng.Next(4) != 0, minSeqLen: 1);
            var ort = OnnxRuntimeEngine.RunReverse(c, Dtype.Float32);
            var reversed = c with { X = ReverseTime(c.X, c.SeqLens) };
            var claimed = new Claimed { Y = ReverseTime(ort.Y!, c.SeqLens), HN = ort.HN, CN = ort.CN };
            CaseWriter.WriteFile(reversed with { Claimed = claimed }, Path.Combine(dir.Path, $"case{i:D2}.json"));

            // Not vacuous: the forward claims of the case itself differ from what ORT's reverse run gives.
            if (c.T > 1 && i == 0)
                Assert.False(RnnVerify.Verify.Verifier.Check(c, ort).Pass, "reverse outputs judged as the forward case must fail");
        }
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CheckCommand.Run([dir.Path], null, null, stdout, stderr);
        output.WriteLine($"seed {seed} (replay with RNNVERIFY_SEED={seed})");
        output.WriteLine(stdout.ToString());
        Assert.True(stderr.ToString().Length == 0, stderr.ToString());
        Assert.True(code == 0, $"seed {seed}: rnnverify check exited {code}\n{stdout}");
    }

    /// <summary>t [T][B][F] with each entry's steps 0..len−1 reversed (padded steps stay in place).</summary>
    internal static Tensor ReverseTime(Tensor t, int[]? seqLens)
    {
        int T = t.Shape[0], B = t.Shape[1], F = t.Shape[2];
        var r = (double[])t.Data.Clone();
        for (int b = 0; b < B; b++)
        {
            int len = seqLens?[b] ?? T;
            for (int k = 0; k < len; k++)
                Array.Copy(t.Data, ((len - 1 - k) * B + b) * F, r, (k * B + b) * F, F);
        }
        return new Tensor(t.Shape, r);
    }

    /// <summary>ONNX Runtime 1.31.1's CPU provider has no float64 kernel for RNN, LSTM or GRU (docs/findings.md): the engine says so in one line.</summary>
    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Onnxruntime_has_no_float64_recurrent_kernels_and_the_engine_says_so(CellKind kind)
    {
        var c = CaseBuilder.Random(new CellSpec { Kind = kind, InputSize = 2, HiddenSize = 3 }, "onnx", Dtype.Float64, 3, 2, new Random(7));
        var e = Assert.Throws<EngineException>(() => new OnnxRuntimeEngine().Run(c, Dtype.Float64));
        output.WriteLine(e.Message);
        Assert.StartsWith("ONNX Runtime", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>
    /// Finding: for a batch entry with sequence length 0, ONNX Runtime returns Y_h = 0 (and Y_c = 0), where the reference
    /// (and PyTorch's convention for an empty sequence, and the cells) carry the initial state: h_n = h0. check flags it.
    /// </summary>
    [Fact]
    public void Onnxruntime_zeroes_the_final_state_of_a_zero_length_entry_and_check_flags_it()
    {
        var spec = new CellSpec { Kind = CellKind.Lstm, InputSize = 2, HiddenSize = 3 };
        var c = CaseBuilder.Random(spec, "onnx", Dtype.Float32, 4, 2, new Random(11)) with { SeqLens = [4, 0] };
        var claimed = new OnnxRuntimeEngine().Run(c, Dtype.Float32);
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(0.0, claimed.HN!.Data[3 + j]); // entry 1 of h_n: ORT writes zeros
            Assert.NotEqual(0.0, c.H0!.Data[3 + j]);      // while h0 is not zero
        }
        var v = RnnVerify.Verify.Verifier.Check(c, claimed);
        Assert.True(v.Tensors.Single(t => t.Name == "y").Pass, "y agrees (zeros at padded steps)");
        Assert.False(v.Tensors.Single(t => t.Name == "h_n").Pass);
        Assert.Equal([0, 1, 0], v.Tensors.Single(t => t.Name == "h_n").WorstIndex.Take(2).Append(0));
    }

    /// <summary>
    /// Which reading of the ONNX text ORT follows: a case stating ORT's reading passes, the same output judged under the
    /// other reading fails (the readings differ numerically on these cases, so the oracle can tell them apart).
    /// </summary>
    [Theory]
    [InlineData("input_forget")]
    [InlineData("clip")]
    public void Onnxruntime_follows_one_reading_and_check_tells_the_readings_apart(string attribute)
    {
        var ortReading = attribute == "input_forget"
            ? new CellSpec { Kind = CellKind.Lstm, InputSize = 3, HiddenSize = 4, InputForget = true }
            : new CellSpec { Kind = CellKind.Lstm, InputSize = 3, HiddenSize = 4, Clip = 0.3 };
        var other = attribute == "input_forget"
            ? ortReading with { InputForgetReading = InputForgetReading.InputFromForget }
            : ortReading with { ClipReading = ClipReading.GateInputsAndCell };
        var rng = new Random(5);
        var c = CaseBuilder.Random(ortReading, "onnx", Dtype.Float32, 6, 2, rng);
        // Large weights drive |c_t| past the clip so the cell-clip reading matters.
        var big = CaseBuilder.RandomWeights(ortReading, rng, 2.0);
        c = CaseBuilder.Create(big, "onnx", Dtype.Float32, c.X, null, c.H0, c.C0);
        var claimed = new OnnxRuntimeEngine().Run(c, Dtype.Float32);
        Assert.True(RnnVerify.Verify.Verifier.Check(c, claimed).Pass, $"ORT under its own {attribute} reading");
        var otherCase = CaseBuilder.Create(big with { Spec = other }, "onnx", Dtype.Float32, c.X, null, c.H0, c.C0);
        Assert.False(RnnVerify.Verify.Verifier.Check(otherCase, claimed).Pass, $"ORT judged under the other {attribute} reading");
    }
}

/// <summary>A temporary directory removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rnnverify-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
