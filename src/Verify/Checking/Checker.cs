using RnnVerify.Verify.Cases;

namespace RnnVerify.Verify.Checking;

/// <summary>Compares a case's claimed tensors with a judge's expectations.</summary>
public static class Checker
{
    /// <summary>ONNX backend tests' tolerance (np.testing.assert_allclose rtol, atol).</summary>
    public const double OnnxRtol = 1e-3, OnnxAtol = 1e-7;
    /// <summary>PyTorch gradcheck's default tolerance.</summary>
    public const double GradcheckRtol = 1e-3, GradcheckAtol = 1e-5;

    /// <summary>Judges <paramref name="c"/> and returns one verdict per claimed tensor.</summary>
    public static CaseVerdict Check(RnnCase c, IJudge judge, string label = "")
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(judge);
        var claimed = ClaimedTensors(c);
        var expectations = judge.Judge(c).ToDictionary(e => e.Name, StringComparer.Ordinal);
        var verdicts = new List<TensorVerdict>();
        var uncheckedNames = new List<string>();
        foreach (var (name, t) in claimed)
        {
            if (!expectations.TryGetValue(name, out var e))
            {
                uncheckedNames.Add(name);
                continue;
            }
            if (e.Expected.Length != t.Data.Length || e.Bound.Length != t.Data.Length)
                throw new JudgeException($"the judge's expectation for '{name}' has {e.Expected.Length} elements, the claim {t.Data.Length}");
            verdicts.Add(Compare(name, t, e.Expected, e.Bound, c.Dtype));
        }
        return new CaseVerdict(label, judge.Description, verdicts) { Unchecked = uncheckedNames };
    }

    /// <summary>The claimed tensors of <paramref name="c"/> by verdict name, in report order.</summary>
    public static IReadOnlyList<(string Name, Tensor Tensor)> ClaimedTensors(RnnCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var list = new List<(string, Tensor)>();
        var cl = c.Claimed;
        if (cl.Y is not null) list.Add(("y", cl.Y));
        if (cl.HN is not null) list.Add(("h_n", cl.HN));
        if (cl.CN is not null) list.Add(("c_n", cl.CN));
        if (cl.Grad is { } g)
        {
            if (g.X is not null) list.Add(("grad.x", g.X));
            if (g.H0 is not null) list.Add(("grad.h0", g.H0));
            if (g.C0 is not null) list.Add(("grad.c0", g.C0));
            foreach (var (n, w) in g.Weights.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                list.Add(("grad.weights." + n, w));
        }
        return list;
    }

    /// <summary>The unit in the last place of <paramref name="v"/> in <paramref name="dtype"/> (2^(⌊log2|v|⌋−p+1), at least the smallest subnormal).</summary>
    public static double Ulp(double v, Dtype dtype)
    {
        if (!double.IsFinite(v)) return double.NaN;
        (int mantissaBits, int minExp) = dtype == Dtype.Float32 ? (23, -126) : (52, -1022);
        int e = v == 0 ? minExp : Math.Max(Math.ILogB(v), minExp);
        return Math.ScaleB(1.0, e - mantissaBits);
    }

    /// <summary>Compares one tensor element by element (see <see cref="TensorVerdict"/> for the definitions).</summary>
    public static TensorVerdict Compare(string name, Tensor claimed, double[] expected, double[] bound, Dtype dtype)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(bound);
        double worstUlps = 0, worstRatio = 0, onnx = 0, grad = 0;
        int worst = 0;
        for (int k = 0; k < expected.Length; k++)
        {
            double a = claimed.Data[k], e = expected[k];
            double err = a == e ? 0 : double.IsNaN(a) || double.IsInfinity(a) || double.IsNaN(e) ? double.PositiveInfinity : Math.Abs(a - e);
            double ratio = err == 0 ? 0 : bound[k] > 0 ? err / bound[k] : double.PositiveInfinity;
            double ulps = err == 0 ? 0 : err / Ulp(e, dtype);
            if (double.IsNaN(ulps)) ulps = double.PositiveInfinity;
            if (k == 0 || ratio > worstRatio) { worstRatio = ratio; worst = k; }
            worstUlps = Math.Max(worstUlps, ulps);
            onnx = Math.Max(onnx, err / (OnnxAtol + OnnxRtol * Math.Abs(e)));
            grad = Math.Max(grad, err / (GradcheckAtol + GradcheckRtol * Math.Abs(e)));
        }
        return new TensorVerdict(name, expected.Length, worstUlps, worstRatio, claimed.Index(worst),
            expected.Length == 0 ? 0 : expected[worst], expected.Length == 0 ? 0 : claimed.Data[worst],
            expected.Length == 0 ? 0 : bound[worst], onnx, grad);
    }
}
