namespace RnnVerify.Cells;

/// <summary>
/// Weights of one layer and direction in the canonical layout: PyTorch's gate order (LSTM i, f, g, o; GRU r, z, n),
/// row-major matrices with one row per gate unit.
/// </summary>
/// <param name="Wx">Input weights, [Gates·H][In] row-major.</param>
/// <param name="Wh">Recurrent weights, [Gates·H][H] row-major.</param>
/// <param name="Bx">Input bias, [Gates·H].</param>
/// <param name="Bh">Recurrent bias, [Gates·H] (GRU keeps it apart because of the reset gate).</param>
/// <param name="P">LSTM peepholes, [3·H] in the order i, f, o; null when absent.</param>
public sealed record LayerWeights(double[] Wx, double[] Wh, double[] Bx, double[] Bh, double[]? P);

/// <summary>All weights of a network: one <see cref="LayerWeights"/> per layer and direction, index layer·Directions + direction.</summary>
public sealed record NetworkWeights(CellSpec Spec, IReadOnlyList<LayerWeights> Layers)
{
    /// <summary>The weights of <paramref name="layer"/>, direction 0 forward and 1 reverse.</summary>
    public LayerWeights this[int layer, int direction] => Layers[layer * Spec.Directions + direction];
}
