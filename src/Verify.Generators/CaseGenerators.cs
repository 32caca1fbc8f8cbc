using FsCheck;
using FsCheck.Fluent;
using RnnVerify.Cells;
using RnnVerify.Verify.Cases;

namespace RnnVerify.Verify.Generators;

/// <summary>Bounds on the sizes <see cref="CaseGenerators"/> draws (inclusive).</summary>
/// <param name="MaxInput">Largest input_size.</param>
/// <param name="MaxHidden">Largest hidden_size.</param>
/// <param name="MaxLayers">Largest num_layers.</param>
/// <param name="MaxSteps">Largest T.</param>
/// <param name="MaxBatch">Largest B.</param>
public sealed record CaseSizes(int MaxInput = 4, int MaxHidden = 5, int MaxLayers = 2, int MaxSteps = 6, int MaxBatch = 3)
{
    /// <summary>Small sizes: every case costs microseconds, so 1,000 cases per property stay cheap.</summary>
    public static CaseSizes Small { get; } = new();
}

/// <summary>
/// FsCheck generators of valid, non-degenerate <c>rnnverify-case/1</c> cases (no claimed results), for reuse in other
/// projects' property tests. A case is drawn as its structure (cell, layout, sizes, options) plus a 32-bit seed from which
/// <see cref="CaseBuilder.Random"/> draws weights (independent, uniform in ±1.5/√H, so gates differ), inputs (±1),
/// initial states (±0.5) and sequence lengths (1..T); the structure shrinks toward smaller sizes with FsCheck's integer
/// shrinking, the numbers do not shrink (they are reproducible from the printed seed).
/// </summary>
public static class CaseGenerators
{
    /// <summary>A cell kind: RNN, LSTM or GRU.</summary>
    public static Gen<CellKind> Kind { get; } = Gen.Elements(CellKind.Rnn, CellKind.Lstm, CellKind.Gru);

    /// <summary>A spec of <paramref name="kind"/> within <paramref name="sizes"/>, with the attributes ONNX defines drawn too
    /// (clip, input_forget, peepholes, linear_before_reset, a ReLU Elman cell). Peepholes only where the layout can hold them.</summary>
    public static Gen<CellSpec> Spec(CellKind kind, CaseSizes sizes, bool allowPeepholes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        return
            from i in Gen.Choose(1, sizes.MaxInput)
            from h in Gen.Choose(1, sizes.MaxHidden)
            from l in Gen.Choose(1, sizes.MaxLayers)
            from bidi in ArbMap.Default.GeneratorFor<bool>()
            from clip in Gen.Elements<double?>(null, null, 1.0, 3.0)
            from flag in ArbMap.Default.GeneratorFor<bool>()
            from flag2 in ArbMap.Default.GeneratorFor<bool>()
            select new CellSpec
            {
                Kind = kind,
                InputSize = i,
                HiddenSize = h,
                NumLayers = l,
                Bidirectional = bidi,
                Clip = clip,
                InputForget = kind == CellKind.Lstm && flag,
                Peepholes = kind == CellKind.Lstm && allowPeepholes && flag2,
                LinearBeforeReset = kind != CellKind.Gru || flag,
                Activations = kind == CellKind.Rnn ? [flag2 ? Activation.Relu : Activation.Tanh] : null,
            };
    }

    /// <summary>A whole case: any cell and layout, <paramref name="dtype"/>, sizes within <paramref name="sizes"/>.</summary>
    public static Gen<RnnCase> Case(Dtype dtype, CaseSizes sizes) =>
        from kind in Kind
        from layout in Gen.Elements("pytorch", "onnx", "keras")
        from spec in Spec(kind, sizes, allowPeepholes: layout == "onnx")
        from t in Gen.Choose(1, sizes.MaxSteps)
        from b in Gen.Choose(1, sizes.MaxBatch)
        from seqLens in ArbMap.Default.GeneratorFor<bool>()
        from seed in ArbMap.Default.GeneratorFor<int>()
        select CaseBuilder.Random(spec, layout, dtype, t, b, new Random(seed), seqLens, withInitialState: true, minSeqLen: 1);

    /// <summary>float32 cases of <see cref="CaseSizes.Small"/> sizes, as an Arbitrary for <c>Prop.ForAll</c>.</summary>
    public static Arbitrary<RnnCase> SmallFloat32Cases() => Case(Dtype.Float32, CaseSizes.Small).ToArbitrary();
}
