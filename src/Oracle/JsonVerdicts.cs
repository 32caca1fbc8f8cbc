using System.Text;
using System.Text.Json;
using RnnVerify.Verify.Checking;

namespace RnnVerify.Oracle;

/// <summary>
/// <c>--json FILE</c>: <c>{"format": "rnnverify-verdicts/1", "exit_code", "judge", "cases": [{"file", "pass", "error",
/// "unchecked", "tensors": [{"name", "pass", "count", "worst_ulps", "worst_ratio", "worst_index", "claimed", "expected",
/// "allowed", "onnx_ratio", "gradcheck_ratio"}]}]}</c>. Infinite ratios are written as the string "Infinity".
/// </summary>
internal static class JsonVerdicts
{
    public static void Write(string path, IReadOnlyList<CaseVerdict> verdicts, int exitCode)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("format", "rnnverify-verdicts/1");
        w.WriteNumber("exit_code", exitCode);
        w.WriteString("judge", verdicts.Count > 0 ? verdicts[0].Judge : "");
        w.WriteStartArray("cases");
        foreach (var v in verdicts)
        {
            w.WriteStartObject();
            w.WriteString("file", v.File);
            w.WriteBoolean("pass", v.Pass);
            if (v.Error is null) w.WriteNull("error"); else w.WriteString("error", v.Error);
            w.WriteStartArray("unchecked");
            foreach (var u in v.Unchecked) w.WriteStringValue(u);
            w.WriteEndArray();
            w.WriteStartArray("tensors");
            foreach (var t in v.Tensors)
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteBoolean("pass", t.Pass);
                w.WriteNumber("count", t.Count);
                Number(w, "worst_ulps", t.WorstUlps);
                Number(w, "worst_ratio", t.WorstRatio);
                w.WriteStartArray("worst_index");
                foreach (var i in t.WorstIndex) w.WriteNumberValue(i);
                w.WriteEndArray();
                Number(w, "claimed", t.WorstClaimed);
                Number(w, "expected", t.WorstExpected);
                Number(w, "allowed", t.WorstBound);
                Number(w, "onnx_ratio", t.OnnxRatio);
                Number(w, "gradcheck_ratio", t.GradcheckRatio);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteString(name, double.IsNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
    }
}

/// <summary><c>--report DIR</c>: <c>DIR/report.md</c>, a summary table and one section per case.</summary>
internal static class MarkdownReport
{
    public static void Write(string dir, IReadOnlyList<CaseVerdict> verdicts, int exitCode)
    {
        Directory.CreateDirectory(dir);
        var sb = new StringBuilder();
        sb.AppendLine("# rnnverify check report").AppendLine();
        sb.AppendLine($"Exit code {exitCode}. Judge: {(verdicts.Count > 0 ? verdicts[0].Judge : "none")}.").AppendLine();
        sb.AppendLine("Columns: worst error in ulps of the claimed dtype; worst error ÷ allowed bound (≤ 1 passes); the worst element's index;");
        sb.AppendLine("worst error ÷ ONNX's tolerance (1e-7 + 1e-3·|expected|) and ÷ gradcheck's (1e-5 + 1e-3·|expected|).").AppendLine();
        sb.AppendLine("| case | tensor | verdict | worst ulps | err/bound | worst at | claimed | expected | err/onnx | err/gradcheck |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var v in verdicts)
        {
            if (v.Error is not null)
                sb.AppendLine($"| {v.File} | | **unusable** | | | | | | | |");
            foreach (var t in v.Tensors)
                sb.AppendLine($"| {v.File} | {t.Name} | {(t.Pass ? "pass" : "**FAIL**")} | {Text.G(t.WorstUlps)} | {Text.G(t.WorstRatio)} | {Text.Index(t.WorstIndex)} | {Text.R(t.WorstClaimed)} | {Text.R(t.WorstExpected)} | {Text.G(t.OnnxRatio)} | {Text.G(t.GradcheckRatio)} |");
            foreach (var u in v.Unchecked)
                sb.AppendLine($"| {v.File} | {u} | unchecked | | | | | | | |");
        }
        var errors = verdicts.Where(v => v.Error is not null).ToList();
        if (errors.Count > 0)
        {
            sb.AppendLine().AppendLine("## Unusable inputs").AppendLine();
            foreach (var v in errors)
                sb.AppendLine($"- `{v.Error}`");
        }
        File.WriteAllText(Path.Combine(dir, "report.md"), sb.ToString(), new UTF8Encoding(false));
    }
}
