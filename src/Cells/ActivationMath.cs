using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

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
