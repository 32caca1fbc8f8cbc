namespace RnnVerify.Cells.Layouts;

/// <summary>
/// Keras's <c>SimpleRNN</c>/<c>LSTM</c>/<c>GRU</c> weights: <c>kernel</c> [In][G·H] and <c>recurrent_kernel</c> [H][G·H]
/// (the transposes of PyTorch's matrices) and <c>bias</c>. Gate order LSTM i, f, c, o (canonical) and GRU z, r, h.
/// <para>
/// Biases: a GRU with <c>reset_after</c> (<see cref="CellSpec.LinearBeforeReset"/> true, Keras's default) has
/// <c>bias</c> [2][3·H] = [input bias; recurrent bias]. Every other cell has one <c>bias</c> [G·H], which import reads
/// as the input bias with a zero recurrent bias, and export writes as Bx + Bh (the cells only ever add the two, and a
/// GRU without reset_after adds b_hn outside the reset product: n = g(W_n x + b_n + U_n (r ⊙ h))). So keras → canonical → keras
/// is exact, and canonical → keras → canonical is exact when Bh = 0 (otherwise the sum is rounded once).
/// </para>
/// <para>
/// Keras has no num_layers or bidirectional flag: stacked layers and the Bidirectional wrapper hold separate weights.
/// This layout names layer k &gt; 0 with the suffix <c>_l{k}</c> and the backward direction with <c>_reverse</c>
/// (<c>kernel_l1_reverse</c>); layer 0 forward keeps the plain names. Keras has no peepholes; a spec with them is rejected.
/// </para>
/// </summary>
public sealed class KerasLayout : IWeightLayout
{
    /// <summary>The single instance.</summary>
    public static KerasLayout Instance { get; } = new();

    private KerasLayout() { }

    /// <inheritdoc/>
    public string Name => "keras";

    private static string Sfx(int layer, int direction) => GateLayout.Suffix(layer, direction, alwaysLayer: false);

    private static int[] Order(CellKind kind) => kind == CellKind.Gru ? GateLayout.ZrhGru : GateLayout.Identity;

    /// <summary>Whether the bias holds two rows (GRU with reset_after).</summary>
    private static bool TwoBiases(CellSpec spec) => spec.Kind == CellKind.Gru && spec.LinearBeforeReset;

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
                slots.Add(new($"kernel{s}", [spec.LayerInputSize(k), gh], [inName, ghName]));
                slots.Add(new($"recurrent_kernel{s}", [spec.HiddenSize, gh], ["hidden_size", ghName]));
                slots.Add(TwoBiases(spec)
                    ? new($"bias{s}", [2, gh], ["input and recurrent bias (reset_after)", ghName])
                    : new($"bias{s}", [gh], [ghName]));
            }
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
            for (int d = 0; d < spec.Directions; d++)
            {
                string s = Sfx(k, d);
                var wx = GateLayout.ToCanonical(GateLayout.Transpose(t[$"kernel{s}"].Data, inK, gh), order, g, h, inK);
                var wh = GateLayout.ToCanonical(GateLayout.Transpose(t[$"recurrent_kernel{s}"].Data, h, gh), order, g, h, h);
                var b = t[$"bias{s}"].Data;
                var bx = GateLayout.ToCanonical(b.AsSpan(0, gh), order, g, h, 1);
                var bh = TwoBiases(spec) ? GateLayout.ToCanonical(b.AsSpan(gh, gh), order, g, h, 1) : new double[gh];
                layers.Add(new LayerWeights(wx, wh, bx, bh, null));
            }
        }
        return new NetworkWeights(spec, layers);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, WeightTensor> Export(NetworkWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var spec = weights.Spec;
        GateLayout.RejectPeepholes(spec, Name);
        int g = spec.Gates, h = spec.HiddenSize, gh = g * h;
        var order = Order(spec.Kind);
        var result = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        for (int k = 0; k < spec.NumLayers; k++)
        {
            int inK = spec.LayerInputSize(k);
            for (int d = 0; d < spec.Directions; d++)
            {
                string s = Sfx(k, d);
                var lw = weights[k, d];
                result[$"kernel{s}"] = new([inK, gh], GateLayout.Transpose(GateLayout.ToLayout(lw.Wx, order, g, h, inK), gh, inK));
                result[$"recurrent_kernel{s}"] = new([h, gh], GateLayout.Transpose(GateLayout.ToLayout(lw.Wh, order, g, h, h), gh, h));
                if (TwoBiases(spec))
                {
                    var b = new double[2 * gh];
                    GateLayout.PermuteBlocks(lw.Bx, b.AsSpan(0, gh), order, g, h, 1, toLayout: true);
                    GateLayout.PermuteBlocks(lw.Bh, b.AsSpan(gh, gh), order, g, h, 1, toLayout: true);
                    result[$"bias{s}"] = new([2, gh], b);
                }
                else
                {
                    var sum = new double[gh];
                    for (int j = 0; j < gh; j++)
                        sum[j] = lw.Bx[j] + lw.Bh[j];
                    result[$"bias{s}"] = new([gh], GateLayout.ToLayout(sum, order, g, h, 1));
                }
            }
        }
        return result;
    }
}
