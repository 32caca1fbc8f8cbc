namespace RnnVerify.Cells.Layouts;

/// <summary>
/// A named weight tensor as a framework stores it: a shape and its elements in row-major order
/// (the last axis varies fastest), so element (a, b, c) of shape [A][B][C] is <c>Data[(a·B + b)·C + c]</c>.
/// </summary>
/// <param name="Shape">Lengths of the axes, outermost first.</param>
/// <param name="Data">The elements, row-major; its length is the product of <paramref name="Shape"/>.</param>
public sealed record WeightTensor(int[] Shape, double[] Data)
{
    /// <summary>Number of elements the shape implies: the product of the axis lengths (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * d);

    /// <summary>Shape written as the case format does, e.g. <c>[1,16,3]</c>.</summary>
    public static string Format(IReadOnlyList<int> shape) => "[" + string.Join(",", shape) + "]";
}

/// <summary>A tensor a layout expects: its name and its shape.</summary>
/// <param name="Name">The name the framework gives it (e.g. <c>weight_ih_l0_reverse</c>, <c>W</c>, <c>kernel</c>).</param>
/// <param name="Shape">Expected lengths of the axes.</param>
/// <param name="AxisMeaning">What each axis counts, e.g. <c>["directions", "4·hidden_size", "input_size"]</c>, for error messages.</param>
public sealed record TensorSlot(string Name, int[] Shape, string[] AxisMeaning);

/// <summary>
/// Weights that do not fit a layout: a missing tensor, a wrong shape, a feature the layout cannot express.
/// <see cref="Field"/> names the offending tensor; the message says which axis and what was expected.
/// </summary>
public sealed class LayoutException : Exception
{
    /// <summary>Creates the exception for tensor <paramref name="field"/>.</summary>
    public LayoutException(string field, string message) : base(message) => Field = field;

    /// <summary>Creates the exception without a field.</summary>
    public LayoutException() : this("", "") { }

    /// <summary>Creates the exception without a field.</summary>
    public LayoutException(string message) : this("", message) { }

    /// <summary>Creates the exception without a field, wrapping <paramref name="inner"/>.</summary>
    public LayoutException(string message, Exception inner) : base(message, inner) => Field = "";

    /// <summary>The tensor the message is about (a weight name as the layout spells it), or empty.</summary>
    public string Field { get; }
}
