using System.Globalization;
using System.Text.Json;

namespace RnnVerify.Verify.Cases;

public static partial class CaseReader
{
    /// <summary>
    /// Reads a nested JSON array of the given rank as a row-major tensor. Every sub-array along an axis must have the same
    /// length; elements are JSON numbers or hex-float strings (and, when <paramref name="allowNonFinite"/>, the strings
    /// <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>, which only claimed results may contain).
    /// </summary>
    internal static Tensor ReadTensor(JsonElement e, string field, int rank, bool allowNonFinite)
    {
        var shape = new int[rank];
        var probe = e;
        for (int a = 0; a < rank; a++)
        {
            if (probe.ValueKind != JsonValueKind.Array)
                throw new CaseException(field, $"expected a {rank}-dimensional array, found {Kind(probe)} at depth {a}");
            shape[a] = probe.GetArrayLength();
            if (shape[a] == 0)
            {
                if (a < rank - 1)
                    throw new CaseException(field, $"axis {a} is empty; a {rank}-dimensional tensor needs every axis ≥ 1 to have a shape");
                break;
            }
            probe = probe[0];
        }
        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
            if (count > CaseLimits.MaxElements)
                throw new CaseException(field, $"more than {CaseLimits.MaxElements} elements (the documented limit per tensor)");
        }
        var data = new double[count];
        long pos = 0;
        var index = new int[rank];
        Fill(e, 0);
        return new Tensor(shape, data);

        void Fill(JsonElement node, int axis)
        {
            if (axis == rank)
            {
                data[pos++] = ReadNumber(node, field, index, allowNonFinite);
                return;
            }
            if (node.ValueKind != JsonValueKind.Array)
                throw new CaseException(field, $"expected an array at {At(index, axis)}, found {Kind(node)} (a {rank}-dimensional tensor)");
            int n = node.GetArrayLength();
            if (n != shape[axis])
                throw new CaseException(field, $"axis {axis} has length {n} at {At(index, axis)}, expected {shape[axis]} like the first (ragged array)");
            int i = 0;
            foreach (var child in node.EnumerateArray())
            {
                index[axis] = i++;
                Fill(child, axis + 1);
            }
        }
    }

    private static string At(int[] index, int axis) => "[" + string.Join(",", index.Take(axis)) + "]";

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => e.ValueKind.ToString(),
    };

    internal static double ReadNumber(JsonElement e, string field, int[] index, bool allowNonFinite)
    {
        double v;
        if (e.ValueKind == JsonValueKind.Number)
        {
            // System.Text.Json refuses numbers beyond the double range; they are not finite inputs either.
            if (!e.TryGetDouble(out v) || !double.IsFinite(v))
                throw new CaseException(field, $"number {e.GetRawText()} at {Where(index)} is outside the double range");
            return v;
        }
        if (e.ValueKind == JsonValueKind.String)
        {
            var s = e.GetString()!;
            if (HexFloat.TryParse(s, out v) && double.IsFinite(v))
                return v;
            v = s switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, _ => 0 };
            if (double.IsNaN(v) || double.IsInfinity(v))
            {
                if (allowNonFinite) return v;
                throw new CaseException(field, $"{s} at {Where(index)}: inputs and weights must be finite");
            }
            if (HexFloat.TryParse(s, out _))
                throw new CaseException(field, $"hex float \"{s}\" at {Where(index)} overflows the double range");
            throw new CaseException(field, $"\"{s}\" at {Where(index)} is neither a number nor a hex float like \"0x1.8p+1\"");
        }
        throw new CaseException(field, $"expected a number at {Where(index)}, found {Kind(e)}");
    }

    private static string Where(int[] index) => "[" + string.Join(",", index.Select(i => i.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>Fails unless <paramref name="t"/> has exactly <paramref name="expected"/>, naming the first wrong axis and its meaning.</summary>
    internal static void ExpectShape(Tensor t, string field, int[] expected, string[] meaning)
    {
        if (t.Shape.Length != expected.Length)
            throw new CaseException(field, $"has {t.Shape.Length} axes, expected {expected.Length} [{string.Join("][", meaning)}]");
        for (int a = 0; a < expected.Length; a++)
        {
            if (t.Shape[a] != expected[a])
                throw new CaseException(field, $"axis {a} ({meaning[a]}) has length {t.Shape[a]}, expected {expected[a]}");
        }
    }
}
