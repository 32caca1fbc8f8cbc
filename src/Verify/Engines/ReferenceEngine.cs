using RnnVerify.Cells;
using RnnVerify.Cells.Layouts;
using RnnVerify.Reference;
using RnnVerify.Verify.Cases;

namespace RnnVerify.Verify.Engines;

/// <summary>
/// The reference engine: the exact real results of a case, enclosed by the ball-arithmetic twins
/// (<see cref="ReferenceNetwork"/>: forward, and backpropagation through time when the case gives
/// <c>claimed.grad.dy</c>), rounded to nearest in the requested dtype. Each element is certified: it is written only when
/// both ends of its enclosure round to the same value, which is then the correctly rounded exact result. The enclosures
/// are computed at <see cref="DefaultPrecisionBits"/>; when one straddles a rounding boundary of binary64 or binary32 the
/// whole case is recomputed at twice the precision, up to <see cref="MaxPrecisionBits"/> (beyond that the exact value is
/// on, or within 2^−1000 relative of, a rounding boundary and the engine fails naming the element).
/// Gradients are those of L = ⟨dy, y⟩ + ⟨dh_n, h_n⟩ + ⟨dc_n, c_n⟩ with respect to x, h0, c0 and every weight, the latter
/// under the case's layout names and shapes (<see cref="LayoutGradientMap"/>).
/// </summary>
public sealed class ReferenceEngine : IEngine
{
    /// <summary>The first precision tried, in bits.</summary>
    public const int DefaultPrecisionBits = 128;
    /// <summary>The largest precision tried, in bits (128, 256, 512, 1024).</summary>
    public const int MaxPrecisionBits = 1024;
    /// <summary>
    /// Significant decimal digits of the printed midpoints (<see cref="EnclosedTensor.Mid"/>); doubled until the printed
    /// enclosure certifies the same roundings as the computed one (ties need the exact decimal).
    /// </summary>
    public const int MidpointDigits = 25;
    /// <summary>The most digits printed (an enclosure still not certifying its roundings is then printed as it is, still valid).</summary>
    private const int MaxMidpointDigits = 800;

    /// <inheritdoc/>
    public string Name => "reference";

    /// <inheritdoc/>
    public Claimed Run(RnnCase c, Dtype dtype)
    {
        ArgumentNullException.ThrowIfNull(c);
        return ToClaimed(c, Compute(c), dtype);
    }

    /// <summary>
    /// The claimed results of <paramref name="c"/> in <paramref name="dtype"/> from <paramref name="r"/>: y, h_n, c_n (LSTM)
    /// and, when the case gives upstream gradients, their vector–Jacobian products (the upstream gradients kept as given).
    /// </summary>
    public static Claimed ToClaimed(RnnCase c, ReferenceOutputs r, Dtype dtype)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(r);
        Tensor? T(string name) => r[name]?.Rounded(dtype);
        ClaimedGrad? grad = null;
        if (c.Claimed.Grad is { } g)
        {
            grad = new ClaimedGrad
            {
                Dy = g.Dy,
                DhN = g.DhN,
                DcN = g.DcN,
                X = T("grad.x"),
                H0 = T("grad.h0"),
                C0 = T("grad.c0"),
                Weights = r.Tensors.Where(t => t.Name.StartsWith(WeightPrefix, StringComparison.Ordinal))
                    .ToDictionary(t => t.Name[WeightPrefix.Length..], t => t.Rounded(dtype), StringComparer.Ordinal),
            };
        }
        return new Claimed { Y = T("y"), HN = T("h_n"), CN = T("c_n"), Grad = grad };
    }

    private const string WeightPrefix = "grad.weights.";

    /// <summary>
    /// Encloses every result of <paramref name="c"/> (outputs; gradients when the case gives <c>claimed.grad.dy</c>) and
    /// rounds each to binary64 and binary32, starting at <paramref name="precisionBits"/> and doubling until every rounding
    /// is certified or <paramref name="maxPrecisionBits"/> is exceeded.
    /// </summary>
    /// <exception cref="EngineException">An enclosure still straddles a rounding boundary at the largest precision, or the
    /// reference refuses the case.</exception>
    public static ReferenceOutputs Compute(RnnCase c, int precisionBits = DefaultPrecisionBits, int maxPrecisionBits = MaxPrecisionBits)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (precisionBits < 53 || maxPrecisionBits < precisionBits)
            throw new ArgumentOutOfRangeException(nameof(precisionBits), $"precisionBits is {precisionBits} and maxPrecisionBits {maxPrecisionBits}; expected 53 ≤ precisionBits ≤ maxPrecisionBits");
        for (int p = precisionBits; ; p *= 2)
        {
            var balls = Enclose(c, p);
            var tensors = new List<EnclosedTensor>(balls.Count);
            string? straddle = null;
            foreach (var (name, shape, b) in balls)
            {
                var t = Round(name, shape, b, out straddle);
                if (t is null) break;
                tensors.Add(t);
            }
            if (straddle is null)
                return new ReferenceOutputs(p, tensors);
            if (p > maxPrecisionBits / 2)
                throw new EngineException($"{straddle} at {p} bits; the correctly rounded value is not certified (the exact value is on or extremely near a rounding boundary)");
        }
    }

    /// <summary>The enclosures at <paramref name="precisionBits"/>, named and shaped as in <see cref="ReferenceOutputs"/>.</summary>
    private static List<(string Name, int[] Shape, Ball[] Balls)> Enclose(RnnCase c, int precisionBits)
    {
        var spec = c.Spec;
        int B = c.Batch, D = spec.Directions, H = spec.HiddenSize, LD = spec.NumLayers * D;
        int[] yShape = [c.T, B, D * H], sShape = [LD, B, H];
        bool lstm = spec.Kind == CellKind.Lstm;
        var list = new List<(string, int[], Ball[])>();
        try
        {
            if (c.Claimed.Grad is not { } g)
            {
                var f = ReferenceNetwork.Forward(c.Weights, c.T, B, c.X.Data, c.SeqLens, c.H0?.Data, c.C0?.Data, precisionBits);
                AddOutputs(f);
                return list;
            }
            var r = ReferenceNetwork.Backward(c.Weights, c.T, B, c.X.Data, c.SeqLens, c.H0?.Data, c.C0?.Data,
                g.Dy.Data, g.DhN?.Data, lstm ? g.DcN?.Data : null, 0, precisionBits);
            AddOutputs(r.Outputs);
            list.Add(("grad.x", c.X.Shape, r.DX));
            list.Add(("grad.h0", sShape, r.DH0));
            if (lstm) list.Add(("grad.c0", sShape, r.DC0));
            var canonical = LayoutGradientMap.Flatten(r.Layers.Select(l => (l.Wx, l.Wh, l.Bx, l.Bh, (Ball[]?)l.P)));
            foreach (var (name, shape, source) in LayoutGradientMap.Sources(c.Layout, spec))
                list.Add((WeightPrefix + name, shape, Array.ConvertAll(source, i => canonical[i])));
            return list;
        }
        catch (ArgumentException e)
        {
            throw new EngineException($"the reference refused the case: {e.Message}", e);
        }
        catch (LayoutException e)
        {
            throw new EngineException($"the reference cannot name the gradients in the {c.Layout} layout: {e.Message}", e);
        }

        void AddOutputs(ReferenceResult f)
        {
            list.Add(("y", yShape, f.Y));
            list.Add(("h_n", sShape, f.HN));
            if (lstm) list.Add(("c_n", sShape, f.CN));
        }
    }

    /// <summary>
    /// The ball as a decimal midpoint and radius with <see cref="MidpointDigits"/> significant digits, or more when the printed
    /// enclosure (which also covers the printing error) would no longer certify the roundings <paramref name="f64"/> and
    /// <paramref name="f32"/> — as happens when the exact value is a rounding tie, which an exact ball can be.
    /// </summary>
    private static (string Mid, string Rad) Print(Ball b, double f64, float f32)
    {
        for (int digits = MidpointDigits; ; digits *= 2)
        {
            string text = Conversions.toDecimalString(digits, b);
            int sep = text.IndexOf(" +/- ", StringComparison.Ordinal);
            if (sep < 0)
                return (text, "0");
            var parsed = Conversions.parse(4 * digits + 64, text);
            if (parsed.IsOk)
            {
                var p64 = Conversions.toFloat(RoundingMode.Nearest, parsed.ResultValue);
                var p32 = Conversions.toFloat32(RoundingMode.Nearest, parsed.ResultValue);
                if ((p64.IsOk && p32.IsOk && p64.ResultValue.Equals(f64) && p32.ResultValue.Equals(f32)) || digits >= MaxMidpointDigits)
                    return (text[..sep], text[(sep + 5)..]);
            }
        }
    }

    /// <summary>Rounds every ball of a tensor; null (and the first straddling element in <paramref name="straddle"/>) when one is not certified.</summary>
    private static EnclosedTensor? Round(string name, int[] shape, Ball[] balls, out string? straddle)
    {
        straddle = null;
        int n = balls.Length;
        var mid = new string[n];
        var rad = new string[n];
        var f64 = new double[n];
        var f32 = new float[n];
        var probe = new Tensor(shape, []);
        for (int k = 0; k < n; k++)
        {
            var b = balls[k];
            var r64 = Conversions.toFloat(RoundingMode.Nearest, b);
            var r32 = Conversions.toFloat32(RoundingMode.Nearest, b);
            if (!r64.IsOk || !r32.IsOk || !double.IsFinite(r64.ResultValue) || !float.IsFinite(r32.ResultValue))
            {
                straddle = $"{name}{WeightTensor.Format(probe.Index(k))}: the enclosure {b} straddles a {(r64.IsOk ? "binary32" : "binary64")} rounding boundary or overflows";
                return null;
            }
            f64[k] = r64.ResultValue;
            f32[k] = r32.ResultValue;
            (mid[k], rad[k]) = Print(b, f64[k], f32[k]);
        }
        return new EnclosedTensor(name, shape, mid, rad, f64, f32);
    }
}
