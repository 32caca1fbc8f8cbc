using System.Globalization;
using System.Text;
using System.Text.Json;
using RnnVerify.Cells;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Engines;
using RnnVerify.Verify.Export;

namespace RnnVerify.Verify.Golden;

/// <summary>
/// Golden vectors: the cases of <see cref="GoldenSet"/> with claimed results replaced by the reference's values, written as
/// <c>rnnverify-case/1</c> files (docs/golden.md). Each case gives two files, <c>NAME.float64.json</c> and
/// <c>NAME.float32.json</c>, identical except for <c>dtype</c> and the claimed values (the exact results rounded to nearest
/// in that dtype). Both carry the generator (command, seed), the reference precision and the enclosures
/// (<c>reference</c>: per tensor the midpoint as a decimal string and the radius). Every number the implementation reads
/// (weights, x, h0, c0, dy, dh_n, dc_n) is exactly representable in binary32, so a float32 implementation computes on
/// exactly the inputs the reference used. Same seed, same bytes.
/// </summary>
public static class GoldenVectors
{
    /// <summary>The seed the committed vectors (tests/Golden/vectors) are made with.</summary>
    public const int DefaultSeed = 1;

    /// <summary>The command that regenerates the committed vectors (from a checkout: <c>dotnet run --project src/Oracle -- golden …</c>).</summary>
    public const string Command = "rnnverify golden --out tests/Golden/vectors --seed";

    /// <summary>The two file names of a vector: <c>NAME.float64.json</c>, <c>NAME.float32.json</c>.</summary>
    public static string FileName(GoldenCase g, Dtype dtype)
    {
        ArgumentNullException.ThrowIfNull(g);
        return $"{g.Name}.{dtype.Name()}.json";
    }

    /// <summary>
    /// The case of <paramref name="g"/> without claimed results, but with upstream gradients dy, dh_n and (LSTM) dc_n:
    /// weights uniform in ±1.5/√H, independent per gate, matrix and element (a Keras single bias has b_h = 0, as the layout
    /// stores it); x, dy, dh_n, dc_n uniform in ±1; h0 uniform in ±0.5; c0 uniform in ±2 (so that f ⊙ c0 exceeds the clip threshold); every number rounded to binary32. The numbers
    /// depend only on the seed and the vector's name. The case is returned as a reader reads its file.
    /// </summary>
    public static RnnCase Build(GoldenCase g, int seed)
    {
        ArgumentNullException.ThrowIfNull(g);
        var rng = new Random(unchecked(seed * 1_000_003 + (int)Fnv1a(g.Name)));
        var spec = g.Spec;
        double scale = 1.5 / Math.Sqrt(spec.HiddenSize);
        bool singleBias = g.Layout == "keras" && !(spec.Kind == CellKind.Gru && spec.LinearBeforeReset);
        int gh = spec.Gates * spec.HiddenSize;
        var layers = new List<LayerWeights>();
        for (int k = 0; k < spec.NumLayers; k++)
        {
            for (int d = 0; d < spec.Directions; d++)
            {
                layers.Add(new LayerWeights(U(rng, gh * spec.LayerInputSize(k), scale), U(rng, gh * spec.HiddenSize, scale), U(rng, gh, scale),
                    singleBias ? new double[gh] : U(rng, gh, scale), spec.Kind == CellKind.Lstm && spec.Peepholes ? U(rng, 3 * spec.HiddenSize, scale) : null));
            }
        }
        var weights = new NetworkWeights(spec, layers);
        int LD = spec.NumLayers * spec.Directions, H = spec.HiddenSize, B = g.Batch;
        var x = T(rng, 1.0, g.Steps, B, spec.InputSize);
        var h0 = g.InitialState ? T(rng, 0.5, LD, B, H) : null;
        var c0 = g.InitialState && spec.Kind == CellKind.Lstm ? T(rng, 2.0, LD, B, H) : null;
        var c = CaseBuilder.Create(weights, g.Layout, Dtype.Float64, x, g.SeqLens, h0, c0);
        c = c with
        {
            Claimed = new Claimed
            {
                Grad = new ClaimedGrad
                {
                    Dy = T(rng, 1.0, g.Steps, B, spec.Directions * H),
                    DhN = T(rng, 1.0, LD, B, H),
                    DcN = spec.Kind == CellKind.Lstm ? T(rng, 1.0, LD, B, H) : null,
                },
            },
        };
        return CaseReader.Parse(CaseWriter.Write(c));
    }

    /// <summary>One file's text: the case of <paramref name="g"/> in <paramref name="dtype"/> with the reference's values claimed.</summary>
    public static string Text(GoldenCase g, int seed, RnnCase c, ReferenceOutputs r, Dtype dtype)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(r);
        string body = CaseWriter.Write(c with { Dtype = dtype, Claimed = ReferenceEngine.ToClaimed(c, r, dtype) });
        string formatLine = $"  \"format\": \"{RnnCase.FormatTag}\",\n";
        if (!body.StartsWith("{\n" + formatLine, StringComparison.Ordinal) || !body.EndsWith("\n}\n", StringComparison.Ordinal))
            throw new InvalidOperationException("CaseWriter's layout changed; the golden writer inserts its fields after \"format\" and before the final brace");
        var generator =
            $"  \"generator\": {{ \"command\": {Q($"{Command} {I(seed)}")}, \"seed\": {I(seed)}, \"vector\": {Q(g.Name)}, " +
            $"\"covers\": {Q(g.Covers)}, \"reference\": {Q($"ball arithmetic (RnnVerify.Reference.ReferenceNetwork) at {I(r.PrecisionBits)} bits")}, " +
            $"\"claimed\": {Q($"the exact results rounded to nearest {dtype.Name()}")} }},\n";
        var sb = new StringBuilder();
        sb.Append("{\n").Append(formatLine).Append(generator);
        sb.Append(body, 2 + formatLine.Length, body.Length - 2 - formatLine.Length - 3);
        sb.Append(",\n  \"reference\": ").Append(ReferenceText(r)).Append("\n}\n");
        return sb.ToString();
    }

    /// <summary>
    /// Writes every vector of <see cref="GoldenSet"/> (two files each), each ONNX-layout vector one ONNX node can express as an
    /// ONNX backend-test directory (<see cref="BackendDirectory"/>, from <see cref="BackendCase"/>), and the index <c>README.md</c> into
    /// <paramref name="outDir"/> (created if needed; existing files of the same names are replaced, others are left alone).
    /// Returns the paths written, in order.
    /// </summary>
    public static IReadOnlyList<string> Write(string outDir, int seed = DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(outDir);
        Directory.CreateDirectory(outDir);
        var cases = GoldenSet.Cases;
        var results = new (RnnCase Case, ReferenceOutputs Outputs)[cases.Count];
        Parallel.For(0, cases.Count, i =>
        {
            var c = Build(cases[i], seed);
            results[i] = (c, ReferenceEngine.Compute(c));
        });
        var written = new List<string>();
        var utf8 = new UTF8Encoding(false);
        for (int i = 0; i < cases.Count; i++)
        {
            foreach (var dtype in new[] { Dtype.Float64, Dtype.Float32 })
            {
                string path = Path.Combine(outDir, FileName(cases[i], dtype));
                File.WriteAllText(path, Text(cases[i], seed, results[i].Case, results[i].Outputs, dtype), utf8);
                written.Add(path);
            }
        }
        var backend = new string?[cases.Count];
        for (int i = 0; i < cases.Count; i++)
        {
            if (cases[i].Layout != "onnx") continue;
            var c32 = BackendCase(results[i].Case, results[i].Outputs);
            if (OnnxBackendExport.Unsupported(c32) is { } why)
            {
                backend[i] = "not exported: " + why;
                continue;
            }
            string dir = BackendDirectory(cases[i]);
            written.AddRange(OnnxBackendExport.Write(c32, Path.Combine(outDir, dir)));
            backend[i] = $"`{dir}/`";
        }
        string index = Path.Combine(outDir, "README.md");
        File.WriteAllText(index, Index(seed, results.Select(r => r.Outputs.PrecisionBits).ToArray(), backend), utf8);
        written.Add(index);
        return written;
    }

    /// <summary>The ONNX backend-test directory of an ONNX-layout vector, relative to the output directory: <c>onnx/test_NAME</c>.</summary>
    public static string BackendDirectory(GoldenCase g)
    {
        ArgumentNullException.ThrowIfNull(g);
        return "onnx/test_" + g.Name;
    }

    /// <summary>
    /// The case an ONNX backend-test directory is exported from: the float32 vector with its claimed y, h_n and c_n (ONNX Runtime
    /// has no float64 recurrent kernels, so the backend tests are float32; gradients have no place in a backend test).
    /// </summary>
    public static RnnCase BackendCase(RnnCase c, ReferenceOutputs r)
    {
        ArgumentNullException.ThrowIfNull(c);
        var claimed = ReferenceEngine.ToClaimed(c, r, Dtype.Float32);
        return c with { Dtype = Dtype.Float32, Claimed = new Claimed { Y = claimed.Y, HN = claimed.HN, CN = claimed.CN } };
    }

    /// <summary>The index README.md: how the vectors were made and one row per vector.</summary>
    private static string Index(int seed, int[] precision, string?[] backend)
    {
        var sb = new StringBuilder();
        sb.Append("# Golden vectors\n\n");
        sb.Append("Generated by `").Append(Command).Append(' ').Append(I(seed)).Append("` (from a checkout: `dotnet run --project src/Oracle -- golden --out tests/Golden/vectors --seed ")
          .Append(I(seed)).Append("`); do not edit by hand. docs/golden.md describes the format and how to consume them.\n\n");
        sb.Append("Each vector is two `rnnverify-case/1` files, `NAME.float64.json` and `NAME.float32.json`: the same network, inputs and upstream\n");
        sb.Append("gradients (dy, dh_n, dc_n), with `claimed` = the exact outputs and gradients rounded to nearest in that dtype, and `reference` =\n");
        sb.Append("the enclosures (decimal midpoint and radius). Sizes: I input size, H hidden size, L layers, D directions, T steps, B batch.\n\n");
        sb.Append("ONNX-layout vectors are also written as ONNX backend-test directories (`model.onnx`, `test_data_set_0/input_N.pb`,\n");
        sb.Append("`output_N.pb`; float32 forward outputs, one node) where one ONNX node can express them (last column).\n\n");
        sb.Append("| vector | cell | layout | I | H | L | D | T | B | h0/c0 | seq_lens | bits | covers | ONNX backend test |\n");
        sb.Append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        var cases = GoldenSet.Cases;
        for (int i = 0; i < cases.Count; i++)
        {
            var g = cases[i];
            var s = g.Spec;
            string cell = s.Kind switch
            {
                CellKind.Lstm => "lstm",
                CellKind.Gru => "gru",
                _ => s.EffectiveActivations[0] == Activation.Relu ? "rnn_relu" : "rnn_tanh",
            };
            sb.Append(CultureInfo.InvariantCulture,
                $"| `{g.Name}` | {cell} | {g.Layout} | {s.InputSize} | {s.HiddenSize} | {s.NumLayers} | {s.Directions} | {g.Steps} | {g.Batch} | " +
                $"{(g.InitialState ? "given" : "zeros")} | {(g.SeqLens is null ? "—" : "[" + string.Join(", ", g.SeqLens) + "]")} | {precision[i]} | {g.Covers} | {backend[i] ?? "—"} |\n");
        }
        return sb.ToString();
    }

    private static string ReferenceText(ReferenceOutputs r)
    {
        var top = new List<string>
        {
            $"    \"precision_bits\": {I(r.PrecisionBits)}",
            $"    \"midpoint_digits\": {I(ReferenceEngine.MidpointDigits)}",
        };
        var grad = new List<string>();
        var weights = new List<string>();
        foreach (var t in r.Tensors)
        {
            if (t.Name.StartsWith("grad.weights.", StringComparison.Ordinal))
                weights.Add($"        {Q(t.Name["grad.weights.".Length..])}: {Enclosure(t, 8)}");
            else if (t.Name.StartsWith("grad.", StringComparison.Ordinal))
                grad.Add($"      {Q(t.Name["grad.".Length..])}: {Enclosure(t, 6)}");
            else
                top.Add($"    {Q(t.Name)}: {Enclosure(t, 4)}");
        }
        if (weights.Count > 0)
            grad.Add("      \"weights\": {\n" + string.Join(",\n", weights) + "\n      }");
        if (grad.Count > 0)
            top.Add("    \"grad\": {\n" + string.Join(",\n", grad) + "\n    }");
        return "{\n" + string.Join(",\n", top) + "\n  }";
    }

    private static string Enclosure(EnclosedTensor t, int indent)
    {
        var pad = new string(' ', indent + 2);
        return "{\n" + pad + "\"mid\": " + Nested(t.Shape, t.Mid, indent + 2) + ",\n" + pad + "\"rad\": " + Nested(t.Shape, t.Rad, indent + 2) +
            "\n" + new string(' ', indent) + "}";
    }

    /// <summary>Strings as nested arrays of <paramref name="shape"/>, laid out as CaseWriter lays out tensors.</summary>
    private static string Nested(int[] shape, string[] items, int indent)
    {
        var sb = new StringBuilder();
        int pos = 0;
        Emit(0, indent);
        return sb.ToString();

        void Emit(int axis, int ind)
        {
            int n = shape[axis];
            if (axis == shape.Length - 1)
            {
                sb.Append('[');
                for (int i = 0; i < n; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append('"').Append(items[pos++]).Append('"');
                }
                sb.Append(']');
                return;
            }
            sb.Append("[\n");
            for (int i = 0; i < n; i++)
            {
                sb.Append(' ', ind + 2);
                Emit(axis + 1, ind + 2);
                sb.Append(i < n - 1 ? ",\n" : "\n");
            }
            sb.Append(' ', ind).Append(']');
        }
    }

    private static double[] U(Random rng, int n, double scale)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (float)(scale * (2 * rng.NextDouble() - 1));
        return a;
    }

    private static Tensor T(Random rng, double scale, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Data.Length; i++) t.Data[i] = (float)(scale * (2 * rng.NextDouble() - 1));
        return t;
    }

    /// <summary>FNV-1a of the UTF-16 code units (stable across runs, unlike string.GetHashCode).</summary>
    private static uint Fnv1a(string s)
    {
        uint h = 2166136261;
        foreach (char ch in s) { h ^= ch; h *= 16777619; }
        return h;
    }

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Q(string s) => JsonSerializer.Serialize(s, Relaxed);

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
