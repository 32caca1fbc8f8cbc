using System.Globalization;
using System.Text;

namespace RnnVerify.Report;

/// <summary>Culture-invariant, round-trip number formatting and markdown escaping shared by every page (reports must be byte-reproducible).</summary>
internal static class Fmt
{
    /// <summary>Shortest round-trip text of <paramref name="v"/> ("R", invariant culture).</summary>
    public static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Four significant digits, invariant culture (for ratios and table cells where the full value is elsewhere).</summary>
    public static string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>An integer with invariant formatting.</summary>
    public static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Text safe inside a markdown table cell: pipes escaped, line breaks turned into spaces.</summary>
    public static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    /// <summary>A file-name slug: ASCII letters and digits, everything else one dash.</summary>
    public static string Slug(string s)
    {
        var sb = new StringBuilder();
        foreach (char ch in s)
        {
            if (char.IsAsciiLetterOrDigit(ch))
                sb.Append(char.ToLowerInvariant(ch));
            else if (sb.Length > 0 && sb[^1] != '-')
                sb.Append('-');
        }
        return sb.ToString().Trim('-');
    }

    /// <summary>A fenced code block (the fence is longer than any backtick run inside).</summary>
    public static string Fence(string body)
    {
        int run = 0, longest = 0;
        foreach (char ch in body)
        {
            run = ch == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        string fence = new('`', Math.Max(3, longest + 1));
        return $"{fence}\n{body.ReplaceLineEndings("\n").TrimEnd('\n')}\n{fence}\n";
    }

    /// <summary>Text capped at <paramref name="max"/> characters (a note says how much was cut).</summary>
    public static string Cap(string s, int max) =>
        s.Length <= max ? s : string.Concat(s.AsSpan(0, max), $"\n… ({I(s.Length - max)} more characters)");

    /// <summary>FNV-1a 64-bit hash of the UTF-8 bytes (stable across runs and platforms, unlike string.GetHashCode).</summary>
    public static ulong Fnv(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(s))
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return h;
    }

    /// <summary>SplitMix64 finaliser: spreads a seed into a well-mixed 64-bit value.</summary>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Writes UTF-8 without BOM and with \n line ends.</summary>
    public static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text.ReplaceLineEndings("\n"), new UTF8Encoding(false));
    }
}
