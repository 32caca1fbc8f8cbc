using RnnVerify.Cells;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Engines;
using Xunit;
using Xunit.Abstractions;

namespace RnnVerify.Golden.Vectors;

/// <summary>
/// No plausible mix-up passes a golden vector: for every vector and every mutation that applies to it — each permutation of
/// the gate blocks (all G! − 1 of them, in W, R and both biases together), each permutation of the peephole blocks, each gate's
/// recurrent block transposed, the other GRU variant, a dropped input or recurrent bias, the other reading of each ambiguous
/// attribute in effect (input_forget, clip on an LSTM, padding under sequence lengths, reverse output order), an ignored option
/// (clip, peepholes, sequence lengths), h0 and c0 swapped — the C# cells (binary64) run on the mutated network miss the
/// vector's claimed outputs, in both files, by more than <see cref="Margin"/> times the bound a correct implementation must
/// meet (<see cref="Vectors"/>). The ONNX conformance data uses constant weights, so a wrong gate order passes it; these
/// vectors must not let one through.
/// </summary>
public sealed class VectorDiscriminationTests(ITestOutputHelper output)
{
    /// <summary>How far outside the derived bound a mutation must land: ratio &gt; 100.</summary>
    public const double Margin = 100;

    [Theory]
    [MemberData(nameof(Vectors.Names), MemberType = typeof(Vectors))]
    public void Every_mutation_misses_the_vector_by_far_more_than_the_derived_bound(string name)
    {
        var c = Vectors.Read(name, Dtype.Float64);
        var mutations = Mutations(c).ToList();
        Assert.True(mutations.Count >= 2, $"{name}: only {mutations.Count} mutations apply");
        var failures = new List<string>();
        double smallest = double.PositiveInfinity;
        string smallestLabel = "";
        foreach (var dtype in new[] { Dtype.Float64, Dtype.Float32 })
        {
            var golden = Vectors.Claimed(Vectors.Read(name, dtype));
            var bounds = Vectors.Bounds(name, dtype, gradients: false);
            foreach (var (label, mutated) in mutations)
            {
                var outputs = Vectors.Claimed(mutated with { Claimed = new CellsEngine().Run(mutated with { Claimed = new Claimed() }, Dtype.Float64) });
                double best = 0;
                foreach (var tensor in new[] { "y", "h_n", "c_n" })
                {
                    if (!golden.TryGetValue(tensor, out var g)) continue;
                    best = Math.Max(best, Vectors.Worst(g, outputs[tensor].Data, bounds[tensor], dtype).Ratio);
                }
                if (!(best > Margin))
                    failures.Add($"{label} ({dtype.Name()}: worst ratio {Vectors.R(best)})");
                if (best < smallest) (smallest, smallestLabel) = (best, $"{label}, {dtype.Name()}");
            }
        }
        output.WriteLine($"{name}: {mutations.Count} mutations; the least visible misses by {smallest:E2} × the bound ({smallestLabel})");
        Assert.True(failures.Count == 0, $"{name}: mutations the vector cannot tell from the truth: {string.Join("; ", failures)}");
    }

    /// <summary>The mutations that apply to <paramref name="c"/>, each as the case it produces (inputs unchanged unless named).</summary>
    public static IEnumerable<(string Label, RnnCase Case)> Mutations(RnnCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var spec = c.Spec;
        var w = c.Weights;
        int G = spec.Gates, H = spec.HiddenSize;
        RnnCase With(CellSpec s, IReadOnlyList<LayerWeights> layers) => c with { Spec = s, Weights = new NetworkWeights(s, layers) };
        RnnCase WithSpec(CellSpec s) => With(s, w.Layers);
        RnnCase WithLayers(Func<LayerWeights, LayerWeights> f) => With(spec, w.Layers.Select(f).ToArray());

        foreach (var perm in Permutations(G).Skip(1))
        {
            yield return ($"gate blocks permuted [{string.Join(",", perm)}]", WithLayers(l => l with
            {
                Wx = PermuteBlocks(l.Wx, perm), Wh = PermuteBlocks(l.Wh, perm), Bx = PermuteBlocks(l.Bx, perm), Bh = PermuteBlocks(l.Bh, perm),
            }));
        }
        if (spec.Peepholes)
        {
            foreach (var perm in Permutations(3).Skip(1))
                yield return ($"peephole blocks permuted [{string.Join(",", perm)}]", WithLayers(l => l with { P = PermuteBlocks(l.P!, perm) }));
            yield return ("peepholes ignored", With(spec with { Peepholes = false }, w.Layers.Select(l => l with { P = null }).ToArray()));
        }
        yield return ("recurrent gate blocks transposed", WithLayers(l => l with { Wh = TransposeBlocks(l.Wh, G, H) }));
        if (spec.Kind == CellKind.Gru)
            yield return ($"linear_before_reset {(spec.LinearBeforeReset ? 0 : 1)}", WithSpec(spec with { LinearBeforeReset = !spec.LinearBeforeReset }));
        yield return ("input bias dropped", WithLayers(l => l with { Bx = new double[l.Bx.Length] }));
        if (w.Layers.Any(l => l.Bh.Any(b => b != 0)))
            yield return ("recurrent bias dropped", WithLayers(l => l with { Bh = new double[l.Bh.Length] }));
        if (spec.InputForget)
        {
            yield return ("other input_forget reading", WithSpec(spec with
            {
                InputForgetReading = spec.InputForgetReading == InputForgetReading.ForgetFromInput ? InputForgetReading.InputFromForget : InputForgetReading.ForgetFromInput,
            }));
        }
        if (spec.Clip is not null)
        {
            if (spec.Kind == CellKind.Lstm)
            {
                yield return ("other clip reading", WithSpec(spec with
                {
                    ClipReading = spec.ClipReading == ClipReading.GateInputs ? ClipReading.GateInputsAndCell : ClipReading.GateInputs,
                }));
            }
            yield return ("clip ignored", WithSpec(spec with { Clip = null }));
        }
        if (c.SeqLens is { } lens && lens.Any(n => n < c.T))
        {
            yield return ("other padding reading", WithSpec(spec with
            {
                Padding = spec.Padding == PaddingReading.Zeros ? PaddingReading.CarryLast : PaddingReading.Zeros,
            }));
            yield return ("sequence lengths ignored", c with { SeqLens = null });
        }
        if (spec.Bidirectional)
        {
            yield return ("other reverse output order", WithSpec(spec with
            {
                ReverseOrder = spec.ReverseOrder == ReverseOutputOrder.TimeAligned ? ReverseOutputOrder.ProcessingOrder : ReverseOutputOrder.TimeAligned,
            }));
        }
        if (spec.Kind == CellKind.Lstm && c.H0 is not null && c.C0 is not null)
            yield return ("h0 and c0 swapped", c with { H0 = c.C0, C0 = c.H0 });
    }

    /// <summary>Every permutation of 0..n−1, the identity first.</summary>
    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 1) { yield return [0]; yield break; }
        foreach (var p in Permutations(n - 1))
        {
            for (int pos = p.Length; pos >= 0; pos--)
            {
                var q = new List<int>(p);
                q.Insert(pos, n - 1);
                yield return [.. q];
            }
        }
    }

    /// <summary>Block j of the result (H rows of a [G·H][·] matrix, or H entries of a vector) is block perm[j] of <paramref name="a"/>.</summary>
    private static double[] PermuteBlocks(double[] a, int[] perm)
    {
        int block = a.Length / perm.Length;
        var r = new double[a.Length];
        for (int j = 0; j < perm.Length; j++)
            Array.Copy(a, perm[j] * block, r, j * block, block);
        return r;
    }

    /// <summary>Each gate's H×H block of W_h [G·H][H] transposed.</summary>
    private static double[] TransposeBlocks(double[] wh, int gates, int h)
    {
        var r = new double[wh.Length];
        for (int g = 0; g < gates; g++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < h; j++)
                    r[(g * h + i) * h + j] = wh[(g * h + j) * h + i];
        return r;
    }
}
