using System.Numerics;

namespace RnnVerify.Cells;

/// <summary>Outputs of <see cref="Rnn.Run"/>.</summary>
/// <param name="Y">Last layer's outputs [T][B][D·H].</param>
/// <param name="HN">Final hidden states [L·D][B][H].</param>
/// <param name="CN">LSTM final cell states [L·D][B][H]; null for RNN and GRU.</param>
public sealed record RnnResult(double[] Y, double[] HN, double[]? CN);

/// <summary>
/// Facade over <see cref="Network{T}"/>: one-shot span entry points and an allocating double-precision convenience for tests and
/// oracles. Shapes and equations as documented on <see cref="Network{T}"/> and in docs/cells.md.
/// </summary>
public static class Rnn
{
    /// <summary>One-shot <see cref="Network{T}.Forward"/>: converts the weights to <typeparamref name="T"/> and runs the network.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="weights">Weights and spec.</param>
    /// <param name="batch">B ≥ 1.</param>
    /// <param name="x">[T][B][InputSize].</param>
    /// <param name="seqLens">[B] or empty (all T).</param>
    /// <param name="h0">[L·D][B][H] or empty (zeros).</param>
    /// <param name="c0">[L·D][B][H] or empty (zeros; LSTM only).</param>
    /// <param name="y">[T][B][D·H] or empty.</param>
    /// <param name="hN">[L·D][B][H] or empty.</param>
    /// <param name="cN">[L·D][B][H] or empty (LSTM only).</param>
    public static void Forward<T>(NetworkWeights weights, int batch, ReadOnlySpan<T> x, ReadOnlySpan<int> seqLens,
        ReadOnlySpan<T> h0, ReadOnlySpan<T> c0, Span<T> y, Span<T> hN, Span<T> cN)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new Network<T>(weights).Forward(batch, x, seqLens, h0, c0, y, hN, cN);

    /// <summary>One-shot <see cref="Network{T}.Backward"/>: the vector–Jacobian product of (y, h_n, c_n) with (dy, dh_n, dc_n).</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="weights">Weights and spec.</param>
    /// <param name="batch">B ≥ 1.</param>
    /// <param name="x">[T][B][InputSize].</param>
    /// <param name="seqLens">[B] or empty (all T).</param>
    /// <param name="h0">[L·D][B][H] or empty (zeros).</param>
    /// <param name="c0">[L·D][B][H] or empty (zeros; LSTM only).</param>
    /// <param name="dy">[T][B][D·H] or empty (zero).</param>
    /// <param name="dhN">[L·D][B][H] or empty (zero).</param>
    /// <param name="dcN">[L·D][B][H] or empty (zero; LSTM only).</param>
    /// <param name="gradients">Overwritten with the weight gradients in the canonical layout.</param>
    /// <param name="dx">[T][B][InputSize] or empty.</param>
    /// <param name="dh0">[L·D][B][H] or empty.</param>
    /// <param name="dc0">[L·D][B][H] or empty (LSTM only).</param>
    /// <param name="truncationWindow">0 for full BPTT, else the window k (unidirectional only).</param>
    public static void Backward<T>(NetworkWeights weights, int batch, ReadOnlySpan<T> x, ReadOnlySpan<int> seqLens,
        ReadOnlySpan<T> h0, ReadOnlySpan<T> c0, ReadOnlySpan<T> dy, ReadOnlySpan<T> dhN, ReadOnlySpan<T> dcN,
        NetworkGradients<T> gradients, Span<T> dx, Span<T> dh0, Span<T> dc0, int truncationWindow = 0)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new Network<T>(weights).Backward(batch, x, seqLens, h0, c0, dy, dhN, dcN, gradients, dx, dh0, dc0, truncationWindow);

    /// <summary>Runs the network in double and returns freshly allocated outputs.</summary>
    /// <param name="weights">Weights and spec.</param>
    /// <param name="x">[T][B][InputSize].</param>
    /// <param name="batch">B ≥ 1.</param>
    /// <param name="seqLens">[B]; null means all T.</param>
    /// <param name="h0">[L·D][B][H]; null means zeros.</param>
    /// <param name="c0">[L·D][B][H]; null means zeros (LSTM only).</param>
    public static RnnResult Run(NetworkWeights weights, double[] x, int batch = 1, int[]? seqLens = null, double[]? h0 = null, double[]? c0 = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(x);
        var spec = weights.Spec;
        int perStep = Math.Max(1, batch * spec.InputSize);
        int steps = x.Length / perStep;
        int states = spec.NumLayers * spec.Directions * batch * spec.HiddenSize;
        var y = new double[steps * batch * spec.Directions * spec.HiddenSize];
        var hN = new double[states];
        double[]? cN = spec.Kind == CellKind.Lstm ? new double[states] : null;
        new Network<double>(weights).Forward(batch, x, seqLens, h0, c0, y, hN, cN);
        return new RnnResult(y, hN, cN);
    }

    /// <summary>
    /// Weights with every entry drawn independently and uniformly from [−scale, scale] by <see cref="Random"/>(seed), so gates differ
    /// and W_h is not symmetric. Peepholes are drawn when the spec has them. Deterministic for a given seed.
    /// </summary>
    /// <param name="spec">Shape of the network.</param>
    /// <param name="seed">Seed of <see cref="Random"/>.</param>
    /// <param name="scale">Half-width of the uniform distribution.</param>
    public static NetworkWeights RandomWeights(CellSpec spec, int seed, double scale = 0.5)
    {
        ArgumentNullException.ThrowIfNull(spec);
#pragma warning disable CA5394 // Deterministic test weights, not security.
        var rng = new Random(seed);
        double[] Draw(int n) => Enumerable.Range(0, n).Select(_ => scale * ((2 * rng.NextDouble()) - 1)).ToArray();
#pragma warning restore CA5394
        int g = spec.Gates * spec.HiddenSize;
        var layers = new List<LayerWeights>();
        for (int l = 0; l < spec.NumLayers; l++)
        {
            for (int d = 0; d < spec.Directions; d++)
            {
                layers.Add(new LayerWeights(
                    Draw(g * spec.LayerInputSize(l)),
                    Draw(g * spec.HiddenSize),
                    Draw(g),
                    Draw(g),
                    spec.Kind == CellKind.Lstm && spec.Peepholes ? Draw(3 * spec.HiddenSize) : null));
            }
        }

        return new NetworkWeights(spec, layers);
    }
}
