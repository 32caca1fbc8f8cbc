namespace RnnVerify.Cells.Layouts;

/// <summary>
/// The shared mechanics of every layout: gate-block permutation, transposition, lookup and shape validation.
/// A gate order is written as <c>order[s] = c</c>: the layout's s-th block of H rows is the canonical c-th gate.
/// </summary>
internal static class GateLayout
{
    /// <summary>ONNX LSTM i, o, f, c from canonical i, f, g, o.</summary>
    public static readonly int[] OnnxLstm = [0, 3, 1, 2];
    /// <summary>ONNX and Keras GRU z, r, h from canonical r, z, n.</summary>
    public static readonly int[] ZrhGru = [1, 0, 2];
    /// <summary>ONNX peepholes i, o, f from canonical i, f, o.</summary>
    public static readonly int[] OnnxPeephole = [0, 2, 1];
    /// <summary>The identity order (PyTorch everywhere, Keras LSTM i, f, c, o, any RNN).</summary>
    public static readonly int[] Identity = [0, 1, 2, 3];

    /// <summary>
    /// Copies a [G·H][cols] matrix block by block: destination block s (of layout order) receives canonical block order[s]
    /// when <paramref name="toLayout"/>, and the reverse when not.
    /// </summary>
    public static void PermuteBlocks(ReadOnlySpan<double> src, Span<double> dst, int[] order, int gates, int hidden, int cols, bool toLayout)
    {
        int block = hidden * cols;
        for (int s = 0; s < gates; s++)
        {
            int c = order[s];
            (int from, int to) = toLayout ? (c, s) : (s, c);
            src.Slice(from * block, block).CopyTo(dst.Slice(to * block, block));
        }
    }

    /// <summary>Returns the [cols][rows] transpose of a row-major [rows][cols] matrix.</summary>
    public static double[] Transpose(ReadOnlySpan<double> m, int rows, int cols)
    {
        var t = new double[m.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                t[c * rows + r] = m[r * cols + c];
        return t;
    }

    /// <summary>Permutes a [G·H][cols] matrix from canonical to layout order.</summary>
    public static double[] ToLayout(ReadOnlySpan<double> canonical, int[] order, int gates, int hidden, int cols)
    {
        var d = new double[canonical.Length];
        PermuteBlocks(canonical, d, order, gates, hidden, cols, toLayout: true);
        return d;
    }

    /// <summary>Permutes a [G·H][cols] matrix from layout to canonical order.</summary>
    public static double[] ToCanonical(ReadOnlySpan<double> layout, int[] order, int gates, int hidden, int cols)
    {
        var d = new double[layout.Length];
        PermuteBlocks(layout, d, order, gates, hidden, cols, toLayout: false);
        return d;
    }

    /// <summary>Checks that <paramref name="tensors"/> holds exactly the slots, each with its shape, and returns them by name.</summary>
    public static Dictionary<string, WeightTensor> Validate(IReadOnlyList<TensorSlot> slots, IReadOnlyDictionary<string, WeightTensor> tensors, string layout)
    {
        var found = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        foreach (var slot in slots)
        {
            if (!tensors.TryGetValue(slot.Name, out var t))
                throw new LayoutException(slot.Name, $"missing weight '{slot.Name}' (the {layout} layout expects shape {WeightTensor.Format(slot.Shape)})");
            CheckShape(slot, t);
            found[slot.Name] = t;
        }
        foreach (var name in tensors.Keys)
        {
            if (!found.ContainsKey(name))
            {
                var expected = string.Join(", ", slots.Select(s => s.Name));
                throw new LayoutException(name, $"unexpected weight '{name}' for the {layout} layout of this cell (expected: {expected})");
            }
        }
        return found;
    }

    /// <summary>Throws a message naming the axis, its meaning and the expected length when <paramref name="t"/> does not fit.</summary>
    public static void CheckShape(TensorSlot slot, WeightTensor t)
    {
        if (t.Shape.Length != slot.Shape.Length)
            throw new LayoutException(slot.Name, $"weight '{slot.Name}' has {t.Shape.Length} axes {WeightTensor.Format(t.Shape)}, expected {slot.Shape.Length} axes {WeightTensor.Format(slot.Shape)} ([{string.Join("][", slot.AxisMeaning)}])");
        for (int a = 0; a < slot.Shape.Length; a++)
        {
            if (t.Shape[a] != slot.Shape[a])
                throw new LayoutException(slot.Name, $"weight '{slot.Name}' axis {a} ({slot.AxisMeaning[a]}) has length {t.Shape[a]}, expected {slot.Shape[a]}");
        }
        if (t.Data.LongLength != t.ElementCount)
            throw new LayoutException(slot.Name, $"weight '{slot.Name}' has {t.Data.LongLength} elements, its shape {WeightTensor.Format(t.Shape)} implies {t.ElementCount}");
    }

    /// <summary>"G·hidden_size" with G written out, for axis meanings.</summary>
    public static string GatesTimesHidden(CellSpec spec) => spec.Gates == 1 ? "hidden_size" : $"{spec.Gates}·hidden_size";

    /// <summary>Name suffix shared by PyTorch-style and Keras-style names: <c>_l{k}</c> and <c>_reverse</c>.</summary>
    public static string Suffix(int layer, int direction, bool alwaysLayer) =>
        (alwaysLayer || layer > 0 ? $"_l{layer}" : "") + (direction == 1 ? "_reverse" : "");

    /// <summary>Fails unless the layout has a place for LSTM peepholes.</summary>
    public static void RejectPeepholes(CellSpec spec, string layout)
    {
        if (spec.Kind == CellKind.Lstm && spec.Peepholes)
            throw new LayoutException("P", $"the {layout} layout has no peephole weights; store an LSTM with peepholes in the onnx layout");
    }
}
