namespace RnnVerify.Cells.Layouts;

/// <summary>
/// A framework's way of naming, shaping and ordering the weights of a recurrent network, converted both ways to the
/// canonical <see cref="NetworkWeights"/> (PyTorch gate order, [G·H][In] row-major matrices, two biases, peepholes i, f, o).
/// The <see cref="CellSpec"/> is not part of the weights: it fixes how many tensors are expected and their shapes.
/// </summary>
public interface IWeightLayout
{
    /// <summary>The layout's name in case files: <c>pytorch</c>, <c>onnx</c> or <c>keras</c>.</summary>
    string Name { get; }

    /// <summary>Every tensor the layout stores for <paramref name="spec"/>, with its shape, in a stable order.</summary>
    /// <exception cref="LayoutException">The layout cannot express <paramref name="spec"/> (e.g. peepholes in PyTorch).</exception>
    IReadOnlyList<TensorSlot> Slots(CellSpec spec);

    /// <summary>
    /// Converts framework tensors to canonical weights. Every slot of <see cref="Slots"/> must be present with exactly its
    /// shape; extra names are rejected too, so a misspelt weight is not silently replaced by a default.
    /// </summary>
    /// <exception cref="LayoutException">A tensor is missing, unexpected, or has the wrong shape (the message names the axis).</exception>
    NetworkWeights Import(CellSpec spec, IReadOnlyDictionary<string, WeightTensor> tensors);

    /// <summary>Converts canonical weights to the framework's tensors (the inverse of <see cref="Import"/>; see each layout for exactness).</summary>
    /// <exception cref="LayoutException">The layout cannot express the weights' spec.</exception>
    IReadOnlyDictionary<string, WeightTensor> Export(NetworkWeights weights);
}

/// <summary>The three layouts by name.</summary>
public static class WeightLayouts
{
    /// <summary>Names accepted by <see cref="Get"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["pytorch", "onnx", "keras"];

    /// <summary>The layout called <paramref name="name"/> (<c>pytorch</c>, <c>onnx</c>, <c>keras</c>), or null when unknown.</summary>
    public static IWeightLayout? Get(string name) => name switch
    {
        "pytorch" => PyTorchLayout.Instance,
        "onnx" => OnnxLayout.Instance,
        "keras" => KerasLayout.Instance,
        _ => null,
    };
}
