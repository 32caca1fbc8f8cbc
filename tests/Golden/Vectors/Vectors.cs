using System.Collections.Concurrent;
using System.Globalization;
using RnnVerify.Golden.Reports;
using RnnVerify.Reference.Tolerance;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Checking;
using RnnVerify.Verify.Engines;
using RnnVerify.Verify.Golden;
using Xunit;
using Xunit.Sdk;

namespace RnnVerify.Golden.Vectors;

/// <summary>
/// The committed golden vectors (tests/Golden/vectors) and the bound within which a correct implementation in a vector's
/// dtype must reproduce each claimed element (docs/tolerances.md, "Golden vectors"):
/// |result − golden| ≤ Allowed + ReferenceRadius + ulp(golden)/2, where Allowed is the tolerance model's global bound
/// (every step fed the reference's own states) on |result − exact|, and ulp(golden)/2 bounds |golden − exact| because the
/// golden value is the exact value correctly rounded to the dtype.
/// </summary>
internal static class Vectors
{
    public static string Directory { get; } = Path.Combine(CommittedReportTests.RepositoryRoot(), "tests", "Golden", "vectors");

    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var g in GoldenSet.Cases) d.Add(g.Name);
        return d;
    }

    public static TheoryData<string, string> NamesAndDtypes()
    {
        var d = new TheoryData<string, string>();
        foreach (var g in GoldenSet.Cases)
        {
            d.Add(g.Name, "float64");
            d.Add(g.Name, "float32");
        }
        return d;
    }

    public static TheoryData<string> OnnxNames()
    {
        var d = new TheoryData<string>();
        foreach (var g in GoldenSet.Cases.Where(g => g.Layout == "onnx")) d.Add(g.Name);
        return d;
    }

    public static GoldenCase Case(string name) => GoldenSet.Cases.Single(g => g.Name == name);

    public static RnnCase Read(string name, Dtype dtype) =>
        CaseReader.ReadFile(Path.Combine(Directory, GoldenVectors.FileName(Case(name), dtype)));

    private static readonly ConcurrentDictionary<(string, Dtype, bool), Lazy<IReadOnlyDictionary<string, double[]>>> Cache = new();

    /// <summary>
    /// Allowed + ReferenceRadius per element of y, h_n, c_n and (when <paramref name="gradients"/>) grad.x, grad.h0, grad.c0 and
    /// grad.weights.NAME, from the tolerance model for <paramref name="dtype"/> along the reference trajectory.
    /// </summary>
    public static IReadOnlyDictionary<string, double[]> Bounds(string name, Dtype dtype, bool gradients) =>
        Cache.GetOrAdd((name, dtype, gradients), k => new Lazy<IReadOnlyDictionary<string, double[]>>(() => ComputeBounds(Read(name, dtype), dtype, gradients))).Value;

    private static Dictionary<string, double[]> ComputeBounds(RnnCase c, Dtype dtype, bool gradients)
    {
        var model = RoundingModelModule.standard(dtype == Dtype.Float32 ? ClaimedDtype.Float32 : ClaimedDtype.Float64);
        var f = ToleranceModel.Forward(c.Weights, c.T, c.Batch, c.X.Data, c.SeqLens, c.H0?.Data, c.C0?.Data, null, model, Feeding.ReferenceStates);
        var d = new Dictionary<string, double[]>(StringComparer.Ordinal)
        {
            ["y"] = Sum(f.Y),
            ["h_n"] = Sum(f.HN),
        };
        if (c.Spec.Kind == RnnVerify.Cells.CellKind.Lstm) d["c_n"] = Sum(f.CN);
        if (!gradients) return d;
        var g = c.Claimed.Grad!;
        var b = ToleranceModel.Backward(c.Weights, c.T, c.Batch, c.X.Data, c.SeqLens, c.H0?.Data, c.C0?.Data, null,
            g.Dy.Data, g.DhN?.Data, g.DcN?.Data, dtype == Dtype.Float32 ? ClaimedDtype.Float32 : ClaimedDtype.Float64);
        d["grad.x"] = Sum(b.X);
        d["grad.h0"] = Sum(b.H0);
        if (c.Spec.Kind == RnnVerify.Cells.CellKind.Lstm) d["grad.c0"] = Sum(b.C0);
        var canonical = LayoutGradientMap.Flatten(b.Weights.Select(l => (Sum(l.Wx), Sum(l.Wh), Sum(l.Bx), Sum(l.Bh), l.P.Length == 0 ? null : Sum(l.P))));
        foreach (var (n, _, source) in LayoutGradientMap.Sources(c.Layout, c.Spec))
            d["grad.weights." + n] = Array.ConvertAll(source, i => canonical[i]);
        return d;
    }

    private static double[] Sum(ElementTolerance t)
    {
        var a = new double[t.Length];
        for (int k = 0; k < a.Length; k++) a[k] = t.Allowed[k] + t.ReferenceRadius[k];
        return a;
    }

    /// <summary>
    /// The worst ratio |actual − golden| ÷ (bound + ulp(golden)/2) over a tensor, with the element that attains it; NaN or ∞
    /// in <paramref name="actual"/> gives +∞.
    /// </summary>
    public static (double Ratio, int Index) Worst(Tensor golden, ReadOnlySpan<double> actual, double[] bound, Dtype dtype)
    {
        if (golden.Data.Length != actual.Length || bound.Length != actual.Length)
            throw new XunitException($"lengths differ: golden {golden.Data.Length}, actual {actual.Length}, bound {bound.Length}");
        double worst = 0;
        int at = 0;
        for (int k = 0; k < actual.Length; k++)
        {
            double a = actual[k], e = golden.Data[k];
            // ulp/2 of the smallest subnormal underflows to 0; the bound may be 0 (an exact zero): equal values have ratio 0.
            double r = !double.IsFinite(a) ? double.PositiveInfinity : a == e ? 0 : Math.Abs(a - e) / (bound[k] + Checker.Ulp(e, dtype) / 2);
            if (r > worst || k == 0) { worst = r; at = k; }
        }
        return (worst, at);
    }

    /// <summary>The claimed tensors of a vector by checker name (y, h_n, c_n, grad.*).</summary>
    public static IReadOnlyDictionary<string, Tensor> Claimed(RnnCase c) =>
        Checker.ClaimedTensors(c).ToDictionary(t => t.Name, t => t.Tensor, StringComparer.Ordinal);

    public static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    public static string At(Tensor t, int k) => "[" + string.Join(",", t.Index(k)) + "]";
}
