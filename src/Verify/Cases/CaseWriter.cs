using System.Globalization;
using System.Text;

namespace RnnVerify.Verify.Cases;

/// <summary>
/// Writes a case as <c>rnnverify-case/1</c> JSON: fields one per line, each tensor's innermost axis on one line, numbers
/// as shortest round-trip decimals (so reading them back gives the same doubles), non-finite claimed values as the
/// strings <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>. Writing is deterministic: the same case gives the same bytes.
/// </summary>
public static class CaseWriter
{
    /// <summary>The JSON text of <paramref name="c"/>.</summary>
    public static string Write(RnnCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var sb = new StringBuilder();
        sb.Append("{\n");
        var fields = new List<string>
        {
            $"  \"format\": \"{RnnCase.FormatTag}\"",
            $"  \"cell\": \"{c.Cell}\"",
            $"  \"layout\": \"{c.Layout}\"",
        };
        if (c.Attributes.Count > 0)
        {
            var attrs = c.Attributes.Select(kv => $"\"{kv.Key}\": {kv.Value?.ToJsonString() ?? "null"}");
            fields.Add("  \"attributes\": { " + string.Join(", ", attrs) + " }");
        }
        fields.Add($"  \"input_size\": {I(c.Spec.InputSize)}");
        fields.Add($"  \"hidden_size\": {I(c.Spec.HiddenSize)}");
        fields.Add($"  \"num_layers\": {I(c.Spec.NumLayers)}");
        fields.Add($"  \"bidirectional\": {(c.Spec.Bidirectional ? "true" : "false")}");
        fields.Add($"  \"dtype\": \"{c.Dtype.Name()}\"");
        fields.Add("  \"weights\": " + Object(c.LayoutWeights, 2));
        fields.Add("  \"x\": " + TensorText(c.X, 2));
        if (c.SeqLens is not null)
            fields.Add("  \"seq_lens\": [" + string.Join(", ", c.SeqLens.Select(I)) + "]");
        if (c.H0 is not null) fields.Add("  \"h0\": " + TensorText(c.H0, 2));
        if (c.C0 is not null) fields.Add("  \"c0\": " + TensorText(c.C0, 2));
        var claimed = ClaimedText(c.Claimed);
        if (claimed is not null) fields.Add("  \"claimed\": " + claimed);
        sb.Append(string.Join(",\n", fields));
        sb.Append("\n}\n");
        return sb.ToString();
    }

    /// <summary>Writes <paramref name="c"/> to <paramref name="path"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteFile(RnnCase c, string path) => File.WriteAllText(path, Write(c), new UTF8Encoding(false));

    private static string? ClaimedText(Claimed c)
    {
        var f = new List<string>();
        if (c.Y is not null) f.Add("    \"y\": " + TensorText(c.Y, 4));
        if (c.HN is not null) f.Add("    \"h_n\": " + TensorText(c.HN, 4));
        if (c.CN is not null) f.Add("    \"c_n\": " + TensorText(c.CN, 4));
        if (c.Grad is { } g)
        {
            var gf = new List<string> { "      \"dy\": " + TensorText(g.Dy, 6) };
            if (g.DhN is not null) gf.Add("      \"dh_n\": " + TensorText(g.DhN, 6));
            if (g.DcN is not null) gf.Add("      \"dc_n\": " + TensorText(g.DcN, 6));
            if (g.X is not null) gf.Add("      \"x\": " + TensorText(g.X, 6));
            if (g.H0 is not null) gf.Add("      \"h0\": " + TensorText(g.H0, 6));
            if (g.C0 is not null) gf.Add("      \"c0\": " + TensorText(g.C0, 6));
            if (g.Weights.Count > 0) gf.Add("      \"weights\": " + Object(g.Weights, 6));
            f.Add("    \"grad\": {\n" + string.Join(",\n", gf) + "\n    }");
        }
        return f.Count == 0 ? null : "{\n" + string.Join(",\n", f) + "\n  }";
    }

    private static string Object(IReadOnlyDictionary<string, Tensor> tensors, int indent)
    {
        var pad = new string(' ', indent + 2);
        var items = tensors.Select(kv => $"{pad}\"{kv.Key}\": {TensorText(kv.Value, indent + 2)}");
        return "{\n" + string.Join(",\n", items) + "\n" + new string(' ', indent) + "}";
    }

    /// <summary>A tensor as nested arrays; the innermost axis on one line, outer axes one element per line.</summary>
    public static string TensorText(Tensor t, int indent)
    {
        ArgumentNullException.ThrowIfNull(t);
        var sb = new StringBuilder();
        long pos = 0;
        Emit(0, indent);
        return sb.ToString();

        void Emit(int axis, int ind)
        {
            if (t.Shape.Length == 0) { sb.Append(Number(t.Data[0])); return; }
            int n = t.Shape[axis];
            if (axis == t.Shape.Length - 1)
            {
                sb.Append('[');
                for (int i = 0; i < n; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append(Number(t.Data[pos++]));
                }
                sb.Append(']');
                return;
            }
            sb.Append("[\n");
            for (int i = 0; i < n; i++)
            {
                sb.Append(' ', ind + 2);
                Emit(axis + 1, ind + 2);
                sb.Append(i < n - 1 ? ",\n" : "\n");
            }
            sb.Append(' ', ind).Append(']');
        }
    }

    /// <summary>Shortest round-trip decimal for finite values; the strings "NaN", "Infinity", "-Infinity" otherwise.</summary>
    public static string Number(double v) =>
        double.IsNaN(v) ? "\"NaN\"" :
        double.IsPositiveInfinity(v) ? "\"Infinity\"" :
        double.IsNegativeInfinity(v) ? "\"-Infinity\"" :
        v.ToString("R", CultureInfo.InvariantCulture);

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
