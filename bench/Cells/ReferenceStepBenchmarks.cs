using BenchmarkDotNet.Attributes;
using RnnVerify.Cells;
using RnnVerify.Reference;
using RnnVerify.Reference.Twins;

namespace RnnVerify.Bench.Cells;

/// <summary>
/// One LSTM step (I = H = 32, batch 1, random x, h_{t−1}, c_{t−1}) in rigorous 128-bit ball arithmetic
/// (<see cref="ReferenceNetwork.Step(CellSpec, int, LayerWeights, double[], double[], double[], int)"/>: the enclosures of
/// h_t, c_t and the gates, computed in the fixed-width Ball128) against the same step of the C# cells in binary64
/// (<see cref="Network{T}.Forward"/> over one step with the given initial states; a network built once, so its workspace is
/// reused), and the same step in BigInteger balls (<see cref="Step.run"/> over <see cref="BallScalar.at"/> 128, the path
/// ReferenceNetwork.Step took before Ball128) for comparison. Ratio = ball time ÷ double time.
/// </summary>
[MemoryDiagnoser]
public class ReferenceStepBenchmarks
{
    /// <summary>Input and hidden size.</summary>
    public const int Size = 32;

    /// <summary>Working precision of the ball step, in bits.</summary>
    public const int Bits = 128;

    private CellSpec _spec = Workload.Spec(CellKind.Lstm, Size);
    private LayerWeights? _weights;
    private Network<double>? _net;
    private double[] _x = [];
    private double[] _h = [];
    private double[] _c = [];
    private readonly double[] _hOut = new double[Size];
    private readonly double[] _cOut = new double[Size];
    private readonly double[] _yOut = new double[Size];

    /// <summary>Draws the weights (uniform in ±1/√H) and the step's inputs from a fixed seed.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _spec = Workload.Spec(CellKind.Lstm, Size);
        var weights = Rnn.RandomWeights(_spec, Workload.Seed, 1 / Math.Sqrt(Size));
        _weights = weights.Layers[0];
        _net = new Network<double>(weights);
        var rng = new Random(Workload.Seed + 2);
        double[] Draw() => Enumerable.Range(0, Size).Select(_ => (2 * rng.NextDouble()) - 1).ToArray();
        _x = Draw();
        _h = Draw();
        _c = Draw();
    }

    /// <summary>The C# cells in binary64 (baseline).</summary>
    [Benchmark(Baseline = true)]
    public void CellsDoubleStep() => _net!.Forward(1, _x, [], _h, _c, _yOut, _hOut, _cOut);

    /// <summary>The ball-arithmetic twin at 128 bits (public API; fixed-width Ball128).</summary>
    [Benchmark]
    public ReferenceStep ReferenceBallStep128() => ReferenceNetwork.Step(_spec, 0, _weights!, _x, _h, _c, Bits);

    /// <summary>The same step in BigInteger balls at 128 bits (weights lifted on every call, as the public API does).</summary>
    [Benchmark]
    public StepResult<Ball> BigIntegerBallStep128()
    {
        var s = BallScalar.at(Bits);
        var w = Step.lift(s, _spec, 0, _weights!);
        return Step.run(s, _spec, w, Array.ConvertAll(_x, BallModule.ofFloat), Array.ConvertAll(_h, BallModule.ofFloat),
            Array.ConvertAll(_c, BallModule.ofFloat));
    }
}
