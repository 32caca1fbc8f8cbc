using RnnVerify.Reference.Tolerance;
using RnnVerify.Verify.Cases;

namespace RnnVerify.Verify.Engines;

/// <summary>
/// The reference engine: the value nearest the exact result in the requested dtype, certified from an enclosure.
/// Today's enclosure is the tolerance model's binary64 reference V with radius r (docs/tolerances.md, "The reference
/// enclosure"; global feeding, nothing claimed): an element is written only when both ends V − r and V + r round to the
/// same value in the dtype, which is then the correctly rounded result (under that model's assumptions on binary64
/// arithmetic and libm). This certifies float32 results; float64 needs the ball-arithmetic twins and is refused until
/// they are wired in. Gradients are not computed yet.
/// </summary>
public sealed class ReferenceEngine : IEngine
{
    /// <inheritdoc/>
    public string Name => "reference";

    /// <inheritdoc/>
    public Claimed Run(RnnCase c, Dtype dtype)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (dtype != Dtype.Float32)
            throw new EngineException("the reference engine certifies float32 results only (float64 needs the ball-arithmetic reference, not wired in yet)");
        var f = ToleranceModel.Forward(c.Weights, c.T, c.Batch, c.X.Data, c.SeqLens, c.H0?.Data, c.C0?.Data, null,
            RoundingModelModule.standard(ClaimedDtype.Float64), Feeding.ReferenceStates);
        int D = c.Spec.Directions, H = c.Spec.HiddenSize, LD = c.Spec.NumLayers * D;
        return new Claimed
        {
            Y = Round("y", f.Y, [c.T, c.Batch, D * H]),
            HN = Round("h_n", f.HN, [LD, c.Batch, H]),
            CN = c.Spec.Kind == Cells.CellKind.Lstm ? Round("c_n", f.CN, [LD, c.Batch, H]) : null,
        };
    }

    /// <summary>
    /// Rounds each enclosure [V − r, V + r] to float32, failing when its ends round differently (the enclosure straddles a
    /// rounding boundary, so the correctly rounded value is not determined).
    /// </summary>
    private static Tensor Round(string name, ElementTolerance t, int[] shape)
    {
        var data = new double[t.Length];
        var tensor = new Tensor(shape, data);
        for (int k = 0; k < data.Length; k++)
        {
            double v = t.Reference[k], r = t.ReferenceRadius[k];
            float lo = (float)(v - r), hi = (float)(v + r);
            if (lo != hi || !float.IsFinite(lo))
                throw new EngineException(
                    $"{name}{RnnVerify.Cells.Layouts.WeightTensor.Format(tensor.Index(k))}: the enclosure {v:R} ± {r:R} straddles a float32 rounding boundary; the correctly rounded value is not certified");
            data[k] = lo;
        }
        return tensor;
    }
}
