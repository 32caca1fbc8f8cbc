using System.Text.Json.Nodes;
using RnnVerify.Cells;
using RnnVerify.Cells.Layouts;

namespace RnnVerify.Verify.Cases;

/// <summary>Builds valid cases from a spec and canonical weights, and random non-degenerate cases for tests and examples.</summary>
public static class CaseBuilder
{
    /// <summary>
    /// A case for <paramref name="weights"/> stored in <paramref name="layout"/>, with the attributes that reproduce its spec.
    /// Shapes: x [T][B][I]; seqLens [B] or null; h0, c0 [L·D][B][H] or null.
    /// </summary>
    public static RnnCase Create(NetworkWeights weights, string layout, Dtype dtype, Tensor x, int[]? seqLens = null, Tensor? h0 = null, Tensor? c0 = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var spec = weights.Spec;
        var l = WeightLayouts.Get(layout) ?? throw new ArgumentException($"unknown layout '{layout}'", nameof(layout));
        string cell = spec.Kind switch
        {
            CellKind.Lstm => "lstm",
            CellKind.Gru => "gru",
            _ => spec.EffectiveActivations[0] == Activation.Relu ? "rnn_relu" : "rnn_tanh",
        };
        var attrs = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        bool nonDefault = spec.Kind == CellKind.Rnn
            ? spec.EffectiveActivations[0] is not (Activation.Tanh or Activation.Relu) // rnn_tanh / rnn_relu name these two
            : spec.Activations is not null;
        if (nonDefault)
            attrs["activations"] = new JsonArray(spec.EffectiveActivations.Select(a => (JsonNode?)JsonValue.Create(a.ToString())).ToArray());
        if (spec.Clip is double clip) attrs["clip"] = clip;
        if (spec.ClipReading != ClipReading.GateInputs) attrs["clip_reading"] = "gate_inputs_and_cell";
        if (spec.InputForget) attrs["input_forget"] = 1;
        if (spec.InputForgetReading != InputForgetReading.ForgetFromInput) attrs["input_forget_reading"] = "input_from_forget";
        if (spec.Kind == CellKind.Gru)
        {
            if (layout == "keras") attrs["reset_after"] = spec.LinearBeforeReset;
            else attrs["linear_before_reset"] = spec.LinearBeforeReset ? 1 : 0;
        }
        if (spec.Padding != PaddingReading.Zeros) attrs["padding"] = "carry_last";
        if (spec.ReverseOrder != ReverseOutputOrder.TimeAligned) attrs["reverse_order"] = "processing_order";
        var tensors = l.Export(weights).ToDictionary(kv => kv.Key, kv => new Tensor(kv.Value.Shape, kv.Value.Data), StringComparer.Ordinal);
        return new RnnCase
        {
            Cell = cell,
            Layout = layout,
            Attributes = attrs,
            Spec = spec,
            Dtype = dtype,
            LayoutWeights = tensors,
            Weights = weights,
            X = x,
            SeqLens = seqLens,
            H0 = h0,
            C0 = c0,
        };
    }

    /// <summary>
    /// Random canonical weights, every element independent and uniform in [−scale, scale] (so gates differ and a gate
    /// permutation, a transposition or a GRU variant mix-up changes the result).
    /// </summary>
    public static NetworkWeights RandomWeights(CellSpec spec, Random rng, double scale)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(rng);
        double[] U(int n) { var a = new double[n]; for (int i = 0; i < n; i++) a[i] = scale * (2 * rng.NextDouble() - 1); return a; }
        int gh = spec.Gates * spec.HiddenSize;
        var layers = new List<LayerWeights>();
        for (int k = 0; k < spec.NumLayers; k++)
            for (int d = 0; d < spec.Directions; d++)
                layers.Add(new LayerWeights(U(gh * spec.LayerInputSize(k)), U(gh * spec.HiddenSize), U(gh), U(gh),
                    spec.Kind == CellKind.Lstm && spec.Peepholes ? U(3 * spec.HiddenSize) : null));
        return new NetworkWeights(spec, layers);
    }

    /// <summary>A tensor of independent uniform elements in [−scale, scale].</summary>
    public static Tensor RandomTensor(Random rng, double scale, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Data.Length; i++) t.Data[i] = scale * (2 * rng.NextDouble() - 1);
        return t;
    }

    /// <summary>
    /// A random case for <paramref name="spec"/>: weights uniform in ±1/√H·1.5, inputs in ±1, random h0 (and c0), and, when
    /// <paramref name="withSeqLens"/>, sequence lengths in <paramref name="minSeqLen"/>..T with at least one full-length entry.
    /// </summary>
    public static RnnCase Random(CellSpec spec, string layout, Dtype dtype, int steps, int batch, Random rng, bool withSeqLens = false, bool withInitialState = true, int minSeqLen = 0)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(rng);
        var w = RandomWeights(spec, rng, 1.5 / Math.Sqrt(spec.HiddenSize));
        var x = RandomTensor(rng, 1.0, steps, batch, spec.InputSize);
        int ld = spec.NumLayers * spec.Directions;
        Tensor? h0 = withInitialState ? RandomTensor(rng, 0.5, ld, batch, spec.HiddenSize) : null;
        Tensor? c0 = withInitialState && spec.Kind == CellKind.Lstm ? RandomTensor(rng, 0.5, ld, batch, spec.HiddenSize) : null;
        int[]? lens = null;
        if (withSeqLens)
        {
            lens = new int[batch];
            for (int b = 0; b < batch; b++) lens[b] = rng.Next(Math.Min(minSeqLen, steps), steps + 1);
            lens[rng.Next(batch)] = steps;
        }
        return Create(w, layout, dtype, x, lens, h0, c0);
    }

    /// <summary>Random upstream gradients dy [T][B][D·H], dh_n and (LSTM) dc_n [L·D][B][H], uniform in ±1, and no claimed gradients.</summary>
    public static ClaimedGrad RandomUpstream(RnnCase c, Random rng)
    {
        ArgumentNullException.ThrowIfNull(c);
        int D = c.Spec.Directions, H = c.Spec.HiddenSize, LD = c.Spec.NumLayers * D;
        return new ClaimedGrad
        {
            Dy = RandomTensor(rng, 1.0, c.T, c.Batch, D * H),
            DhN = RandomTensor(rng, 1.0, LD, c.Batch, H),
            DcN = c.Spec.Kind == CellKind.Lstm ? RandomTensor(rng, 1.0, LD, c.Batch, H) : null,
        };
    }
}
