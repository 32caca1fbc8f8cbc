using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using RnnVerify.Cells;
using RnnVerify.Cells.Layouts;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Engines;

namespace RnnVerify.Bench.Cells;

/// <summary>
/// ONNX Runtime (CPU execution provider) running <see cref="OnnxModelBuilder"/>'s one-node model of a case in float32, set up
/// once so that <see cref="Run"/> times only <c>session.Run</c>: the weights W, R, B become constant initializers (as in an
/// exported model, which lets ORT pre-pack them), and the inputs (x, zero initial states) and outputs (y, h_n, c_n) are
/// OrtValues over pinned, preallocated float arrays.
/// </summary>
internal sealed class OrtSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly List<string> _inputNames = [];
    private readonly List<OrtValue> _inputs = [];
    private readonly List<string> _outputNames = [];
    private readonly List<OrtValue> _outputs = [];

    /// <summary>Builds the session; <paramref name="intraOpThreads"/> 0 means ORT's default (one thread per core).</summary>
    public OrtSession(RnnCase c, int intraOpThreads)
    {
        var spec = c.Spec;
        int h = spec.HiddenSize, b = c.Batch;
        var model = ModelProto.Parser.ParseFrom(OnnxModelBuilder.Build(c, Dtype.Float32));
        var onnx = OnnxLayout.Instance.Export(c.Weights);
        foreach (var name in new[] { "W", "R", "B" })
        {
            var input = model.Graph.Input.Single(v => v.Name == $"{name}_0");
            model.Graph.Input.Remove(input);
            var data = Workload.Single(onnx[OnnxLayout.TensorName(name, 0)].Data);
            var tensor = new TensorProto { Name = input.Name, DataType = (int)TensorProto.Types.DataType.Float };
            tensor.Dims.AddRange(input.Type.TensorType.Shape.Dim.Select(d => d.DimValue));
            var bytes = new byte[data.Length * sizeof(float)];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
            tensor.RawData = ByteString.CopyFrom(bytes);
            model.Graph.Initializer.Add(tensor);
        }

        using var options = new SessionOptions
        {
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        _session = new InferenceSession(model.ToByteArray(), options);

        void Input(string name, float[] data, params long[] shape)
        {
            _inputNames.Add(name);
            _inputs.Add(OrtValue.CreateTensorValueFromMemory(data, shape));
        }

        void Output(string name, params long[] shape)
        {
            _outputNames.Add(name);
            _outputs.Add(OrtValue.CreateTensorValueFromMemory(new float[shape.Aggregate(1L, (p, d) => p * d)], shape));
        }

        Input("X", Workload.Single(c.X.Data), c.T, b, spec.InputSize);
        Input("initial_h_0", new float[b * h], 1, b, h);
        if (spec.Kind == CellKind.Lstm)
        {
            Input("initial_c_0", new float[b * h], 1, b, h);
        }

        Output("y", c.T, b, h);
        Output("h_n", 1, b, h);
        if (spec.Kind == CellKind.Lstm)
        {
            Output("c_n", 1, b, h);
        }
    }

    /// <summary>y of the last <see cref="Run"/>, [T][B][H].</summary>
    public ReadOnlySpan<float> Y => _outputs[0].GetTensorDataAsSpan<float>();

    /// <summary>One forward pass into the preallocated outputs.</summary>
    public void Run() => _session.Run(_run, _inputNames, _inputs, _outputNames, _outputs);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var v in _inputs.Concat(_outputs))
        {
            v.Dispose();
        }

        _run.Dispose();
        _session.Dispose();
    }
}
