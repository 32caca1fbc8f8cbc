using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using RnnVerify.Cells;
using Xunit;

namespace RnnVerify.Golden.Cells;

/// <summary>
/// The fused per-row pointwise pass of the forward step (LSTM and GRU with the default activations, no clip, H a multiple of
/// the vector width and at least the widest vector's element count, every row valid at the step) against the row-by-row
/// path of <c>TensorPrimitives</c> calls, bit for bit (float32 only: the double cells keep the other paths, because
/// <c>TensorPrimitives.Exp</c> on doubles is not lane for lane <c>Vector.Exp</c>: σ(−19.274190640670337) differs in the last bit).
/// </summary>
public class FusedStepTests
{
    /// <summary>
    /// A batch whose rows all have length T takes the fused pass at every step; the same rows beside one extra row of length 0
    /// take the row-by-row path at every step (the shortest length is 0). Rows are independent (each product entry is the
    /// same chain of fused multiply–adds whatever the batch), so y, h_n, c_n, and through the tape dx and dh0, must have the
    /// same bits. Hidden sizes cover one and several vectors, and a multiple of the 256-bit but not the 512-bit width.
    /// </summary>
    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void The_fused_step_gives_the_bits_of_the_row_by_row_step(CellKind kind)
    {
        foreach (int h in new[] { 16, 24, 32, 48 })
        {
            var spec = new CellSpec { Kind = kind, InputSize = 5, HiddenSize = h, LinearBeforeReset = true };
            var w = Rnn.RandomWeights(spec, 40 + h, 1.5);
            Check<float>(spec, w, h, v => (float)v);
        }
    }

    private static void Check<T>(CellSpec spec, NetworkWeights w, int h, Func<double, T> convert)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int steps = 6, batch = 3;
        int input = spec.InputSize;
        var rng = new Random(h);
        var x3 = Enumerable.Range(0, steps * batch * input).Select(_ => convert((rng.NextDouble() - 0.5) * 8)).ToArray();
        var h03 = Enumerable.Range(0, batch * h).Select(_ => convert(rng.NextDouble() - 0.5)).ToArray();
        var c03 = spec.Kind == CellKind.Lstm ? Enumerable.Range(0, batch * h).Select(_ => convert((rng.NextDouble() - 0.5) * 4)).ToArray() : [];
        var dy3 = Enumerable.Range(0, steps * batch * h).Select(_ => convert(rng.NextDouble() - 0.5)).ToArray();

        // The same rows plus a fourth of length 0 (inputs and seeds of its own, which must not matter).
        var x4 = Widen(x3, steps, batch, input, convert(0.25));
        var h04 = Widen(h03, 1, batch, h, convert(0.5));
        var c04 = c03.Length == 0 ? [] : Widen(c03, 1, batch, h, convert(-0.5));
        var dy4 = Widen(dy3, steps, batch, h, convert(0.125));

        var fused = Run(spec, w, batch, x3, [], h03, c03, dy3);
        var rows = Run(spec, w, batch + 1, x4, [steps, steps, steps, 0], h04, c04, dy4);
        string ctx = $"{spec.Kind} {typeof(T).Name} H = {h}";
        Compare.SameBits(fused.Y, Narrow(rows.Y, steps, batch, h), $"y, {ctx}", "fused", "row by row");
        Compare.SameBits(fused.HN, Narrow(rows.HN, 1, batch, h), $"h_n, {ctx}", "fused", "row by row");
        Compare.SameBits(fused.CN, Narrow(rows.CN, 1, batch, h), $"c_n, {ctx}", "fused", "row by row");
        Compare.SameBits(fused.Dx, Narrow(rows.Dx, steps, batch, input), $"dx, {ctx}", "fused", "row by row");
        Compare.SameBits(fused.Dh0, Narrow(rows.Dh0, 1, batch, h), $"dh0, {ctx}", "fused", "row by row");
    }

    private static (T[] Y, T[] HN, T[] CN, T[] Dx, T[] Dh0) Run<T>(CellSpec spec, NetworkWeights w, int batch, T[] x, int[] lens,
        T[] h0, T[] c0, T[] dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = spec.HiddenSize;
        var net = new Network<T>(w);
        var y = new T[dy.Length];
        var hN = new T[batch * h];
        var cN = spec.Kind == CellKind.Lstm ? new T[batch * h] : [];
        net.Forward(batch, x, lens, h0, c0, y, hN, cN);
        var dx = new T[x.Length];
        var dh0 = new T[batch * h];
        var dc0 = spec.Kind == CellKind.Lstm ? new T[batch * h] : [];
        net.Backward(batch, x, lens, h0, c0, dy, [], [], new NetworkGradients<T>(spec), dx, dh0, dc0);
        return (y, hN, cN, dx, dh0);
    }

    /// <summary>[n][batch][width] → [n][batch + 1][width], the extra row filled with <paramref name="fill"/>.</summary>
    private static T[] Widen<T>(T[] a, int n, int batch, int width, T fill)
    {
        var r = new T[n * (batch + 1) * width];
        Array.Fill(r, fill);
        for (int i = 0; i < n; i++)
        {
            a.AsSpan(i * batch * width, batch * width).CopyTo(r.AsSpan(i * (batch + 1) * width));
        }

        return r;
    }

    /// <summary>[n][batch + 1][width] → [n][batch][width] (drops the last row of each block).</summary>
    private static T[] Narrow<T>(T[] a, int n, int batch, int width)
    {
        if (a.Length == 0)
        {
            return a;
        }

        var r = new T[n * batch * width];
        for (int i = 0; i < n; i++)
        {
            a.AsSpan(i * (batch + 1) * width, batch * width).CopyTo(r.AsSpan(i * batch * width));
        }

        return r;
    }

    /// <summary>
    /// The lane-wise σ and tanh of the fused pass (at the width of Vector&lt;T&gt; and, where accelerated, 512 bits) against <see cref="TensorPrimitives"/>'s span σ (negate, exp, add 1,
    /// reciprocal) and <see cref="TensorPrimitives.Tanh{T}(ReadOnlySpan{T}, Span{T})"/>, bit for bit, on every 4,099th float32
    /// bit pattern (about a million, both signs, subnormals to infinities; NaNs only need to stay NaN) and on the edges ±0, the
    /// smallest subnormal, ±∞ and the saturation thresholds. (Every float32 was checked once, with 512-, 256- and 128-bit
    /// vectors: docs/cells.md.)
    /// </summary>
    [Fact]
    public void Lane_wise_sigmoid_and_tanh_give_the_bits_of_the_span_functions()
    {
        var xs = new List<float> { 0f, -0f, float.Epsilon, -float.Epsilon, float.PositiveInfinity, float.NegativeInfinity, 9.1f, -9.1f, 88.7f, -88.7f, 104f, -104f };
        for (long u = 0; u <= uint.MaxValue; u += 4099)
        {
            xs.Add(BitConverter.UInt32BitsToSingle((uint)u));
        }

        int w = Vector<float>.Count;
        while (xs.Count % 16 != 0)
        {
            xs.Add(1f);
        }

        var x = xs.ToArray();
        var sig = new float[x.Length];
        var tanh = new float[x.Length];
        TensorPrimitives.Negate(x, sig);
        TensorPrimitives.Exp(sig, sig);
        TensorPrimitives.Add(sig, 1f, sig);
        TensorPrimitives.Reciprocal(sig, sig);
        TensorPrimitives.Tanh(x, tanh);
        for (int i = 0; i < x.Length; i += w)
        {
            var v = new Vector<float>(x, i);
            var s = ActivationMath.Sigmoid(v);
            var t = ActivationMath.Tanh(v);
            for (int j = 0; j < w; j++)
            {
                Same(x[i + j], sig[i + j], s[j], "σ");
                Same(x[i + j], tanh[i + j], t[j], "tanh");
            }
        }

        // The 512-bit overloads (the LSTM's fused pass where Vector512 is accelerated and H is a multiple of 16).
        if (Vector512.IsHardwareAccelerated)
        {
            for (int i = 0; i < x.Length; i += 16)
            {
                var v = Vector512.Create(x.AsSpan(i, 16));
                var s = ActivationMath.Sigmoid(v);
                var t = ActivationMath.Tanh(v);
                for (int j = 0; j < 16; j++)
                {
                    Same(x[i + j], sig[i + j], s[j], "σ (512-bit)");
                    Same(x[i + j], tanh[i + j], t[j], "tanh (512-bit)");
                }
            }
        }

        static void Same(float x, float expected, float actual, string name)
        {
            if (float.IsNaN(expected) || float.IsNaN(actual))
            {
                Assert.True(float.IsNaN(expected) && float.IsNaN(actual), $"{name}({x:R}): span {expected:R}, lane-wise {actual:R}");
                return;
            }

            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                $"{name}({x:R}) (0x{BitConverter.SingleToInt32Bits(x):x8}): span {expected:R}, lane-wise {actual:R}");
        }
    }

}
