using System.Globalization;
using Xunit.Sdk;

namespace RnnVerify.Golden.Cells;

/// <summary>Float comparisons that reject NaN and ∞ first and print both values round-trip ("R").</summary>
internal static class Compare
{
    /// <summary>Asserts |actual − expected| ≤ abs + rel·|expected| elementwise.</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double abs, double rel, string context)
    {
        if (expected.Length != actual.Length)
        {
            throw new XunitException($"{context}: length {actual.Length}, expected {expected.Length}");
        }

        for (int i = 0; i < expected.Length; i++)
        {
            Close(expected[i], actual[i], abs, rel, $"{context} [{i}]");
        }
    }

    /// <summary>Asserts |actual − expected| ≤ abs + rel·|expected|, both finite.</summary>
    public static void Close(double expected, double actual, double abs, double rel, string context)
    {
        if (!double.IsFinite(expected) || !double.IsFinite(actual))
        {
            throw new XunitException($"{context}: non-finite value, expected {R(expected)}, actual {R(actual)}");
        }

        double err = Math.Abs(actual - expected);
        double bound = abs + (rel * Math.Abs(expected));
        if (!(err <= bound))
        {
            throw new XunitException($"{context}: expected {R(expected)}, actual {R(actual)}, |error| {R(err)} > bound {R(bound)}");
        }
    }

    /// <summary>Largest |a_i − b_i| over finite entries; ∞ when any entry is not finite.</summary>
    public static double MaxDiff(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double m = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (!double.IsFinite(a[i]) || !double.IsFinite(b[i]))
            {
                return double.PositiveInfinity;
            }

            m = Math.Max(m, Math.Abs(a[i] - b[i]));
        }

        return m;
    }

    /// <summary>
    /// Asserts that two arrays hold the same values bit for bit (NaN rejected first); a failure names the element and prints both
    /// values round-trip and as bits, labelled <paramref name="expectedLabel"/> and <paramref name="actualLabel"/>.
    /// </summary>
    public static void SameBits<T>(T[] expected, T[] actual, string context, string expectedLabel, string actualLabel)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (expected.Length != actual.Length)
        {
            throw new XunitException($"{context}: length {actual.Length}, expected {expected.Length}");
        }

        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.CreateTruncating(expected[i]), a = double.CreateTruncating(actual[i]);
            if (double.IsNaN(e) || double.IsNaN(a))
            {
                throw new XunitException($"{context} element {i}: NaN ({expectedLabel} {R(e)}, {actualLabel} {R(a)})");
            }

            if (Bits(expected[i]) != Bits(actual[i]))
            {
                throw new XunitException(
                    $"{context} element {i}: {expectedLabel} {R(e)} (0x{Bits(expected[i]):x16}), {actualLabel} {R(a)} (0x{Bits(actual[i]):x16})");
            }
        }
    }

    /// <summary>The IEEE bits of a float32 or float64 value.</summary>
    public static long Bits<T>(T v)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? BitConverter.SingleToInt32Bits(float.CreateTruncating(v)) : BitConverter.DoubleToInt64Bits(double.CreateTruncating(v));

    public static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
