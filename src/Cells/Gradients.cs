using System.Numerics;

namespace RnnVerify.Cells;

/// <summary>
/// Gradients of one layer and direction, in the canonical layout of <see cref="LayerWeights"/>
/// (PyTorch gate order, row-major [Gates·H][In] and [Gates·H][H], two biases, peepholes i, f, o).
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
/// <param name="Wx">∂L/∂W_x, [Gates·H][In].</param>
/// <param name="Wh">∂L/∂W_h, [Gates·H][H].</param>
/// <param name="Bx">∂L/∂b_x, [Gates·H].</param>
/// <param name="Bh">∂L/∂b_h, [Gates·H].</param>
/// <param name="P">∂L/∂P, [3·H] (i, f, o), null when the spec has no peepholes.</param>
public sealed record LayerGradients<T>(T[] Wx, T[] Wh, T[] Bx, T[] Bh, T[]? P)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Zeroes every gradient, or all but dW_x and dW_h when <paramref name="weights"/> is false (a full sweep writes them).</summary>
    internal void Clear(bool weights = true)
    {
        if (weights)
        {
            Array.Clear(Wx);
            Array.Clear(Wh);
        }

        Array.Clear(Bx);
        Array.Clear(Bh);
        if (P is not null)
        {
            Array.Clear(P);
        }
    }
}

/// <summary>Gradients of every layer and direction, index layer·Directions + direction (as <see cref="NetworkWeights"/>).</summary>
/// <typeparam name="T">float or double.</typeparam>
public sealed class NetworkGradients<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Zero gradients for every weight the spec defines.</summary>
    public NetworkGradients(CellSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        int g = spec.Gates * spec.HiddenSize;
        var layers = new LayerGradients<T>[spec.NumLayers * spec.Directions];
        for (int l = 0; l < spec.NumLayers; l++)
        {
            for (int d = 0; d < spec.Directions; d++)
            {
                layers[(l * spec.Directions) + d] = new LayerGradients<T>(
                    new T[g * spec.LayerInputSize(l)],
                    new T[g * spec.HiddenSize],
                    new T[g],
                    new T[g],
                    spec.Kind == CellKind.Lstm && spec.Peepholes ? new T[3 * spec.HiddenSize] : null);
            }
        }

        Layers = layers;
    }

    /// <summary>The spec these gradients belong to.</summary>
    public CellSpec Spec { get; }

    /// <summary>One entry per layer and direction, index layer·Directions + direction.</summary>
    public IReadOnlyList<LayerGradients<T>> Layers { get; }

    /// <summary>The gradients of <paramref name="layer"/>, direction 0 forward and 1 reverse.</summary>
    public LayerGradients<T> this[int layer, int direction] => Layers[(layer * Spec.Directions) + direction];

    /// <summary>The gradients widened to double, shaped as <see cref="NetworkWeights"/> (handy for comparisons and converters).</summary>
    public NetworkWeights ToNetworkWeights() => new(
        Spec,
        Layers.Select(g => new LayerWeights(Widen(g.Wx), Widen(g.Wh), Widen(g.Bx), Widen(g.Bh), g.P is null ? null : Widen(g.P))).ToArray());

    /// <summary>Zeroes every gradient, or all but the weight matrices when <paramref name="weights"/> is false.</summary>
    internal void Clear(bool weights = true)
    {
        foreach (var g in Layers)
        {
            g.Clear(weights);
        }
    }

    private static double[] Widen(T[] a) => Array.ConvertAll(a, double.CreateChecked);
}
