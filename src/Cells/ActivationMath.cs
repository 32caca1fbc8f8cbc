using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnVerify.Cells;

/// <summary>
/// Vectorised pointwise activations and their derivatives, with optional clipping of the pre-activation.
/// All formulas are stable for finite input of any magnitude: σ(−1000) = 0, σ(1000) = 1, tanh(±1000) = ±1, never NaN.
/// </summary>
internal static class ActivationMath
{
    /// <summary>dst = φ(clip(pre)) where clip(a) = min(max(a, −c), c) when <paramref name="clip"/> is positive, else the identity.</summary>
    public static void Apply<T>(Activation activation, ReadOnlySpan<T> pre, Span<T> dst, T clip)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> src = pre;
        if (clip > T.Zero)
        {
            TensorPrimitives.Clamp(pre, -clip, clip, dst);
            src = dst;
        }

        switch (activation)
        {
            case Activation.Identity:
                src.CopyTo(dst);

                break;
            case Activation.Tanh:
                TensorPrimitives.Tanh(src, dst);
                break;
            case Activation.Sigmoid:
                Sigmoid(src, dst);
                break;
            case Activation.Relu:
                TensorPrimitives.Max(src, T.Zero, dst);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        }
    }

    /// <summary>σ(x) = 1 / (1 + e^(−x)); e^(−x) overflows to +∞ for x ≪ 0, giving exactly 0, and underflows to 0 for x ≫ 0, giving 1.</summary>
    private static void Sigmoid<T>(ReadOnlySpan<T> src, Span<T> dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Negate(src, dst);
        TensorPrimitives.Exp(dst, dst);
        TensorPrimitives.Add(dst, T.One, dst);
        TensorPrimitives.Reciprocal(dst, dst);
    }

    /// <summary>
    /// σ(x) = 1 / (1 + e^(−x)) lane by lane for float32, with <see cref="Vector.Exp(Vector{float})"/>: the same operations as
    /// <see cref="Apply{T}"/>'s sigmoid (negate, <see cref="TensorPrimitives.Exp{T}(ReadOnlySpan{T}, Span{T})"/>, add 1,
    /// reciprocal), whose vectorised float32 exponential is this one, so every lane has the bits of the span version (checked
    /// for every float32 input with 512-, 256- and 128-bit vectors, docs/cells.md). Not for double: there the span exponential
    /// differs from <see cref="Vector.Exp(Vector{double})"/> in the last bit for some inputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sigmoid(Vector<float> x) => Vector<float>.One / (Vector<float>.One + Vector.Exp(-x));

    /// <summary>
    /// tanh x lane by lane for float32 as <see cref="TensorPrimitives.Tanh{T}(ReadOnlySpan{T}, Span{T})"/> evaluates it on
    /// vectors: with y = |x| and z = e^(−2y) − 1, tanh x = sign(x) · (−z / (z + 2)) (the sign restored by flipping the sign
    /// bit), so every lane has the bits of the span version (checked for every float32 input with 512-, 256- and 128-bit
    /// vectors, docs/cells.md); saturates to ±1 for large |x|.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Tanh(Vector<float> x)
    {
        var ax = Vector.Abs(x);
        var sign = x ^ ax;
        var z = Vector.Exp(new Vector<float>(-2f) * ax) - Vector<float>.One;
        return (-z / (z + new Vector<float>(2f))) ^ sign;
    }

    /// <summary>
    /// <see cref="Sigmoid(Vector{float})"/> on 512-bit vectors: the same operations, whose exponential is the same
    /// lane-by-lane algorithm at every width (<see cref="Vector512.Exp(Vector512{float})"/>), so every lane has the bits of the
    /// span version.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-x));

    /// <summary><see cref="Tanh(Vector{float})"/> on 512-bit vectors: the same operations, so every lane has the bits of the span version.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var ax = Vector512.Abs(x);
        var sign = x ^ ax;
        var z = Vector512.Exp(Vector512.Create(-2f) * ax) - Vector512<float>.One;
        return (-z / (z + Vector512.Create(2f))) ^ sign;
    }

    /// <summary>
    /// φ'(a) expressed through the output y = φ(a): identity 1, tanh 1 − y², sigmoid y(1 − y), relu [y &gt; 0] (so relu'(0) = 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T DerivativeFromOutput<T>(Activation activation, T y)
        where T : unmanaged, IFloatingPointIeee754<T> => activation switch
        {
            Activation.Identity => T.One,
            Activation.Tanh => T.One - (y * y),
            Activation.Sigmoid => y * (T.One - y),
            _ => y > T.Zero ? T.One : T.Zero,
        };

    /// <summary>Derivative of clip at a: 1 when no clip (c ≤ 0) or |a| ≤ c, 0 where the value was clipped (|a| &gt; c).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ClipDerivative<T>(T a, T clip)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        clip <= T.Zero || T.Abs(a) <= clip ? T.One : T.Zero;

    /// <summary>
    /// <see cref="DerivativeFromOutput{T}(Activation, T)"/> lane by lane: the same operations in the same order, so every lane
    /// has the bits of the scalar formula.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> DerivativeFromOutput<T>(Activation activation, Vector<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => activation switch
        {
            Activation.Identity => Vector<T>.One,
            Activation.Tanh => Vector<T>.One - (y * y),
            Activation.Sigmoid => y * (Vector<T>.One - y),
            _ => Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<T>.Zero), Vector<T>.One, Vector<T>.Zero),
        };

    /// <summary><see cref="ClipDerivative{T}(T, T)"/> lane by lane (NaN lanes give 0, as the scalar comparison does).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> ClipDerivative<T>(Vector<T> a, T clip)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        clip <= T.Zero
            ? Vector<T>.One
            : Vector.ConditionalSelect(Vector.LessThanOrEqual(Vector.Abs(a), new Vector<T>(clip)), Vector<T>.One, Vector<T>.Zero);
}
