using System.Globalization;
using System.Numerics;

namespace RnnVerify.Verify.Cases;

/// <summary>
/// C99 hexadecimal floating-point literals (<c>0x1.8p+1</c> = 3): parsed to the nearest double (ties to even),
/// and written exactly, as <c>printf("%a")</c> does for normal numbers.
/// </summary>
public static class HexFloat
{
    /// <summary>
    /// Parses <c>[+-]0x H[.H] p [+-]D</c> (hex digits H, decimal exponent D; the binary exponent is required).
    /// Returns false for anything else. The result is the double nearest to the exact value (ties to even),
    /// ±∞ on overflow.
    /// </summary>
    public static bool TryParse(string s, out double value)
    {
        value = 0;
        ArgumentNullException.ThrowIfNull(s);
        int i = 0;
        bool neg = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-')) { neg = s[i] == '-'; i++; }
        if (i + 2 > s.Length || s[i] != '0' || (s[i + 1] != 'x' && s[i + 1] != 'X')) return false;
        i += 2;
        BigInteger mant = BigInteger.Zero;
        int digits = 0, fracDigits = 0;
        bool dot = false;
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '.') { if (dot) return false; dot = true; continue; }
            int d = HexDigit(c);
            if (d < 0) break;
            mant = (mant << 4) | d;
            digits++;
            if (dot) fracDigits++;
        }
        if (digits == 0 || i >= s.Length || (s[i] != 'p' && s[i] != 'P')) return false;
        if (!int.TryParse(s.AsSpan(i + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int exp)) return false;
        if (Math.Abs(exp) > 100_000) { value = mant.IsZero ? 0 : exp > 0 ? double.PositiveInfinity : 0; value = neg ? -value : value; return true; }
        value = Scale(mant, (long)exp - 4L * fracDigits);
        if (neg) value = -value;
        return true;
    }

    private static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>The double nearest to m·2^e (m ≥ 0), ties to even, with gradual underflow.</summary>
    private static double Scale(BigInteger m, long e)
    {
        if (m.IsZero) return 0;
        long bits = (long)m.GetBitLength();
        // Value lies in [2^(bits−1+e), 2^(bits+e)). Precision available at that binade: 53 bits, fewer when subnormal.
        long top = bits - 1 + e; // exponent of the leading bit
        if (top > 1023) return double.PositiveInfinity;
        long lsbExp = Math.Max(top - 52, -1074); // exponent of the last representable bit
        long shift = lsbExp - e;
        if (shift > 0)
        {
            if (shift > bits + 1) return 0;
            var q = m >> (int)shift;
            var rem = m - (q << (int)shift);
            var half = BigInteger.One << (int)(shift - 1);
            if (rem > half || (rem == half && !q.IsEven)) q += 1;
            m = q;
            e = lsbExp;
        }
        // m now has at most 54 bits (53 + a carry); the product is exact or overflows.
        return Math.ScaleB((double)m, (int)e);
    }

    /// <summary>Writes <paramref name="v"/> exactly, e.g. 3 → <c>0x1.8p+1</c>, 2^−1074 → <c>0x0.0000000000001p-1022</c>.</summary>
    public static string Format(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsInfinity(v)) return v > 0 ? "Infinity" : "-Infinity";
        long raw = BitConverter.DoubleToInt64Bits(v);
        string sign = raw < 0 ? "-" : "";
        int bexp = (int)((raw >> 52) & 0x7FF);
        long frac = raw & 0xF_FFFF_FFFF_FFFFL;
        if (bexp == 0 && frac == 0) return sign + "0x0p+0";
        string lead = bexp == 0 ? "0" : "1";
        int exp = bexp == 0 ? -1022 : bexp - 1023;
        string f = frac.ToString("x13", CultureInfo.InvariantCulture).TrimEnd('0');
        return $"{sign}0x{lead}{(f.Length > 0 ? "." + f : "")}p{(exp >= 0 ? "+" : "")}{exp.ToString(CultureInfo.InvariantCulture)}";
    }
}
