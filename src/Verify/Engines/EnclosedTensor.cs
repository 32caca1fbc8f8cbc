using RnnVerify.Verify.Cases;

namespace RnnVerify.Verify.Engines;

/// <summary>
/// One result tensor of the reference: per element an enclosure [mid − rad, mid + rad] of the exact real result, and the
/// exact real rounded to nearest (ties to even) in binary64 and in binary32, certified by the enclosure (both of its ends
/// round to the same value). Elements are row-major in <see cref="Shape"/>.
/// </summary>
/// <param name="Name">
/// The tensor's name as <see cref="Checking.Checker.ClaimedTensors"/> spells it: <c>y</c>, <c>h_n</c>, <c>c_n</c>,
/// <c>grad.x</c>, <c>grad.h0</c>, <c>grad.c0</c>, <c>grad.weights.NAME</c> (NAME as the case's layout names the weight).
/// </param>
/// <param name="Shape">Axis lengths: y [T][B][D·H]; h_n, c_n, grad.h0, grad.c0 [L·D][B][H]; grad.x [T][B][I]; weights as the layout shapes them.</param>
/// <param name="Mid">Midpoints as exact decimal strings in scientific notation with 25 significant digits, e.g.
/// <c>-1.234567890123456789012345e-1</c> (more when the printed enclosure needs them to certify the roundings, e.g. at a tie).</param>
/// <param name="Rad">Radii as decimal strings (three significant digits, rounded up), <c>0</c> for an exact value; each covers the
/// enclosure's own radius and the difference between the printed and the computed midpoint.</param>
/// <param name="Binary64">The correctly rounded binary64 values.</param>
/// <param name="Binary32">The correctly rounded binary32 values (rounded directly from the enclosure, not through binary64).</param>
public sealed record EnclosedTensor(string Name, int[] Shape, string[] Mid, string[] Rad, double[] Binary64, float[] Binary32)
{
    /// <summary>The correctly rounded values in <paramref name="dtype"/>, widened exactly to doubles, as a case tensor.</summary>
    public Tensor Rounded(Dtype dtype) =>
        new(Shape, dtype == Dtype.Float64 ? (double[])Binary64.Clone() : Array.ConvertAll(Binary32, f => (double)f));
}

/// <summary>
/// Everything the reference computes for a case: the forward outputs and, when the case gives upstream gradients, every
/// gradient, each as an <see cref="EnclosedTensor"/>, in the order y, h_n, c_n, grad.x, grad.h0, grad.c0, then the weights in
/// the layout's slot order.
/// </summary>
/// <param name="PrecisionBits">The ball-arithmetic precision whose enclosures were narrow enough to certify every rounding.</param>
/// <param name="Tensors">The result tensors.</param>
public sealed record ReferenceOutputs(int PrecisionBits, IReadOnlyList<EnclosedTensor> Tensors)
{
    /// <summary>The tensor called <paramref name="name"/>, or null.</summary>
    public EnclosedTensor? this[string name] => Tensors.FirstOrDefault(t => t.Name == name);
}
