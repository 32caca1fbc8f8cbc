using Microsoft.ML.OnnxRuntime;
using RnnVerify.Cells;
using RnnVerify.Cells.Layouts;
using RnnVerify.Verify.Cases;

namespace RnnVerify.Verify.Engines;

/// <summary>
/// ONNX Runtime (CPU execution provider) running the one-node-per-layer model of <see cref="OnnxModelBuilder"/>.
/// Forward only: it claims y, h_n and (LSTM) c_n, never gradients. Weights reach it through the exact ONNX layout
/// export of the case's canonical weights, rounded to the requested dtype (round to nearest), as are x, h0, c0.
/// </summary>
public sealed class OnnxRuntimeEngine : IEngine
{
    /// <inheritdoc/>
    public string Name => "onnxruntime";

    /// <inheritdoc/>
    public Claimed Run(RnnCase c, Dtype dtype) => RunModel(c, dtype, reverse: false);

    /// <summary>
    /// ONNX Runtime's <c>direction="reverse"</c> on the case's inputs, weights and initial states (a unidirectional spec):
    /// every layer processes entry b from step seq_lens[b] − 1 down to 0 and writes y time-aligned (zeros at padded steps);
    /// h_n, c_n are the states after step 0. These are not the claims of the case itself (a case's unidirectional network
    /// runs forward): they equal the forward claims of the case whose x is reversed within each entry's valid steps, with y
    /// reversed the same way (the conformance tests check it that way).
    /// </summary>
    /// <exception cref="EngineException">A bidirectional spec, or ONNX Runtime refused the model or the inputs.</exception>
    public static Claimed RunReverse(RnnCase c, Dtype dtype)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (c.Spec.Bidirectional)
            throw new EngineException("direction=\"reverse\" needs a unidirectional case");
        return RunModel(c, dtype, reverse: true);
    }

    private static Claimed RunModel(RnnCase c, Dtype dtype, bool reverse)
    {
        ArgumentNullException.ThrowIfNull(c);
        var spec = c.Spec;
        byte[] model = OnnxModelBuilder.Build(c, dtype, reverse);
        var onnx = OnnxLayout.Instance.Export(c.Weights);
        int D = spec.Directions, H = spec.HiddenSize, B = c.Batch;

        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            void Add(string name, double[] data, params long[] shape)
            {
                names.Add(name);
                values.Add(dtype == Dtype.Float32
                    ? OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(data, v => (float)v), shape)
                    : OrtValue.CreateTensorValueFromMemory((double[])data.Clone(), shape));
            }

            Add("X", c.X.Data, c.T, B, spec.InputSize);
            if (c.SeqLens is not null)
            {
                names.Add("sequence_lens");
                values.Add(OrtValue.CreateTensorValueFromMemory((int[])c.SeqLens.Clone(), [B]));
            }
            int stateBlock = D * B * H;
            for (int k = 0; k < spec.NumLayers; k++)
            {
                int inK = spec.LayerInputSize(k);
                int G = spec.Gates;
                Add($"W_{k}", onnx[OnnxLayout.TensorName("W", k)].Data, D, G * H, inK);
                Add($"R_{k}", onnx[OnnxLayout.TensorName("R", k)].Data, D, G * H, H);
                Add($"B_{k}", onnx[OnnxLayout.TensorName("B", k)].Data, D, 2 * G * H);
                Add($"initial_h_{k}", Slice(c.H0, k * stateBlock, stateBlock), D, B, H);
                if (spec.Kind == CellKind.Lstm)
                {
                    Add($"initial_c_{k}", Slice(c.C0, k * stateBlock, stateBlock), D, B, H);
                    if (spec.Peepholes)
                        Add($"P_{k}", onnx[OnnxLayout.TensorName("P", k)].Data, D, 3 * H);
                }
            }

            var outputs = spec.Kind == CellKind.Lstm ? new[] { "y", "h_n", "c_n" } : ["y", "h_n"];
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            InferenceSession session;
            try
            {
                session = new InferenceSession(model, options);
            }
            catch (OnnxRuntimeException e)
            {
                throw new EngineException($"ONNX Runtime refused the model ({dtype.Name()}): {FirstLine(e.Message)}", e);
            }
            using (session)
            {
                using var run = new RunOptions();
                IDisposableReadOnlyCollection<OrtValue> results;
                try
                {
                    results = session.Run(run, names, values, outputs);
                }
                catch (OnnxRuntimeException e)
                {
                    throw new EngineException($"ONNX Runtime failed to run the case: {FirstLine(e.Message)}", e);
                }
                using (results)
                {
                    int[] yShape = [c.T, B, D * H], sShape = [spec.NumLayers * D, B, H];
                    return new Claimed
                    {
                        Y = Read(results[0], yShape, dtype),
                        HN = Read(results[1], sShape, dtype),
                        CN = spec.Kind == CellKind.Lstm ? Read(results[2], sShape, dtype) : null,
                    };
                }
            }
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    private static string FirstLine(string s) => s.ReplaceLineEndings(" ").Trim();

    private static double[] Slice(Tensor? t, int start, int length) =>
        t is null ? new double[length] : t.Data.AsSpan(start, length).ToArray();

    private static Tensor Read(OrtValue v, int[] shape, Dtype dtype)
    {
        double[] data = dtype == Dtype.Float32
            ? Array.ConvertAll(v.GetTensorDataAsSpan<float>().ToArray(), f => (double)f)
            : v.GetTensorDataAsSpan<double>().ToArray();
        return new Tensor(shape, data);
    }
}
