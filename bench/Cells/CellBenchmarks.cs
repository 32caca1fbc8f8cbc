using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RnnVerify.Cells;

namespace RnnVerify.Bench.Cells;

/// <summary>
/// The C# cells against ONNX Runtime on the same work: float32 forward of a one-layer network (input = hidden, T = 100,
/// zero initial states) for every (cell, batch, hidden); ORT single-threaded is each case's baseline, so Ratio is
/// "time ÷ ORT time". Beside it ORT with its default thread pool (one thread per core) and the C# BPTT
/// (<see cref="Network{T}.Backward"/>: forward, then the vector–Jacobian product with a fixed dy, giving dx and every weight
/// gradient). The C# rows use a <see cref="Network{T}"/> built once, whose workspace is reused: a forward writes into
/// preallocated outputs and should allocate nothing.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class CellBenchmarks : IDisposable
{
    /// <summary>Steps per sequence.</summary>
    public const int Steps = 100;

    private OrtSession? _ort;
    private OrtSession? _ortThreads;
    private Network<float>? _net;
    private NetworkGradients<float>? _grads;
    private float[] _x = [];
    private float[] _y = [];
    private float[] _hN = [];
    private float[] _cN = [];
    private float[] _dy = [];
    private float[] _dx = [];

    /// <summary>Cell family.</summary>
    [Params(CellKind.Lstm, CellKind.Gru, CellKind.Rnn)]
    public CellKind Kind { get; set; }

    /// <summary>Batch size B.</summary>
    [Params(1, 64)]
    public int Batch { get; set; }

    /// <summary>Hidden size H (= input size).</summary>
    [Params(64, 256, 512)]
    public int Hidden { get; set; }

    /// <summary>Builds the case, both engines and the buffers, and checks that they compute the same y.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var c = Workload.Case(Kind, Hidden, Batch, Steps);
        _ort = new OrtSession(c, intraOpThreads: 1);
        _ortThreads = new OrtSession(c, intraOpThreads: 0);
        _net = new Network<float>(c.Weights);
        _grads = new NetworkGradients<float>(c.Spec);
        _x = Workload.Single(c.X.Data);
        _y = new float[Steps * Batch * Hidden];
        _hN = new float[Batch * Hidden];
        _cN = Kind == CellKind.Lstm ? new float[Batch * Hidden] : [];
        var rng = new Random(Workload.Seed + 1);
        _dy = Array.ConvertAll(new float[_y.Length], _ => (float)((2 * rng.NextDouble()) - 1));
        _dx = new float[_x.Length];

        CellsForward();
        OrtForward();
        double worst = 0;
        var ortY = _ort.Y;
        for (int i = 0; i < _y.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(_y[i] - ortY[i]));
        }

        // Both are float32 evaluations of the same network; |h| ≤ 1, so a disagreement beyond 1e-3 means different work.
        if (!(worst <= 1e-3))
        {
            throw new InvalidOperationException($"C# and ORT disagree: max |Δy| = {worst:R}");
        }
    }

    /// <summary>ONNX Runtime, one intra-op thread (the baseline).</summary>
    [Benchmark(Baseline = true)]
    public void OrtForward() => _ort!.Run();

    /// <summary>ONNX Runtime with its default intra-op thread pool (one thread per core).</summary>
    [Benchmark]
    public void OrtForwardAllCores() => _ortThreads!.Run();

    /// <summary>The C# cells, float32 forward (single-threaded).</summary>
    [Benchmark]
    public void CellsForward() => _net!.Forward(Batch, _x, [], [], [], _y, _hN, _cN);

    /// <summary>The C# cells, float32 forward and backward through time (single-threaded).</summary>
    [Benchmark]
    public void CellsBptt() => _net!.Backward(Batch, _x, [], [], [], _dy, [], [], _grads!, _dx, [], []);

    /// <inheritdoc/>
    public void Dispose()
    {
        _ort?.Dispose();
        _ortThreads?.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(new GflopsColumn());
            Orderer = new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared);
        }
    }
}
