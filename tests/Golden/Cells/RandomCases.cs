using RnnVerify.Cells;

namespace RnnVerify.Golden.Cells;

/// <summary>One random problem: spec, weights, batch, inputs, lengths and initial states, all drawn from one seed.</summary>
internal sealed record Case(int Seed, CellSpec Spec, NetworkWeights Weights, int Batch, int Steps, double[] X, int[] Lens, double[] H0, double[]? C0)
{
    public override string ToString() =>
        $"seed {Seed}: {Spec.Kind} I={Spec.InputSize} H={Spec.HiddenSize} L={Spec.NumLayers} bidir={Spec.Bidirectional} " +
        $"acts=[{string.Join(",", Spec.EffectiveActivations)}] clip={Spec.Clip} {Spec.ClipReading} peep={Spec.Peepholes} " +
        $"inputForget={Spec.InputForget}/{Spec.InputForgetReading} lbr={Spec.LinearBeforeReset} pad={Spec.Padding} " +
        $"rev={Spec.ReverseOrder} B={Batch} T={Steps} lens=[{string.Join(",", Lens)}]";
}

/// <summary>Replayable random cases: every option of every cell, small sizes (T ≤ 5, B ≤ 3, H ≤ 4) so each case is cheap.</summary>
internal static class RandomCases
{
    /// <summary>The case for <paramref name="seed"/>; <paramref name="kind"/> forces the cell family when given.</summary>
    public static Case Make(int seed, CellKind? kind = null, bool allowBidirectional = true, bool smoothOnly = false)
    {
        var rng = new Random(seed);
        var k = kind ?? (CellKind)rng.Next(3);
        Activation Pick() => smoothOnly
            ? (Activation)new[] { 0, 1, 2 }[rng.Next(3)]
            : (Activation)rng.Next(4);
        IReadOnlyList<Activation>? acts = rng.Next(2) == 0 ? null : k switch
        {
            CellKind.Lstm => [Pick(), Pick(), Pick()],
            CellKind.Gru => [Pick(), Pick()],
            _ => [Pick()],
        };
        var spec = new CellSpec
        {
            Kind = k,
            InputSize = 1 + rng.Next(3),
            HiddenSize = 1 + rng.Next(4),
            NumLayers = 1 + rng.Next(2),
            Bidirectional = allowBidirectional && rng.Next(2) == 0,
            Activations = acts,
            Clip = rng.Next(3) == 0 ? 0.5 + rng.NextDouble() : null,
            ClipReading = rng.Next(2) == 0 ? ClipReading.GateInputs : ClipReading.GateInputsAndCell,
            Peepholes = k == CellKind.Lstm && rng.Next(2) == 0,
            InputForget = k == CellKind.Lstm && rng.Next(3) == 0,
            InputForgetReading = rng.Next(2) == 0 ? InputForgetReading.ForgetFromInput : InputForgetReading.InputFromForget,
            LinearBeforeReset = rng.Next(2) == 0,
            Padding = rng.Next(2) == 0 ? PaddingReading.Zeros : PaddingReading.CarryLast,
            ReverseOrder = rng.Next(2) == 0 ? ReverseOutputOrder.TimeAligned : ReverseOutputOrder.ProcessingOrder,
        };
        var weights = Rnn.RandomWeights(spec, rng.Next(), 0.8);
        int batch = 1 + rng.Next(3);
        int steps = 1 + rng.Next(5);
        double[] Draw(int n, double s) => Enumerable.Range(0, n).Select(_ => s * ((2 * rng.NextDouble()) - 1)).ToArray();
        var x = Draw(steps * batch * spec.InputSize, 1.5);
        var lens = Enumerable.Range(0, batch).Select(_ => rng.Next(4) == 0 ? rng.Next(steps + 1) : steps).ToArray();
        int states = spec.NumLayers * spec.Directions * batch * spec.HiddenSize;
        var h0 = Draw(states, 0.8);
        var c0 = k == CellKind.Lstm ? Draw(states, 0.8) : null;
        return new Case(seed, spec, weights, batch, steps, x, lens, h0, c0);
    }
}
