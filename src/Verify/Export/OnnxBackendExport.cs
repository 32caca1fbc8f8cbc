using Google.Protobuf;
using Onnx;
using RnnVerify.Cells;
using RnnVerify.Cells.Layouts;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Engines;

namespace RnnVerify.Verify.Export;

/// <summary>One file of an ONNX backend-test directory: its path relative to the directory and its bytes.</summary>
/// <param name="RelativePath"><c>model.onnx</c> or <c>test_data_set_0/input_N.pb</c>, <c>test_data_set_0/output_N.pb</c> ('/'-separated).</param>
/// <param name="Contents">A serialized ModelProto (model.onnx) or TensorProto (*.pb).</param>
public sealed record BackendTestFile(string RelativePath, byte[] Contents);

/// <summary>
/// Writes a case as an ONNX backend-test directory, the layout <c>onnx.backend.test</c> runners consume:
/// <c>model.onnx</c>, a graph of one LSTM/GRU/RNN node (opset <see cref="OnnxModelBuilder.Opset"/>), and
/// <c>test_data_set_0/input_N.pb</c>, <c>output_N.pb</c>, one serialized TensorProto per graph input and output.
/// <para>
/// Graph inputs, in the node's input order and numbered consecutively over the present ones: <c>X</c> [T][B][I],
/// <c>W</c> [D][G·H][I], <c>R</c> [D][G·H][H], <c>B</c> [D][2·G·H], then <c>sequence_lens</c> [B] (int32) when the case
/// has sequence lengths, <c>initial_h</c> [D][B][H] when it has h0, <c>initial_c</c> [D][B][H] when it is an LSTM with c0,
/// <c>P</c> [D][3·H] when it has peepholes. An absent optional input is the empty name in the node (ONNX's zeros) and has
/// no file. Graph outputs are the node's own: <c>Y</c> [T][D][B][H] (the case's y [T][B][D·H] transposed),
/// <c>Y_h</c> [D][B][H] (h_n), <c>Y_c</c> [D][B][H] (c_n), each present iff the case claims it, numbered in that order.
/// </para>
/// <para>
/// Weights come from the case's canonical weights through the exact ONNX layout export, so a case in any layout exports
/// (PyTorch and Keras gate orders are permuted into ONNX's). Elements are stored in the case's dtype (FLOAT or DOUBLE in
/// float_data / double_data; lengths in int32_data), rounded to nearest from the case's doubles, as the engines feed them.
/// The same case gives the same bytes. Exported cases: one layer, and the readings ONNX Runtime follows
/// (<see cref="Unsupported"/> says why a case is refused).
/// </para>
/// </summary>
public static class OnnxBackendExport
{
    /// <summary>The data-set directory name (a backend test may have several; the export writes one).</summary>
    public const string DataSet = "test_data_set_0";

    /// <summary>The model file name.</summary>
    public const string ModelFile = "model.onnx";

    /// <summary>Why <paramref name="c"/> cannot be exported as one ONNX node, or null when it can.</summary>
    public static string? Unsupported(RnnCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var s = c.Spec;
        if (s.NumLayers != 1)
            return $"num_layers = {s.NumLayers}: an ONNX RNN/LSTM/GRU node is one layer";
        if (s.Padding != PaddingReading.Zeros)
            return "padding = carry_last: ONNX zeroes the outputs of padded steps";
        if (s.ReverseOrder != ReverseOutputOrder.TimeAligned)
            return "reverse_order = processing_order: ONNX's Y is time-aligned";
        if (s.ClipReading != ClipReading.GateInputs)
            return "clip_reading = gate_inputs_and_cell: the ONNX model would be read as clipping gate inputs only";
        if (s.InputForgetReading != InputForgetReading.ForgetFromInput)
            return "input_forget_reading = input_from_forget: the ONNX model would be read as f = 1 − i";
        if (c.Claimed.Y is null && c.Claimed.HN is null && c.Claimed.CN is null)
            return "the case claims no y, h_n or c_n: a backend test needs expected outputs";
        return null;
    }

    /// <summary>
    /// The files of the backend-test directory for <paramref name="c"/>: model.onnx, then input_0.pb … and output_0.pb …
    /// </summary>
    /// <exception cref="ArgumentException">The case cannot be exported (<see cref="Unsupported"/>).</exception>
    public static IReadOnlyList<BackendTestFile> Files(RnnCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (Unsupported(c) is { } why)
            throw new ArgumentException($"the case cannot be exported as an ONNX backend test: {why}", nameof(c));
        var spec = c.Spec;
        bool f32 = c.Dtype == Dtype.Float32;
        var elem = f32 ? TensorProto.Types.DataType.Float : TensorProto.Types.DataType.Double;
        int T = c.T, B = c.Batch, D = spec.Directions, H = spec.HiddenSize, G = spec.Gates, I = spec.InputSize;
        bool lstm = spec.Kind == CellKind.Lstm;
        var onnx = OnnxLayout.Instance.Export(c.Weights);

        var inputs = new List<TensorProto>
        {
            Data("X", f32, c.X.Data, T, B, I),
            Data("W", f32, onnx["W"].Data, D, G * H, I),
            Data("R", f32, onnx["R"].Data, D, G * H, H),
            Data("B", f32, onnx["B"].Data, D, 2 * G * H),
        };
        var nodeInputs = new List<string> { "X", "W", "R", "B" };
        void Optional(string name, TensorProto? t)
        {
            nodeInputs.Add(t is null ? "" : name);
            if (t is not null) inputs.Add(t);
        }
        Optional("sequence_lens", c.SeqLens is null ? null : Lengths(c.SeqLens));
        Optional("initial_h", c.H0 is null ? null : Data("initial_h", f32, c.H0.Data, D, B, H));
        if (lstm)
        {
            Optional("initial_c", c.C0 is null ? null : Data("initial_c", f32, c.C0.Data, D, B, H));
            Optional("P", spec.Peepholes ? Data("P", f32, onnx["P"].Data, D, 3 * H) : null);
        }
        while (nodeInputs[^1].Length == 0)
            nodeInputs.RemoveAt(nodeInputs.Count - 1);

        var cl = c.Claimed;
        var outputs = new List<TensorProto>();
        var nodeOutputs = new List<string>
        {
            cl.Y is null ? "" : "Y",
            cl.HN is null ? "" : "Y_h",
            lstm && cl.CN is not null ? "Y_c" : "",
        };
        if (cl.Y is not null) outputs.Add(Data("Y", f32, TimeDirectionBatch(cl.Y.Data, T, B, D, H), T, D, B, H));
        if (cl.HN is not null) outputs.Add(Data("Y_h", f32, cl.HN.Data, D, B, H));
        if (lstm && cl.CN is not null) outputs.Add(Data("Y_c", f32, cl.CN.Data, D, B, H));
        while (nodeOutputs[^1].Length == 0)
            nodeOutputs.RemoveAt(nodeOutputs.Count - 1);

        var node = new NodeProto { OpType = OnnxModelBuilder.OpType(spec.Kind), Name = "rnn" };
        node.Input.AddRange(nodeInputs);
        node.Output.AddRange(nodeOutputs);
        OnnxModelBuilder.AddAttributes(node, spec);
        var graph = new GraphProto { Name = "rnnverify_backend_test" };
        graph.Node.Add(node);
        foreach (var t in inputs)
            graph.Input.Add(OnnxModelBuilder.Value(t.Name, (TensorProto.Types.DataType)t.DataType, [.. t.Dims]));
        foreach (var t in outputs)
            graph.Output.Add(OnnxModelBuilder.Value(t.Name, elem, [.. t.Dims]));
        var model = new ModelProto { IrVersion = 8, ProducerName = "rnnverify", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxModelBuilder.Opset });

        var files = new List<BackendTestFile> { new(ModelFile, model.ToByteArray()) };
        for (int i = 0; i < inputs.Count; i++)
            files.Add(new($"{DataSet}/input_{i}.pb", inputs[i].ToByteArray()));
        for (int i = 0; i < outputs.Count; i++)
            files.Add(new($"{DataSet}/output_{i}.pb", outputs[i].ToByteArray()));
        return files;
    }

    /// <summary>
    /// Writes <see cref="Files"/> under <paramref name="directory"/> (created if needed; existing files of the same names are
    /// replaced) and returns the full paths written.
    /// </summary>
    /// <exception cref="ArgumentException">The case cannot be exported (<see cref="Unsupported"/>).</exception>
    public static IReadOnlyList<string> Write(RnnCase c, string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var files = Files(c);
        Directory.CreateDirectory(Path.Combine(directory, DataSet));
        var written = new List<string>();
        foreach (var f in files)
        {
            string path = Path.Combine(directory, f.RelativePath.Replace('/', Path.DirectorySeparatorChar));
            File.WriteAllBytes(path, f.Contents);
            written.Add(path);
        }
        return written;
    }

    /// <summary>y [T][B][D·H] rearranged to ONNX's Y [T][D][B][H].</summary>
    internal static double[] TimeDirectionBatch(double[] y, int T, int B, int D, int H)
    {
        var r = new double[y.Length];
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++)
                for (int d = 0; d < D; d++)
                    Array.Copy(y, ((t * B + b) * D + d) * H, r, ((t * D + d) * B + b) * H, H);
        return r;
    }

    private static TensorProto Data(string name, bool f32, double[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name };
        t.Dims.AddRange(dims);
        if (f32)
        {
            t.DataType = (int)TensorProto.Types.DataType.Float;
            foreach (var v in data) t.FloatData.Add((float)v);
        }
        else
        {
            t.DataType = (int)TensorProto.Types.DataType.Double;
            t.DoubleData.AddRange(data);
        }
        return t;
    }

    private static TensorProto Lengths(int[] lens)
    {
        var t = new TensorProto { Name = "sequence_lens", DataType = (int)TensorProto.Types.DataType.Int32 };
        t.Dims.Add(lens.Length);
        t.Int32Data.AddRange(lens);
        return t;
    }
}
