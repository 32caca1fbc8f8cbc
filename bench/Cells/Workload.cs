using RnnVerify.Cells;
using RnnVerify.Verify.Cases;

namespace RnnVerify.Bench.Cells;

/// <summary>
/// The work every cell benchmark shares: a one-layer unidirectional network with input size = hidden size, T steps of a batch,
/// weights uniform in ±1/√H (PyTorch's initialisation), inputs uniform in ±1, zero initial states, all from a fixed seed.
/// </summary>
internal static class Workload
{
    /// <summary>Seed of every draw, so each run measures the same numbers.</summary>
    public const int Seed = 20_261_125;

    /// <summary>The spec of a benchmark network (default activations; GRU with the PyTorch reading, linear_before_reset = 1).</summary>
    public static CellSpec Spec(CellKind kind, int hidden) => new() { Kind = kind, InputSize = hidden, HiddenSize = hidden };

    /// <summary>Gates per cell: LSTM 4, GRU 3, RNN 1.</summary>
    public static int Gates(CellKind kind) => kind switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };

    /// <summary>
    /// Floating-point operations of one forward pass counted as the matrix products alone: 2·G·H·(I + H)·B·T
    /// (one multiply and one add per weight per batch entry per step; the pointwise work is O(G·H·B·T) and not counted).
    /// </summary>
    public static double ForwardFlops(CellKind kind, int input, int hidden, int batch, int steps) =>
        2.0 * Gates(kind) * hidden * (input + hidden) * batch * steps;

    /// <summary>A random case (weights, x) for the shape, built with the oracle's <see cref="CaseBuilder"/>.</summary>
    public static RnnCase Case(CellKind kind, int hidden, int batch, int steps)
    {
        var rng = new Random(Seed);
        var spec = Spec(kind, hidden);
        var weights = CaseBuilder.RandomWeights(spec, rng, 1 / Math.Sqrt(hidden));
        var x = CaseBuilder.RandomTensor(rng, 1.0, steps, batch, hidden);
        return CaseBuilder.Create(weights, "onnx", Dtype.Float32, x);
    }

    /// <summary>Rounds to float32 (to nearest).</summary>
    public static float[] Single(double[] data) => Array.ConvertAll(data, v => (float)v);
}
