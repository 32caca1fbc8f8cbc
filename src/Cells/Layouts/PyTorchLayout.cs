namespace RnnVerify.Cells.Layouts;

/// <summary>
/// PyTorch's <c>nn.RNN</c>/<c>nn.LSTM</c>/<c>nn.GRU</c> state_dict: for layer k and direction d (suffix <c>_reverse</c>),
/// <c>weight_ih_l{k}</c> [G·H][In_k], <c>weight_hh_l{k}</c> [G·H][H], <c>bias_ih_l{k}</c> [G·H], <c>bias_hh_l{k}</c> [G·H],
/// where In_0 = input_size and In_k = D·H for k &gt; 0. Gate order LSTM i, f, g, o and GRU r, z, n: this is the canonical
/// layout, so import and export are exact copies. PyTorch has no peepholes; a spec with peepholes is rejected.
/// </summary>
public sealed class PyTorchLayout : IWeightLayout
{
    /// <summary>The single instance.</summary>
    public static PyTorchLayout Instance { get; } = new();

    private PyTorchLayout() { }

    /// <inheritdoc/>
    public string Name => "pytorch";

    private static string Sfx(int layer, int direction) => GateLayout.Suffix(layer, direction, alwaysLayer: true);

    /// <inheritdoc/>
    public IReadOnlyList<TensorSlot> Slots(CellSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        GateLayout.RejectPeepholes(spec, Name);
        int gh = spec.Gates * spec.HiddenSize;
        string ghName = GateLayout.GatesTimesHidden(spec);
        var slots = new List<TensorSlot>();
        for (int k = 0; k < spec.NumLayers; k++)
        {
            for (int d = 0; d < spec.Directions; d++)
            {
                string s = Sfx(k, d);
                string inName = k == 0 ? "input_size" : "directions·hidden_size";
                slots.Add(new($"weight_ih{s}", [gh, spec.LayerInputSize(k)], [ghName, inName]));
                slots.Add(new($"weight_hh{s}", [gh, spec.HiddenSize], [ghName, "hidden_size"]));
                slots.Add(new($"bias_ih{s}", [gh], [ghName]));
                slots.Add(new($"bias_hh{s}", [gh], [ghName]));
            }
        }
        return slots;
    }

    /// <inheritdoc/>
    public NetworkWeights Import(CellSpec spec, IReadOnlyDictionary<string, WeightTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var t = GateLayout.Validate(Slots(spec), tensors, Name);
        var layers = new List<LayerWeights>();
        for (int k = 0; k < spec.NumLayers; k++)
        {
            for (int d = 0; d < spec.Directions; d++)
            {
                string s = Sfx(k, d);
                layers.Add(new LayerWeights(
                    (double[])t[$"weight_ih{s}"].Data.Clone(),
                    (double[])t[$"weight_hh{s}"].Data.Clone(),
                    (double[])t[$"bias_ih{s}"].Data.Clone(),
                    (double[])t[$"bias_hh{s}"].Data.Clone(),
                    null));
            }
        }
        return new NetworkWeights(spec, layers);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, WeightTensor> Export(NetworkWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var spec = weights.Spec;
        var result = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        GateLayout.RejectPeepholes(spec, Name);
        int gh = spec.Gates * spec.HiddenSize;
        for (int k = 0; k < spec.NumLayers; k++)
        {
            for (int d = 0; d < spec.Directions; d++)
            {
                string s = Sfx(k, d);
                var lw = weights[k, d];
                result[$"weight_ih{s}"] = new([gh, spec.LayerInputSize(k)], (double[])lw.Wx.Clone());
                result[$"weight_hh{s}"] = new([gh, spec.HiddenSize], (double[])lw.Wh.Clone());
                result[$"bias_ih{s}"] = new([gh], (double[])lw.Bx.Clone());
                result[$"bias_hh{s}"] = new([gh], (double[])lw.Bh.Clone());
            }
        }
        return result;
    }
}
