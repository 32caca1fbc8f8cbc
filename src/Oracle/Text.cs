using System.Globalization;
using RnnVerify.Verify.Checking;

namespace RnnVerify.Oracle;

/// <summary>The human-readable verdict on stdout: one row per claimed tensor, then a summary.</summary>
internal static class Text
{
    internal static string G(double v) =>
        double.IsPositiveInfinity(v) ? "inf" : double.IsNaN(v) ? "nan" : v.ToString("0.###e+0", CultureInfo.InvariantCulture);

    internal static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    internal static string Index(int[] i) => "[" + string.Join(",", i) + "]";

    public static void WriteCase(TextWriter w, CaseVerdict v)
    {
        w.WriteLine($"{(v.Pass ? "PASS" : "FAIL")}  {v.File}");
        int n = Math.Max(6, v.Tensors.Select(t => t.Name.Length).Concat(v.Unchecked.Select(u => u.Length)).DefaultIfEmpty(0).Max());
        w.WriteLine($"  {"tensor".PadRight(n)} {"verdict",-7} {"worst ulps",10} {"err/bound",10} {"worst at",-12} {"err/onnx",9} {"err/gradck",10}");
        foreach (var t in v.Tensors)
        {
            w.WriteLine($"  {t.Name.PadRight(n)} {(t.Pass ? "pass" : "FAIL"),-7} {G(t.WorstUlps),10} {G(t.WorstRatio),10} {Index(t.WorstIndex),-12} {G(t.OnnxRatio),9} {G(t.GradcheckRatio),10}");
            if (!t.Pass)
                w.WriteLine($"    at {Index(t.WorstIndex)}: claimed {R(t.WorstClaimed)}, expected {R(t.WorstExpected)}, allowed error {R(t.WorstBound)}");
        }
        foreach (var u in v.Unchecked)
            w.WriteLine($"  {u.PadRight(n)} unchecked (the judge in use gives no bound for it)");
    }

    public static void WriteSummary(TextWriter w, IReadOnlyList<CaseVerdict> verdicts)
    {
        int pass = verdicts.Count(v => v.Pass), unusable = verdicts.Count(v => v.Unusable);
        int fail = verdicts.Count - pass - unusable;
        int tensors = verdicts.Sum(v => v.Tensors.Count), failedTensors = verdicts.Sum(v => v.Tensors.Count(t => !t.Pass));
        int uncheckedCount = verdicts.Sum(v => v.Unchecked.Count);
        w.WriteLine();
        w.WriteLine($"{verdicts.Count} case(s): {pass} passed, {fail} failed, {unusable} unusable; {tensors} tensor(s) checked, {failedTensors} failed{(uncheckedCount > 0 ? $", {uncheckedCount} unchecked" : "")}");
        var missedByOnnx = verdicts.SelectMany(v => v.Tensors).Count(t => !t.Pass && t.OnnxRatio <= 1);
        var missedByGradcheck = verdicts.SelectMany(v => v.Tensors).Count(t => !t.Pass && t.GradcheckRatio <= 1);
        if (failedTensors > 0)
            w.WriteLine($"of the failed tensors, ONNX's tolerance (rtol 1e-3, atol 1e-7) would have passed {missedByOnnx}, gradcheck's (rtol 1e-3, atol 1e-5) {missedByGradcheck}");
        if (verdicts.Count > 0)
            w.WriteLine($"judge: {verdicts[0].Judge}");
    }
}
