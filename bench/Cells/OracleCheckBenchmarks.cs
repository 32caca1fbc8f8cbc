using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using RnnVerify.Cells;
using RnnVerify.Reference.Fast;
using RnnVerify.Reference.Tolerance;
using RnnVerify.Verify;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Checking;
using RnnVerify.Verify.Engines;

namespace RnnVerify.Bench.Cells;

/// <summary>
/// The oracle on an LSTM case with I = H (<see cref="Hidden"/>), T = 100, B = 8, random initial states and upstream gradients,
/// claimed in float32 with gradients. Baseline: producing the claims with the C# cells (<see cref="CellsEngine.Run"/>: forward
/// and BPTT in float32, widened into the case's tensors). Against it: <see cref="Verifier.Check(RnnCase, string)"/> of the
/// filled case with the default judge (<see cref="Verifier.DefaultJudge"/>), and the three parts of that check measured
/// separately: the forward bound (one recorded <see cref="ForwardBound"/> run in the claimed format's rounding model), the
/// ball reference (<see cref="FedReference"/>.forward128: the forward values and their enclosures at 128 bits in the fixed-width
/// ball, the gate rows over the exact weights in place, as <see cref="ToleranceModel"/>.Forward computes them; beside it the
/// same recursion through the generic Ball128 step, which builds an operand array per gate row) and the gradient judge's
/// <see cref="ToleranceModel"/>.Backward (two recorded runs, the claimed format's and float64's, each with its reverse
/// accumulation). A check is the sum of the three plus the comparison of the claims, which is negligible.
/// A short job (one launch, no warm-up, three single-invocation iterations) because one check takes seconds to minutes.
/// H = 256 is the realistic size of issue 8 (<see cref="OracleCheckRealisticBenchmarks"/>).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 3)]
public class OracleCheckBenchmarks : OracleCheckWorkload
{
    /// <summary>Input and hidden size.</summary>
    [Params(32, 64)]
    public override int Hidden { get; set; }
}

/// <summary>
/// The realistic case of issue 8 (I = H = 256, T = 100, B = 8): the rows of <see cref="OracleCheckBenchmarks"/> with a single
/// iteration each, since the 128-bit ball reference alone takes minutes there; the setup does not run a check (that the
/// cells' claims pass it is shown by <c>rnnverify check</c> on the same case, docs/performance.md).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 1)]
public class OracleCheckRealisticBenchmarks : OracleCheckWorkload
{
    /// <summary>Input and hidden size.</summary>
    [Params(256)]
    public override int Hidden { get; set; }

    /// <inheritdoc/>
    protected override bool CheckInSetup => false;
}

/// <summary>The case, its claims and the benchmarked calls shared by <see cref="OracleCheckBenchmarks"/> and
/// <see cref="OracleCheckRealisticBenchmarks"/>.</summary>
public abstract class OracleCheckWorkload
{
    private RnnCase? _case;
    private RnnCase? _filled;
    private readonly CellsEngine _cells = new();

    /// <summary>Input and hidden size.</summary>
    public abstract int Hidden { get; set; }

    /// <summary>Whether the setup runs one check and requires the cells' claims to pass (skipped where a check takes minutes).</summary>
    protected virtual bool CheckInSetup => true;

    /// <summary>Builds the case and fills its claims once with the C# cells.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(Workload.Seed + 3);
        var spec = new CellSpec { Kind = CellKind.Lstm, InputSize = Hidden, HiddenSize = Hidden };
        var c = CaseBuilder.Random(spec, "pytorch", Dtype.Float32, steps: 100, batch: 8, rng);
        _case = c with { Claimed = new Claimed { Grad = CaseBuilder.RandomUpstream(c, rng) } };
        _filled = _case with { Claimed = _cells.Run(_case, Dtype.Float32) };
        if (!CheckInSetup)
            return;
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

    /// <summary>Part of the check: the forward bound, one recorded run fed the claimed y (the tape is dropped after).</summary>
    [Benchmark]
    public int ForwardBoundOnly()
    {
        var c = _filled!;
        var run = ForwardBound.compute(RoundingModelModule.standard(ClaimedDtype.Float32), Feeding.ClaimedStates, c.Weights, c.T, c.Batch,
            c.X.Data, c.SeqLens, c.H0?.Data, c.C0?.Data, c.Claimed.Y!.Data);
        return run.Tape.Count;
    }

    /// <summary>Part of the check: the 128-bit ball reference of the fed forward recursion (the fixed-width ball the check uses,
    /// gate rows by <see cref="WeightRows128"/>).</summary>
    [Benchmark]
    public int BallReferenceOnly()
    {
        var c = _filled!;
        var (y, _, _) = FedReference.forward128(Feeding.ClaimedStates, c.Weights, c.T, c.Batch, c.X.Data,
            c.SeqLens, c.H0?.Data, c.C0?.Data, c.Claimed.Y!.Data);
        return y.Length;
    }

    /// <summary>For comparison: the same ball reference through the twins' generic step over <see cref="Ball128Scalar"/>
    /// (<see cref="Ball128"/>.dot over an operand array built per gate row), the check's path before
    /// <see cref="FedReference"/>.forward128.</summary>
    [Benchmark]
    public int BallReferenceGenericOnly()
    {
        var c = _filled!;
        var (y, _, _) = FedReference.forward(Ball128Scalar.instance, Feeding.ClaimedStates, c.Weights, c.T, c.Batch, c.X.Data,
            c.SeqLens, c.H0?.Data, c.C0?.Data, c.Claimed.Y!.Data);
        return y.Length;
    }

    /// <summary>Part of the check: the gradient judge's tolerances (two recorded runs and two reverse accumulations).</summary>
    [Benchmark]
    public GradientTolerance GradientBoundOnly()
    {
        var c = _filled!;
        var g = c.Claimed.Grad!;
        return ToleranceModel.Backward(c.Weights, c.T, c.Batch, c.X.Data, c.SeqLens, c.H0?.Data, c.C0?.Data, c.Claimed.Y!.Data,
            g.Dy.Data, g.DhN?.Data, g.DcN?.Data, ClaimedDtype.Float32);
    }
}
