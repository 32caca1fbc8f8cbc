using System.Globalization;
using System.Text;
using RnnVerify.Verify;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Checking;
using ScottPlot;

namespace RnnVerify.Report;

/// <summary>
/// <c>rnnverify check --report DIR</c>: the oracle run as a readable document — <c>DIR/report.md</c> (summary table, then per
/// case and tensor the verdict, the error distribution as a histogram in <c>DIR/figures/</c>, and the worst elements) and
/// <c>DIR/report.html</c> (the same, self-contained). Deterministic: the same cases give byte-identical files.
/// </summary>
public static class OracleReport
{
    /// <summary>Worst elements listed per tensor.</summary>
    public const int WorstListed = 5;

    /// <summary>Writes the report for <paramref name="verdicts"/> (as returned by the checker; the case files are re-read for the per-element errors).</summary>
    /// <param name="dir">Output directory (created).</param>
    /// <param name="verdicts">One verdict per case file, in the order checked.</param>
    /// <param name="exitCode">The run's exit code (0 pass, 1 fail, 2 unusable input).</param>
    public static void Write(string dir, IReadOnlyList<CaseVerdict> verdicts, int exitCode)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        Directory.CreateDirectory(dir);
        var figures = new List<Figure>();
        var body = new StringBuilder();
        foreach (var (v, k) in verdicts.Select((v, k) => (v, k)))
        {
            if (v.Error is not null) continue;
            string caseSlug = $"{Fmt.I(k + 1)}-{Fmt.Slug(Path.GetFileNameWithoutExtension(v.File))}";
            body.Append($"## Case {Fmt.I(k + 1)}: `{v.File}`\n\n");
            body.Append($"Verdict: {(v.Pass ? "pass" : "**FAIL**")}. Judge: {v.Judge}.\n\n");
            IReadOnlyDictionary<string, Elements> elements;
            try
            {
                elements = PerElement(v.File);
            }
#pragma warning disable CA1031 // The per-element detail is best effort; the verdict above stands on its own.
            catch (Exception e)
#pragma warning restore CA1031
            {
                body.Append($"(The per-element errors could not be recomputed: {e.Message.ReplaceLineEndings(" ")}.)\n\n");
                elements = new Dictionary<string, Elements>();
            }
            foreach (var t in v.Tensors)
            {
                body.Append($"### `{t.Name}`: {(t.Pass ? "pass" : "**FAIL**")}\n\n");
                body.Append($"{Fmt.I(t.Count)} elements; worst error {Fmt.G(t.WorstUlps)} ulp of {(elements.TryGetValue(t.Name, out var el0) ? el0.Dtype : "the claimed dtype")}; ");
                body.Append($"worst error ÷ allowed bound {Fmt.G(t.WorstRatio)} (≤ 1 passes) at {Index(t.WorstIndex)}; ");
                body.Append($"÷ ONNX's tolerance {Fmt.G(t.OnnxRatio)}, ÷ gradcheck's {Fmt.G(t.GradcheckRatio)}.\n\n");
                if (!elements.TryGetValue(t.Name, out var el)) continue;
                var fig = Histogram($"{caseSlug}-{Fmt.Slug(t.Name)}.png", t.Name, el);
                figures.Add(fig);
                body.Append($"![error distribution of {t.Name}](figures/{fig.File})\n\n");
                body.Append(Distribution(el)).Append('\n');
                body.Append("Worst elements (by error ÷ bound):\n\n");
                body.Append("| index | claimed | expected | error | ulps | allowed bound | error ÷ bound |\n|---|---|---|---|---|---|---|\n");
                foreach (int i in Enumerable.Range(0, el.Error.Length).OrderByDescending(i => el.Ratio[i]).ThenBy(i => i).Take(WorstListed))
                    body.Append($"| {Index(el.Index(i))} | {Fmt.R(el.Claimed[i])} | {Fmt.R(el.Expected[i])} | {Fmt.R(el.Error[i])} | {Fmt.G(el.Ulps[i])} | {Fmt.R(el.Bound[i])} | {Fmt.G(el.Ratio[i])} |\n");
                body.Append('\n');
            }
            foreach (var u in v.Unchecked)
                body.Append($"- `{u}`: claimed but not checked (the judge gives no expectation for it yet).\n");
            if (v.Unchecked.Count > 0) body.Append('\n');
        }

        var head = new StringBuilder();
        head.Append("# rnnverify check report\n\n");
        head.Append($"Exit code {Fmt.I(exitCode)} ({exitCode switch { 0 => "every claimed tensor within its allowed bound", 1 => "some claimed tensor outside its allowed bound", _ => "some input could not be used" }}). ");
        head.Append($"Judge: {(verdicts.Count > 0 ? verdicts[0].Judge : "none")}.\n\n");
        head.Append("For each element the error is |claimed − expected|; the allowed bound is the rounding error a correct implementation in the ");
        head.Append("claimed dtype may commit (docs/tolerances.md). Columns: worst error in ulps of the claimed dtype; worst error ÷ allowed bound ");
        head.Append("(≤ 1 passes); the worst element's index; worst error ÷ ONNX's tolerance (1e-7 + 1e-3·|expected|) and ÷ gradcheck's ");
        head.Append("(1e-5 + 1e-3·|expected|) — a ratio ≤ 1 there means that tolerance would have passed it.\n\n");
        head.Append("| case | tensor | verdict | worst ulps | err/bound | worst at | claimed | expected | err/onnx | err/gradcheck |\n");
        head.Append("|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (var v in verdicts)
        {
            if (v.Error is not null)
                head.Append($"| {Fmt.Cell(v.File)} | | **unusable** | | | | | | | |\n");
            foreach (var t in v.Tensors)
                head.Append($"| {Fmt.Cell(v.File)} | {t.Name} | {(t.Pass ? "pass" : "**FAIL**")} | {Fmt.G(t.WorstUlps)} | {Fmt.G(t.WorstRatio)} | {Index(t.WorstIndex)} | {Fmt.R(t.WorstClaimed)} | {Fmt.R(t.WorstExpected)} | {Fmt.G(t.OnnxRatio)} | {Fmt.G(t.GradcheckRatio)} |\n");
            foreach (var u in v.Unchecked)
                head.Append($"| {Fmt.Cell(v.File)} | {u} | unchecked | | | | | | | |\n");
        }
        head.Append('\n');
        var errors = verdicts.Where(v => v.Error is not null).ToList();
        if (errors.Count > 0)
        {
            head.Append("## Unusable inputs\n\n");
            foreach (var v in errors) head.Append($"- `{v.Error}`\n");
            head.Append('\n');
        }

        string md = head.ToString() + body;
        string figDir = Path.Combine(dir, "figures");
        if (figures.Count > 0) Directory.CreateDirectory(figDir);
        foreach (var f in figures) File.WriteAllBytes(Path.Combine(figDir, f.File), f.Png);
        Fmt.Write(Path.Combine(dir, "report.md"), md);
        string html = md;
        foreach (var f in figures)
            html = html.Replace($"(figures/{f.File})", $"({HtmlPage.DataUri(f.Png)})", StringComparison.Ordinal);
        Fmt.Write(Path.Combine(dir, "report.html"), HtmlPage.Render("rnnverify check report", html));
    }

    /// <summary>Per-element comparison of one claimed tensor with its expectation.</summary>
    private sealed record Elements(string Dtype, int[] Shape, double[] Claimed, double[] Expected, double[] Bound, double[] Error, double[] Ulps, double[] Ratio)
    {
        public int[] Index(int flat)
        {
            var idx = new int[Shape.Length];
            for (int a = Shape.Length - 1; a >= 0; a--)
            {
                idx[a] = Shape[a] == 0 ? 0 : flat % Shape[a];
                flat = Shape[a] == 0 ? 0 : flat / Shape[a];
            }
            return idx;
        }
    }

    /// <summary>Re-reads the case and recomputes, per element, error, ulps and error ÷ bound exactly as the checker defines them.</summary>
    private static Dictionary<string, Elements> PerElement(string file)
    {
        var c = CaseReader.ReadFile(file);
        var expectations = Verifier.DefaultJudge.Judge(c).ToDictionary(e => e.Name, StringComparer.Ordinal);
        var result = new Dictionary<string, Elements>(StringComparer.Ordinal);
        foreach (var (name, t) in Checker.ClaimedTensors(c))
        {
            if (!expectations.TryGetValue(name, out var e) || e.Expected.Length != t.Data.Length) continue;
            int n = t.Data.Length;
            double[] err = new double[n], ulps = new double[n], ratio = new double[n];
            for (int k = 0; k < n; k++)
            {
                double a = t.Data[k], x = e.Expected[k];
                err[k] = a == x ? 0 : double.IsNaN(a) || double.IsInfinity(a) || double.IsNaN(x) ? double.PositiveInfinity : Math.Abs(a - x);
                ratio[k] = err[k] == 0 ? 0 : e.Bound[k] > 0 ? err[k] / e.Bound[k] : double.PositiveInfinity;
                ulps[k] = err[k] == 0 ? 0 : err[k] / Checker.Ulp(x, c.Dtype);
                if (double.IsNaN(ulps[k])) ulps[k] = double.PositiveInfinity;
            }
            result[name] = new Elements(c.Dtype.Name(), e.Shape, t.Data, e.Expected, e.Bound, err, ulps, ratio);
        }
        return result;
    }

    /// <summary>Bins of the ulps histogram: 0, 1, 2, (2, 4], (4, 8], …, (2^19, 2^20], more (including ∞).</summary>
    private static int Bin(double ulps)
    {
        if (ulps <= 0) return 0;
        if (ulps <= 1) return 1;
        if (!double.IsFinite(ulps) || ulps > (1 << 20)) return 22;
        return 1 + (int)Math.Ceiling(Math.Log2(ulps));
    }

    private static string BinLabel(int b) => b switch
    {
        0 => "0",
        1 => "≤1",
        22 => ">2^20",
        _ => $"≤2^{Fmt.I(b - 1)}",
    };

    private static Figure Histogram(string file, string tensor, Elements el)
    {
        var counts = new double[23];
        foreach (double u in el.Ulps) counts[Bin(u)]++;
        int last = Math.Max(3, Array.FindLastIndex(counts, c => c > 0));
        var plot = new Plot();
        var passing = new List<Bar>();
        for (int b = 0; b <= last; b++)
            passing.Add(new Bar { Position = b, Value = counts[b], Size = 0.8, FillColor = new ScottPlot.Palettes.Category10().GetColor(0) });
        plot.Add.Bars(passing);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, last + 1).Select(b => (double)b).ToArray(), Enumerable.Range(0, last + 1).Select(BinLabel).ToArray());
        plot.Title($"{tensor}: error in ulps of {el.Dtype} ({Fmt.I(el.Ulps.Length)} elements)");
        plot.XLabel("|claimed − expected| / ulp(expected)");
        plot.YLabel("elements");
        return new Figure(file, tensor, "", [], plot.GetImageBytes(800, 400, ImageFormat.Png));
    }

    private static string Distribution(Elements el)
    {
        int n = el.Ratio.Length;
        int exact = el.Error.Count(e => e == 0), within = el.Ratio.Count(r => r <= 1);
        double[] sorted = el.Ratio.Order().ToArray();
        string Q(double p) => n == 0 ? "—" : Fmt.G(sorted[Math.Min(n - 1, (int)Math.Floor(p * (n - 1)))]);
        return $"Exact: {Fmt.I(exact)} of {Fmt.I(n)}; within the bound: {Fmt.I(within)}; error ÷ bound quantiles: median {Q(0.5)}, 90% {Q(0.9)}, 99% {Q(0.99)}, max {Q(1)}.\n";
    }

    private static string Index(int[] idx) => "[" + string.Join(", ", idx.Select(i => i.ToString(CultureInfo.InvariantCulture))) + "]";
}
