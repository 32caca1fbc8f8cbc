using Microsoft.ML.OnnxRuntime;
using Onnx;
using RnnVerify.Cells;
using RnnVerify.Verify;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Checking;
using RnnVerify.Verify.Engines;
using RnnVerify.Verify.Export;
using Xunit;
using Xunit.Abstractions;

namespace RnnVerify.Golden.Oracle;

/// <summary>
/// The ONNX backend-test export: a case written as model.onnx + test_data_set_0/input_N.pb, output_N.pb is consumed the
/// way an ONNX backend-test runner consumes it (graph inputs fed from the .pb files in order, outputs compared with the
/// output .pb files), with ONNX Runtime as the backend.
/// </summary>
public class OnnxBackendExportTests(ITestOutputHelper output)
{
    /// <summary>Cases per cell kind; each is small (H ≤ 5, T ≤ 6), so the whole test takes a few seconds.</summary>
    private const int CasesPerCell = 10;

    public static TheoryData<CellKind> Kinds() => new() { CellKind.Rnn, CellKind.Lstm, CellKind.Gru };

    /// <summary>
    /// A random one-layer float32 case over ONNX Runtime's attributes whose claims are the reference's correctly rounded
    /// float32 values (a golden vector), with a random subset of y, h_n, c_n claimed and optional inputs randomly absent.
    /// </summary>
    private static RnnCase GoldenCase(CellKind kind, Random rng)
    {
        while (true)
        {
            var spec = OnnxRuntimeConformanceTests.RandomSpec(kind, rng) with { NumLayers = 1 };
            var c = CaseBuilder.Random(spec, "onnx", Dtype.Float32, 1 + rng.Next(6), 1 + rng.Next(4), rng,
                withSeqLens: rng.Next(2) == 0, withInitialState: rng.Next(4) != 0, minSeqLen: 1);
            if (c.H0 is not null && rng.Next(3) == 0)
                c = c with { C0 = null }; // initial_h present, initial_c absent
            Claimed reference;
            try
            {
                reference = new ReferenceEngine().Run(c, Dtype.Float32);
            }
            catch (EngineException)
            {
                continue; // an enclosure straddles a float32 rounding boundary: no certified golden value, draw again
            }
            int pick = 1 + rng.Next(7); // non-empty subset of {y, h_n, c_n}
            var claimed = new Claimed
            {
                Y = (pick & 1) != 0 ? reference.Y : null,
                HN = (pick & 2) != 0 || (kind != CellKind.Lstm && pick == 4) ? reference.HN : null,
                CN = (pick & 4) != 0 ? reference.CN : null,
            };
            return c with { Claimed = claimed };
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Onnxruntime_fed_the_exported_inputs_reproduces_the_exported_outputs_within_the_derived_tolerance(CellKind kind)
    {
        int seed = Environment.GetEnvironmentVariable("RNNVERIFY_SEED") is { } s && int.TryParse(s, out int v) ? v : 20261126 + (int)kind;
        output.WriteLine($"seed {seed} (replay with RNNVERIFY_SEED={seed})");
        var rng = new Random(seed);
        for (int i = 0; i < CasesPerCell; i++)
        {
            var c = GoldenCase(kind, rng);
            using var dir = new TempDir();
            OnnxBackendExport.Write(c, dir.Path);
            var run = BackendRunner.Run(dir.Path);

            // The exported expected outputs are the case's claims, bit for bit.
            var expected = BackendRunner.Outputs(dir.Path);
            Assert.Equal(run.Names, expected.Select(t => t.Name));
            var fromPb = BackendRunner.ToClaimed(c, expected);
            AssertSameClaims(c.Claimed, fromPb, $"seed {seed} case {i}");

            // ONNX Runtime's outputs from the files are judged against the reference with the derived tolerance, and
            // (ONNX's runner's criterion, reported) against output_N.pb with rtol 1e-3, atol 1e-7.
            var ortClaimed = BackendRunner.ToClaimed(c, run.Outputs);
            var verdict = Verifier.Check(c, ortClaimed);
            Assert.True(verdict.Pass, $"seed {seed} case {i} ({c.Cell}, {c.Spec}): " +
                string.Join("; ", verdict.Tensors.Select(t => $"{t.Name} ratio {t.WorstRatio:R} at [{string.Join(",", t.WorstIndex)}]")));
            Assert.Equal(Checker.ClaimedTensors(c with { Claimed = fromPb }).Count, verdict.Tensors.Count);
            foreach (var t in verdict.Tensors)
                output.WriteLine($"case {i} {t.Name}: derived-tolerance ratio {t.WorstRatio:F3}, {t.WorstUlps:F1} ulps, ONNX-runner ratio {t.OnnxRatio:F3}");
        }
    }

    [Fact]
    public void The_files_are_numbered_in_the_nodes_input_order_with_absent_optional_inputs_skipped()
    {
        var spec = new CellSpec { Kind = CellKind.Lstm, InputSize = 2, HiddenSize = 3, Peepholes = true, Bidirectional = true };
        var c = CaseBuilder.Random(spec, "onnx", Dtype.Float32, 3, 2, new Random(3)) with { C0 = null };
        c = c with { Claimed = new Claimed { HN = Tensor.Zeros(2, 2, 3), CN = Tensor.Zeros(2, 2, 3) } };
        var files = OnnxBackendExport.Files(c);
        var model = ModelProto.Parser.ParseFrom(files[0].Contents);
        Assert.Equal("model.onnx", files[0].RelativePath);
        var node = Assert.Single(model.Graph.Node);
        Assert.Equal(["X", "W", "R", "B", "", "initial_h", "", "P"], node.Input);
        Assert.Equal(["", "Y_h", "Y_c"], node.Output);
        Assert.Equal(["X", "W", "R", "B", "initial_h", "P"], model.Graph.Input.Select(v => v.Name));
        Assert.Equal(["Y_h", "Y_c"], model.Graph.Output.Select(v => v.Name));
        Assert.Equal(
            ["model.onnx", "test_data_set_0/input_0.pb", "test_data_set_0/input_1.pb", "test_data_set_0/input_2.pb",
             "test_data_set_0/input_3.pb", "test_data_set_0/input_4.pb", "test_data_set_0/input_5.pb",
             "test_data_set_0/output_0.pb", "test_data_set_0/output_1.pb"],
            files.Select(f => f.RelativePath));
        for (int i = 0; i < 6; i++)
            Assert.Equal(model.Graph.Input[i].Name, TensorProto.Parser.ParseFrom(files[1 + i].Contents).Name);
        var w = TensorProto.Parser.ParseFrom(files[2].Contents);
        Assert.Equal([2L, 4 * 3, 2], w.Dims); // D, G·H, I
        Assert.Equal((int)TensorProto.Types.DataType.Float, w.DataType);
        Assert.Equal(OnnxModelBuilder.Opset, model.OpsetImport.Single().Version);
    }

    [Fact]
    public void The_same_case_gives_the_same_bytes_whatever_its_layout_and_after_a_round_trip_through_the_case_file()
    {
        var spec = new CellSpec { Kind = CellKind.Gru, InputSize = 3, HiddenSize = 4, LinearBeforeReset = true };
        var onnxCase = CaseBuilder.Random(spec, "onnx", Dtype.Float64, 4, 2, new Random(9), withSeqLens: true);
        var claimed = new CellsEngine().Run(onnxCase, Dtype.Float64);
        onnxCase = onnxCase with { Claimed = claimed };
        var torchCase = CaseBuilder.Create(onnxCase.Weights, "pytorch", Dtype.Float64, onnxCase.X, onnxCase.SeqLens, onnxCase.H0) with { Claimed = claimed };
        using var dir = new TempDir();
        string f = Path.Combine(dir.Path, "case.json");
        CaseWriter.WriteFile(torchCase, f);
        var reread = CaseReader.ReadFile(f);

        var a = OnnxBackendExport.Files(onnxCase);
        foreach (var other in new[] { OnnxBackendExport.Files(onnxCase), OnnxBackendExport.Files(torchCase), OnnxBackendExport.Files(reread) })
        {
            Assert.Equal(a.Select(x => x.RelativePath), other.Select(x => x.RelativePath));
            for (int i = 0; i < a.Count; i++)
                Assert.True(a[i].Contents.AsSpan().SequenceEqual(other[i].Contents), $"{a[i].RelativePath} differs");
        }
        // Float64 cases store doubles exactly; with one direction Y [T][1][B][H] has y's element order.
        var y = TensorProto.Parser.ParseFrom(a.Single(x => x.RelativePath.EndsWith("output_0.pb", StringComparison.Ordinal)).Contents);
        Assert.Equal((int)TensorProto.Types.DataType.Double, y.DataType);
        Assert.Equal([4L, 1, 2, 4], y.Dims);
        Assert.Equal(claimed.Y!.Data, y.DoubleData);
    }

    [Fact]
    public void Cases_that_are_not_one_onnx_node_are_refused_with_the_reason()
    {
        var two = CaseBuilder.Random(new CellSpec { Kind = CellKind.Rnn, InputSize = 2, HiddenSize = 2, NumLayers = 2 }, "onnx", Dtype.Float32, 2, 1, new Random(1));
        two = two with { Claimed = new Claimed { HN = Tensor.Zeros(2, 1, 2) } };
        var e = Assert.Throws<ArgumentException>(() => OnnxBackendExport.Files(two));
        Assert.Contains("num_layers = 2", e.Message, StringComparison.Ordinal);

        var keras = CaseBuilder.Random(new CellSpec { Kind = CellKind.Lstm, InputSize = 2, HiddenSize = 2, Padding = PaddingReading.CarryLast }, "keras", Dtype.Float32, 2, 1, new Random(1));
        Assert.Contains("carry_last", OnnxBackendExport.Unsupported(keras with { Claimed = new Claimed { HN = Tensor.Zeros(1, 1, 2) } }), StringComparison.Ordinal);

        var none = CaseBuilder.Random(new CellSpec { Kind = CellKind.Gru, InputSize = 2, HiddenSize = 2 }, "onnx", Dtype.Float32, 2, 1, new Random(1));
        Assert.Contains("claims no", OnnxBackendExport.Unsupported(none), StringComparison.Ordinal);
    }

    private static void AssertSameClaims(Claimed want, Claimed got, string what)
    {
        foreach (var (name, a, b) in new[] { ("y", want.Y, got.Y), ("h_n", want.HN, got.HN), ("c_n", want.CN, got.CN) })
        {
            Assert.True((a is null) == (b is null), $"{what}: {name} present in one only");
            if (a is null) continue;
            Assert.Equal(a.Shape, b!.Shape);
            for (int k = 0; k < a.Data.Length; k++)
                Assert.True(BitConverter.DoubleToInt64Bits(a.Data[k]) == BitConverter.DoubleToInt64Bits(b.Data[k]),
                    $"{what}: {name}[{k}] exported {b.Data[k]:R}, claimed {a.Data[k]:R}");
        }
    }
}

/// <summary>
/// What an ONNX backend-test runner does with a directory: load model.onnx, feed graph input N from
/// test_data_set_0/input_N.pb (parsed with TensorProto.Parser), run, and read output_N.pb for comparison.
/// </summary>
internal static class BackendRunner
{
    public static (IReadOnlyList<string> Names, IReadOnlyList<TensorProto> Outputs) Run(string dir)
    {
        string modelPath = Path.Combine(dir, OnnxBackendExport.ModelFile);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
        var inNames = model.Graph.Input.Select(v => v.Name).ToList();
        var outNames = model.Graph.Output.Select(v => v.Name).ToList();
        var values = new List<OrtValue>();
        try
        {
            for (int i = 0; i < inNames.Count; i++)
            {
                var t = TensorProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(dir, OnnxBackendExport.DataSet, $"input_{i}.pb")));
                Assert.Equal(inNames[i], t.Name);
                long[] shape = [.. t.Dims];
                values.Add((TensorProto.Types.DataType)t.DataType switch
                {
                    TensorProto.Types.DataType.Float => OrtValue.CreateTensorValueFromMemory(t.FloatData.ToArray(), shape),
                    TensorProto.Types.DataType.Double => OrtValue.CreateTensorValueFromMemory(t.DoubleData.ToArray(), shape),
                    TensorProto.Types.DataType.Int32 => OrtValue.CreateTensorValueFromMemory(t.Int32Data.ToArray(), shape),
                    var other => throw new InvalidOperationException($"unexpected element type {other}"),
                });
            }
            Assert.False(File.Exists(Path.Combine(dir, OnnxBackendExport.DataSet, $"input_{inNames.Count}.pb")), "one file per graph input");
            using var session = new InferenceSession(modelPath);
            using var run = new RunOptions();
            using var results = session.Run(run, inNames, values, outNames);
            var outputs = new List<TensorProto>();
            for (int i = 0; i < outNames.Count; i++)
            {
                var t = new TensorProto { Name = outNames[i], DataType = (int)TensorProto.Types.DataType.Float };
                t.Dims.AddRange(results[i].GetTensorTypeAndShape().Shape);
                t.FloatData.AddRange(results[i].GetTensorDataAsSpan<float>().ToArray());
                outputs.Add(t);
            }
            return (outNames, outputs);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    public static IReadOnlyList<TensorProto> Outputs(string dir)
    {
        var list = new List<TensorProto>();
        for (int i = 0; File.Exists(Path.Combine(dir, OnnxBackendExport.DataSet, $"output_{i}.pb")); i++)
            list.Add(TensorProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(dir, OnnxBackendExport.DataSet, $"output_{i}.pb"))));
        return list;
    }

    /// <summary>ONNX outputs (Y [T][D][B][H], Y_h, Y_c [D][B][H]) as the case's claims (y [T][B][D·H], h_n, c_n).</summary>
    public static Claimed ToClaimed(RnnCase c, IEnumerable<TensorProto> outputs)
    {
        int T = c.T, B = c.Batch, D = c.Spec.Directions, H = c.Spec.HiddenSize;
        Tensor? y = null, hn = null, cn = null;
        foreach (var t in outputs)
        {
            double[] data = t.DataType == (int)TensorProto.Types.DataType.Float
                ? t.FloatData.Select(f => (double)f).ToArray()
                : t.DoubleData.ToArray();
            switch (t.Name)
            {
                case "Y":
                    Assert.Equal([T, D, B, H], t.Dims.Select(d => (int)d));
                    var r = new double[data.Length];
                    for (int s = 0; s < T; s++)
                        for (int d = 0; d < D; d++)
                            for (int b = 0; b < B; b++)
                                Array.Copy(data, ((s * D + d) * B + b) * H, r, ((s * B + b) * D + d) * H, H);
                    y = new Tensor([T, B, D * H], r);
                    break;
                case "Y_h":
                    Assert.Equal([D, B, H], t.Dims.Select(d => (int)d));
                    hn = new Tensor([D, B, H], data);
                    break;
                case "Y_c":
                    Assert.Equal([D, B, H], t.Dims.Select(d => (int)d));
                    cn = new Tensor([D, B, H], data);
                    break;
                default:
                    throw new InvalidOperationException($"unexpected output {t.Name}");
            }
        }
        return new Claimed { Y = y, HN = hn, CN = cn };
    }
}
