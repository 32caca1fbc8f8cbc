namespace RnnVerify.Cells.Layouts;

/// <summary>
/// ONNX's RNN/LSTM/GRU operator inputs: <c>W</c> [D][G·H][In], <c>R</c> [D][G·H][H], <c>B</c> [D][2·G·H] = [Wb, Rb],
/// and for an LSTM with peepholes <c>P</c> [D][3·H] in the order i, o, f. Direction 0 is forward, 1 reverse.
/// Gate order LSTM i, o, f, c and GRU z, r, h; import and export permute whole blocks of H rows, so both are exact.
/// <para>
/// An ONNX node is one layer. For num_layers &gt; 1 this layout names the tensors of layer k &gt; 0 with the suffix
/// <c>_l{k}</c> (<c>W_l1</c>, <c>R_l1</c>, <c>B_l1</c>, <c>P_l1</c>): each layer is one node, fed the previous node's
/// Y reshaped from [T][D][B][H] to [T][B][D·H] (In_k = D·H). Layer 0 keeps the plain names.
/// </para>
/// </summary>
public sealed class OnnxLayout : IWeightLayout
{
    /// <summary>The single instance.</summary>
    public static OnnxLayout Instance { get; } = new();

    private OnnxLayout() { }

    /// <inheritdoc/>
    public string Name => "onnx";

    /// <summary>The name of ONNX tensor <paramref name="baseName"/> (W, R, B, P) of layer <paramref name="layer"/>.</summary>
    public static string TensorName(string baseName, int layer) => layer == 0 ? baseName : $"{baseName}_l{layer}";

    /// <summary>The ONNX gate order as a map from ONNX block to canonical gate.</summary>
    internal static int[] Order(CellKind kind) => kind switch
    {
        CellKind.Lstm => GateLayout.OnnxLstm,
        CellKind.Gru => GateLayout.ZrhGru,
        _ => GateLayout.Identity,
    };

    /// <inheritdoc/>
    public IReadOnlyList<TensorSlot> Slots(CellSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int dirs = spec.Directions, gh = spec.Gates * spec.HiddenSize;
        string ghName = GateLayout.GatesTimesHidden(spec);
        var slots = new List<TensorSlot>();
        for (int k = 0; k < spec.NumLayers; k++)
        {
            string inName = k == 0 ? "input_size" : "directions·hidden_size";
            slots.Add(new(TensorName("W", k), [dirs, gh, spec.LayerInputSize(k)], ["directions", ghName, inName]));
            slots.Add(new(TensorName("R", k), [dirs, gh, spec.HiddenSize], ["directions", ghName, "hidden_size"]));
            slots.Add(new(TensorName("B", k), [dirs, 2 * gh], ["directions", "2·" + ghName]));
            if (spec.Kind == CellKind.Lstm && spec.Peepholes)
                slots.Add(new(TensorName("P", k), [dirs, 3 * spec.HiddenSize], ["directions", "3·hidden_size"]));
        }
        return slots;
    }

    /// <inheritdoc/>
    public NetworkWeights Import(CellSpec spec, IReadOnlyDictionary<string, WeightTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var t = GateLayout.Validate(Slots(spec), tensors, Name);
        int g = spec.Gates, h = spec.HiddenSize, gh = g * h;
        var order = Order(spec.Kind);
        var layers = new List<LayerWeights>();
        for (int k = 0; k < spec.NumLayers; k++)
        {
            int inK = spec.LayerInputSize(k);
            var w = t[TensorName("W", k)].Data;
            var r = t[TensorName("R", k)].Data;
            var b = t[TensorName("B", k)].Data;
            var p = spec.Kind == CellKind.Lstm && spec.Peepholes ? t[TensorName("P", k)].Data : null;
            for (int d = 0; d < spec.Directions; d++)
            {
                var wx = GateLayout.ToCanonical(w.AsSpan(d * gh * inK, gh * inK), order, g, h, inK);
                var wh = GateLayout.ToCanonical(r.AsSpan(d * gh * h, gh * h), order, g, h, h);
                var bx = GateLayout.ToCanonical(b.AsSpan(d * 2 * gh, gh), order, g, h, 1);
                var bh = GateLayout.ToCanonical(b.AsSpan(d * 2 * gh + gh, gh), order, g, h, 1);
                var pc = p is null ? null : GateLayout.ToCanonical(p.AsSpan(d * 3 * h, 3 * h), GateLayout.OnnxPeephole, 3, h, 1);
                layers.Add(new LayerWeights(wx, wh, bx, bh, pc));
            }
        }
        return new NetworkWeights(spec, layers);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, WeightTensor> Export(NetworkWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var spec = weights.Spec;
        int g = spec.Gates, h = spec.HiddenSize, gh = g * h, dirs = spec.Directions;
        bool peep = spec.Kind == CellKind.Lstm && spec.Peepholes;
        var order = Order(spec.Kind);
        var result = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        for (int k = 0; k < spec.NumLayers; k++)
        {
            int inK = spec.LayerInputSize(k);
            var w = new double[dirs * gh * inK];
            var r = new double[dirs * gh * h];
            var b = new double[dirs * 2 * gh];
            var p = new double[dirs * 3 * h];
            for (int d = 0; d < dirs; d++)
            {
                var lw = weights[k, d];
                GateLayout.PermuteBlocks(lw.Wx, w.AsSpan(d * gh * inK, gh * inK), order, g, h, inK, toLayout: true);
                GateLayout.PermuteBlocks(lw.Wh, r.AsSpan(d * gh * h, gh * h), order, g, h, h, toLayout: true);
                GateLayout.PermuteBlocks(lw.Bx, b.AsSpan(d * 2 * gh, gh), order, g, h, 1, toLayout: true);
                GateLayout.PermuteBlocks(lw.Bh, b.AsSpan(d * 2 * gh + gh, gh), order, g, h, 1, toLayout: true);
                if (peep)
                {
                    var pc = lw.P ?? throw new LayoutException(TensorName("P", k), $"the spec has peepholes but layer {k} direction {d} has none");
                    GateLayout.PermuteBlocks(pc, p.AsSpan(d * 3 * h, 3 * h), GateLayout.OnnxPeephole, 3, h, 1, toLayout: true);
                }
            }
            result[TensorName("W", k)] = new([dirs, gh, inK], w);
            result[TensorName("R", k)] = new([dirs, gh, h], r);
            result[TensorName("B", k)] = new([dirs, 2 * gh], b);
            if (peep)
                result[TensorName("P", k)] = new([dirs, 3 * h], p);
        }
        return result;
    }
}
