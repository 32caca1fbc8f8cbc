using System.Numerics;
using BenchmarkDotNet.Attributes;

namespace RnnVerify.Bench.Reference;

/// <summary>
/// The System.Numerics.BigInteger operations a ball operation is made of, to explain the cost of
/// <see cref="ArithmeticBenchmarks"/>: a dyadic product is one BigInteger multiplication (53×53 bits for exact doubles,
/// 128×128 bits at working precision), a dyadic sum aligns exponents with a shift and adds, and normalisation strips
/// trailing zeros. Each result is a fresh heap object. There is no baseline: one binary64 multiply-add is below
/// BenchmarkDotNet's resolution (it measures as the empty method), so compare with the per-element time of
/// <see cref="ArithmeticBenchmarks.DotDouble"/> instead.
/// </summary>
[MemoryDiagnoser]
public class BigIntegerBenchmarks
{
    private const int Seed = 20_260_102;

    private BigInteger _m53a, _m53b, _m128a, _m128b, _sum;

    /// <summary>Draws 53-bit and 128-bit odd mantissas and a 180-bit accumulator.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(Seed);
        BigInteger Odd(int bits)
        {
            var bytes = new byte[(bits + 7) / 8];
            random.NextBytes(bytes);
            var m = new BigInteger(bytes, isUnsigned: true) & ((BigInteger.One << bits) - 1);
            return m | BigInteger.One | (BigInteger.One << (bits - 1));
        }

        _m53a = Odd(53);
        _m53b = Odd(53);
        _m128a = Odd(128);
        _m128b = Odd(128);
        _sum = Odd(180);
    }

    /// <summary>Product of two 53-bit mantissas (the exact product of two doubles).</summary>
    [Benchmark]
    public BigInteger Multiply53() => _m53a * _m53b;

    /// <summary>Product of two 128-bit mantissas (a product at the default working precision).</summary>
    [Benchmark]
    public BigInteger Multiply128() => _m128a * _m128b;

    /// <summary>Exponent alignment and addition: acc + (m &lt;&lt; 20), as in a dyadic sum.</summary>
    [Benchmark]
    public BigInteger ShiftAdd() => _sum + (_m128a << 20);

    /// <summary>Normalisation: count and strip trailing zero bits of a 128-bit product shifted left by 7.</summary>
    [Benchmark]
    public BigInteger Normalize()
    {
        var m = _m128a << 7;
        return m >> (int)BigInteger.TrailingZeroCount(m);
    }
}
