using RnnVerify.Cells;
using RnnVerify.Cells.Layouts;

namespace RnnVerify.Verify.Engines;

/// <summary>
/// Where each element of a layout's weight tensors sits in the canonical weights, so that anything indexed like the
/// canonical weights (gradient enclosures, tolerances) can be shown under the layout's names and shapes.
/// <para>
/// Canonical flat order: the layers in <see cref="NetworkWeights.Layers"/> order (index layer·D + direction), each as
/// W_x [G·H][In], W_h [G·H][H], b_x [G·H], b_h [G·H], then P [3·H] when present. Every layout stores the weights by
/// permutation and transposition, so each layout element is one canonical element — except a Keras single bias b (every
/// Keras cell but a GRU with reset_after), imported as b_x with b_h = 0: its gradient is ∂L/∂b_x, so it maps to b_x.
/// </para>
/// </summary>
public static class LayoutGradientMap
{
    /// <summary>The canonical tensors of every layer concatenated in the canonical flat order.</summary>
    public static T[] Flatten<T>(IEnumerable<(T[] Wx, T[] Wh, T[] Bx, T[] Bh, T[]? P)> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var all = new List<T>();
        foreach (var (wx, wh, bx, bh, p) in layers)
        {
            all.AddRange(wx);
            all.AddRange(wh);
            all.AddRange(bx);
            all.AddRange(bh);
            if (p is not null) all.AddRange(p);
        }
        return [.. all];
    }

    /// <summary>
    /// For every weight of <paramref name="layout"/> (in the layout's slot order): its name, its shape and, per element
    /// (row-major), the index of the canonical element whose gradient it is, in the canonical flat order.
    /// </summary>
    /// <exception cref="LayoutException">The layout cannot express <paramref name="spec"/>.</exception>
    public static IReadOnlyList<(string Name, int[] Shape, int[] Source)> Sources(string layout, CellSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var l = WeightLayouts.Get(layout) ?? throw new ArgumentException($"unknown layout '{layout}'", nameof(layout));
        // Label every canonical element with its index + 1 (exact in a double); the layout's export then carries the labels.
        bool singleBias = layout == "keras" && !(spec.Kind == CellKind.Gru && spec.LinearBeforeReset);
        int next = 1;
        double[] Labels(int n, bool zero)
        {
            var a = new double[n];
            for (int i = 0; i < n; i++) a[i] = zero ? 0 : next + i;
            next += n;
            return a;
        }
        int gh = spec.Gates * spec.HiddenSize;
        var layers = new List<LayerWeights>();
        for (int k = 0; k < spec.NumLayers; k++)
        {
            for (int d = 0; d < spec.Directions; d++)
            {
                var wx = Labels(gh * spec.LayerInputSize(k), false);
                var wh = Labels(gh * spec.HiddenSize, false);
                var bx = Labels(gh, false);
                var bh = Labels(gh, singleBias);
                var p = spec.Kind == CellKind.Lstm && spec.Peepholes ? Labels(3 * spec.HiddenSize, false) : null;
                layers.Add(new LayerWeights(wx, wh, bx, bh, p));
            }
        }
        var exported = l.Export(new NetworkWeights(spec, layers));
        var result = new List<(string, int[], int[])>();
        foreach (var slot in l.Slots(spec))
        {
            var t = exported[slot.Name];
            var src = new int[t.Data.Length];
            for (int i = 0; i < src.Length; i++)
            {
                double v = t.Data[i];
                if (!(v >= 1 && v < next && v == Math.Floor(v)))
                    throw new InvalidOperationException($"the {layout} layout's '{slot.Name}'[{i}] is not a single canonical weight (label {v:R})");
                src[i] = (int)v - 1;
            }
            result.Add((slot.Name, t.Shape, src));
        }
        return result;
    }
}
