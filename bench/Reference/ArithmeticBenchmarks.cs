using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.FSharp.Core;
using RnnVerify.Reference;
using RnnVerify.Reference.Fast;

namespace RnnVerify.Bench.Reference;

/// <summary>
/// Cost of the rigorous reference against plain binary64, one category per operation, the double version being the baseline
/// of its category (so BenchmarkDotNet's Ratio column is "ball time ÷ double time"):
/// <list type="bullet">
/// <item><c>tanh</c>: <see cref="Elementary.tanh"/> at 128 bits on an exact ball vs <see cref="Math.Tanh(double)"/>,
/// averaged over <see cref="Arguments"/> fixed arguments in [−5, 5].</item>
/// <item><c>dot256</c>: <see cref="BallModule.dot"/> of two length-256 vectors of exact balls at 128 bits (and exactly, with
/// <see cref="Precision.exact"/>) vs a scalar double loop Σ xᵢ·yᵢ (and the SIMD <see cref="TensorPrimitives.Dot(ReadOnlySpan{double}, ReadOnlySpan{double})"/>).</item>
/// </list>
/// The fixed-width <see cref="Ball128"/> (<see cref="Elementary128.tanh"/>, <see cref="Ball128Module.dot"/>) is measured in the
/// same categories: the arithmetic the 128-bit reference step uses.
/// MPFR 4.x at 128 bits (mpfr_tanh, mpfr_dot: correctly rounded points, not balls) is measured beside them as the cost
/// of the same precision in a limb-based C library; those rows need libmpfr.so.6.
/// Inputs are drawn once from a seeded generator, so every run measures the same work.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ArithmeticBenchmarks : IDisposable
{
    /// <summary>Number of tanh arguments evaluated per invocation (the reported time is per call).</summary>
    public const int Arguments = 64;

    /// <summary>Length of the dot-product vectors.</summary>
    public const int Length = 256;

    /// <summary>Working precision of the ball benchmarks, in bits (the reference's default).</summary>
    public const int Bits = 128;

    private const int Seed = 20_260_101;

    private readonly double[] _tanhArgs = new double[Arguments];
    private readonly Ball[] _tanhBalls = new Ball[Arguments];
    private readonly double[] _x = new double[Length];
    private readonly double[] _y = new double[Length];
    private readonly Ball[] _bx = new Ball[Length];
    private readonly Ball[] _by = new Ball[Length];
    private readonly Ball128[] _tanhFast = new Ball128[Arguments];
    private readonly Ball128[] _fx = new Ball128[Length];
    private readonly Ball128[] _fy = new Ball128[Length];
    private WeightRows128? _rows;
    private Operands128? _prepared;
    private readonly nint[] _mpfrTanhArgs = new nint[Arguments];
    private readonly nint[] _mpfrX = new nint[Length];
    private readonly nint[] _mpfrY = new nint[Length];
    private nint _mpfrResult;
    private nint _mpfrXPointers;
    private nint _mpfrYPointers;

    /// <summary>Draws the arguments (uniform in [−5, 5] for tanh, [−1, 1] for the vectors) and their exact balls.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(Seed);
        for (var i = 0; i < Arguments; i++)
        {
            _tanhArgs[i] = (random.NextDouble() * 10.0) - 5.0;
            _tanhBalls[i] = BallModule.ofFloat(_tanhArgs[i]);
            _tanhFast[i] = Ball128Module.ofFloat(_tanhArgs[i]);
        }

        for (var i = 0; i < Length; i++)
        {
            _x[i] = (random.NextDouble() * 2.0) - 1.0;
            _y[i] = (random.NextDouble() * 2.0) - 1.0;
            _bx[i] = BallModule.ofFloat(_x[i]);
            _by[i] = BallModule.ofFloat(_y[i]);
            _fx[i] = Ball128Module.ofFloat(_x[i]);
            _fy[i] = Ball128Module.ofFloat(_y[i]);
        }

        _rows = WeightRows128Module.create(1, Length, FuncConvert.FromFunc<int, int, double>((_, k) => _x[k]));
        _prepared = WeightRows128Module.prepare(_fy);
    }

    /// <summary>The same arguments as MPFR numbers (53 bits, exact), for the MPFR rows only.</summary>
    [GlobalSetup(Targets = [nameof(TanhMpfr128), nameof(DotMpfr128)])]
    public void SetupMpfr()
    {
        Setup();
        _mpfrResult = MpfrNative.Create(Bits, 0.0);
        for (var i = 0; i < Arguments; i++)
        {
            _mpfrTanhArgs[i] = MpfrNative.Create(53, _tanhArgs[i]);
        }

        _mpfrXPointers = Marshal.AllocHGlobal(IntPtr.Size * Length);
        _mpfrYPointers = Marshal.AllocHGlobal(IntPtr.Size * Length);
        for (var i = 0; i < Length; i++)
        {
            _mpfrX[i] = MpfrNative.Create(53, _x[i]);
            _mpfrY[i] = MpfrNative.Create(53, _y[i]);
            Marshal.WriteIntPtr(_mpfrXPointers, i * IntPtr.Size, _mpfrX[i]);
            Marshal.WriteIntPtr(_mpfrYPointers, i * IntPtr.Size, _mpfrY[i]);
        }
    }

    /// <summary>Releases the MPFR numbers.</summary>
    [GlobalCleanup(Targets = [nameof(TanhMpfr128), nameof(DotMpfr128)])]
    public void Dispose()
    {
        if (_mpfrResult == 0)
        {
            return;
        }

        foreach (var handle in _mpfrTanhArgs.Concat(_mpfrX).Concat(_mpfrY).Append(_mpfrResult))
        {
            MpfrNative.Free(handle);
        }

        Marshal.FreeHGlobal(_mpfrXPointers);
        Marshal.FreeHGlobal(_mpfrYPointers);
        _mpfrResult = 0;
        GC.SuppressFinalize(this);
    }

    /// <summary>Math.Tanh in binary64 (baseline of <c>tanh</c>); returns the sum so the calls cannot be elided.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Arguments)]
    [BenchmarkCategory("tanh")]
    public double TanhDouble()
    {
        var sum = 0.0;
        foreach (var x in _tanhArgs)
        {
            sum += Math.Tanh(x);
        }

        return sum;
    }

    /// <summary>Elementary.tanh at 128 bits on exact balls; returns the last ball.</summary>
    [Benchmark(OperationsPerInvoke = Arguments)]
    [BenchmarkCategory("tanh")]
    public Ball TanhBall128()
    {
        var last = BallModule.zero;
        foreach (var x in _tanhBalls)
        {
            last = Elementary.tanh(Bits, x);
        }

        return last;
    }

    /// <summary>Elementary128.tanh (the fixed-width ball) on exact balls; returns the last ball.</summary>
    [Benchmark(OperationsPerInvoke = Arguments)]
    [BenchmarkCategory("tanh")]
    public Ball128 TanhBall128Fixed()
    {
        var last = Ball128Module.zero;
        foreach (var x in _tanhFast)
        {
            last = Elementary128.tanh(x);
        }

        return last;
    }

    /// <summary>mpfr_tanh at 128 bits, round to nearest (a point, no enclosure).</summary>
    [Benchmark(OperationsPerInvoke = Arguments)]
    [BenchmarkCategory("tanh")]
    public int TanhMpfr128()
    {
        var ternary = 0;
        foreach (var x in _mpfrTanhArgs)
        {
            ternary += MpfrNative.mpfr_tanh(_mpfrResult, x, MpfrNative.Nearest);
        }

        return ternary;
    }

    /// <summary>Σ xᵢ·yᵢ by a scalar loop in binary64 (baseline of <c>dot256</c>).</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("dot256")]
    public double DotDouble()
    {
        var sum = 0.0;
        for (var i = 0; i < _x.Length; i++)
        {
            sum += _x[i] * _y[i];
        }

        return sum;
    }

    /// <summary>Σ xᵢ·yᵢ by TensorPrimitives.Dot (SIMD, binary64): the fastest double dot on this machine.</summary>
    [Benchmark]
    [BenchmarkCategory("dot256")]
    public double DotDoubleSimd() => TensorPrimitives.Dot<double>(_x, _y);

    /// <summary>
    /// WeightRows128.dotPrepared: the same sum with x as a row of exact double weights (prepared once, as for a layer's
    /// weights) and y as a prepared operand vector (split once, as once per step); the same midpoint as Ball128.dot.
    /// </summary>
    [Benchmark]
    [BenchmarkCategory("dot256")]
    public Ball128 DotWeightRows128() => WeightRows128Module.dotPrepared(_rows!, 0, _prepared!);

    /// <summary>Ball.dot at 128 bits: Σ xᵢ·yᵢ enclosed with one rounding.</summary>
    [Benchmark]
    [BenchmarkCategory("dot256")]
    public Ball DotBall128() => BallModule.dot(Bits, _bx, _by);

    /// <summary>Ball128.dot (the fixed-width ball): exact products, one 320-bit accumulator, one truncation.</summary>
    [Benchmark]
    [BenchmarkCategory("dot256")]
    public Ball128 DotBall128Fixed() => Ball128Module.dot(_fx, _fy);

    /// <summary>Ball.dot with Precision.exact: the exact dyadic sum, radius 0.</summary>
    [Benchmark]
    [BenchmarkCategory("dot256")]
    public Ball DotBallExact() => BallModule.dot(Precision.exact, _bx, _by);

    /// <summary>mpfr_dot at 128 bits: Σ xᵢ·yᵢ correctly rounded (a point, no enclosure).</summary>
    [Benchmark]
    [BenchmarkCategory("dot256")]
    public int DotMpfr128() => MpfrNative.mpfr_dot(_mpfrResult, _mpfrXPointers, _mpfrYPointers, Length, MpfrNative.Nearest);
}
