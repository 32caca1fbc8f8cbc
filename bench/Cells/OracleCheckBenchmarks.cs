using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using RnnVerify.Cells;
using RnnVerify.Verify;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Checking;
using RnnVerify.Verify.Engines;

namespace RnnVerify.Bench.Cells;

/// <summary>
/// The oracle on an LSTM case with I = H (<see cref="Hidden"/>), T = 100, B = 8, random initial states and upstream gradients,
/// claimed in float32 with gradients. The realistic size H = 256 takes tens of minutes per check on this machine, longer than a
/// benchmark run can afford, so the rows measure H = 32 and 64 and docs/performance.md extrapolates with the cost model
/// (the check's work grows as H² for the products and H for the activations). Baseline: producing the claims with the C# cells (<see cref="CellsEngine.Run"/>: forward and
/// BPTT in float32, widened into the case's tensors). Against it: <see cref="Verifier.Check(RnnCase, string)"/> of the filled
/// case with the default judge (<see cref="Verifier.DefaultJudge"/>: the binary64 running-error-bound model of the forward
/// results, checked locally, and ToleranceModel.Backward's bounds for every claimed gradient along the same trajectory).
/// A short job (one launch, no warm-up, three single-invocation iterations) because one check takes seconds.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 3)]
public class OracleCheckBenchmarks
{
    private RnnCase? _case;
    private RnnCase? _filled;
    private readonly CellsEngine _cells = new();

    /// <summary>Input and hidden size.</summary>
    [Params(32, 64)]
    public int Hidden { get; set; }

    /// <summary>Builds the case and fills its claims once with the C# cells.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(Workload.Seed + 3);
        var spec = new CellSpec { Kind = CellKind.Lstm, InputSize = Hidden, HiddenSize = Hidden };
        var c = CaseBuilder.Random(spec, "pytorch", Dtype.Float32, steps: 100, batch: 8, rng);
        _case = c with { Claimed = new Claimed { Grad = CaseBuilder.RandomUpstream(c, rng) } };
        _filled = _case with { Claimed = _cells.Run(_case, Dtype.Float32) };
        var verdict = Verifier.Check(_filled);
        if (verdict.Tensors.Count == 0 || !verdict.Pass)
        {
            throw new InvalidOperationException("the C# cells' claims should pass the check");
        }
    }

    /// <summary>The C# cells produce y, h_n, c_n and every gradient (baseline).</summary>
    [Benchmark(Baseline = true)]
    public Claimed ProduceWithCells() => _cells.Run(_case!, Dtype.Float32);

    /// <summary>The oracle checks the claims.</summary>
    [Benchmark]
    public CaseVerdict CheckWithOracle() => Verifier.Check(_filled!);
}
