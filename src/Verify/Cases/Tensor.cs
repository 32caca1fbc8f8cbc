namespace RnnVerify.Verify.Cases;

/// <summary>
/// A dense tensor of a case file: a shape and its elements in row-major order (last axis fastest), so element
/// (t, b, i) of x [T][B][I] is <c>Data[(t·B + b)·I + i]</c>.
/// </summary>
/// <param name="Shape">Axis lengths, outermost first.</param>
/// <param name="Data">Elements, row-major; length = product of <paramref name="Shape"/>.</param>
public sealed record Tensor(int[] Shape, double[] Data)
{
    /// <summary>A zero tensor of the given shape.</summary>
    public static Tensor Zeros(params int[] shape) => new(shape, new double[shape.Aggregate(1, (a, b) => checked(a * b))]);

    /// <summary>The multi-index of flat position <paramref name="flat"/>, e.g. <c>[2,0,5]</c>.</summary>
    public int[] Index(long flat)
    {
        var idx = new int[Shape.Length];
        for (int a = Shape.Length - 1; a >= 0; a--)
        {
            idx[a] = (int)(flat % Shape[a]);
            flat /= Shape[a];
        }
        return idx;
    }
}

/// <summary>The precision an implementation computed in.</summary>
#pragma warning disable CA1720 // The members are the case format's dtype names, which happen to name types.
public enum Dtype
{
    /// <summary>IEEE 754 binary32 (unit roundoff 2^−24).</summary>
    Float32,
    /// <summary>IEEE 754 binary64 (unit roundoff 2^−53).</summary>
    Float64,
}
#pragma warning restore CA1720

/// <summary>Names of <see cref="Dtype"/> values as case files spell them.</summary>
public static class DtypeNames
{
    /// <summary><c>float32</c> or <c>float64</c>.</summary>
    public static string Name(this Dtype d) => d == Dtype.Float32 ? "float32" : "float64";

    /// <summary>The dtype called <paramref name="name"/>, or null.</summary>
    public static Dtype? Parse(string? name) => name switch
    {
        "float32" => Dtype.Float32,
        "float64" => Dtype.Float64,
        _ => null,
    };
}
