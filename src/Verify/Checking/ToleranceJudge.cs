using RnnVerify.Reference.Tolerance;
using RnnVerify.Verify.Cases;

namespace RnnVerify.Verify.Checking;

/// <summary>
/// The production judge for forward results: <see cref="ToleranceModel"/> (docs/tolerances.md, "Forward pass") gives per
/// element the reference value with its enclosure radius r and the allowed error A of a correct implementation in the
/// claimed dtype; the expectation is the reference value with bound A + r (an element passes iff
/// |claimed − reference| ≤ A + r, i.e. max(0, |claimed − reference| − r) ≤ A). When the case claims y and every claimed y
/// is finite, the last layer is checked locally (fed the implementation's own previous states); otherwise globally.
/// Gradients are not judged yet: <see cref="Judge"/> returns no expectation for them and the checker lists them as unchecked.
/// </summary>
public sealed class ToleranceJudge : IJudge
{
    /// <inheritdoc/>
    public string Description =>
        "reference: binary64 evaluation with running error bounds (ToleranceModel, standard rounding model, safety factor 2); gradients not judged yet";

    /// <inheritdoc/>
    public IReadOnlyList<Expectation> Judge(RnnCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var cl = c.Claimed;
        var result = new List<Expectation>();
        if (cl.Y is null && cl.HN is null && cl.CN is null)
            return result;
        var y = cl.Y?.Data;
        bool feedable = y is not null && Array.TrueForAll(y, double.IsFinite);
        ForwardTolerance f;
        try
        {
            f = ToleranceModel.Forward(c.Weights, c.T, c.Batch, c.X.Data, c.SeqLens, c.H0?.Data, c.C0?.Data,
                feedable ? y : null, c.Dtype == Dtype.Float32 ? ClaimedDtype.Float32 : ClaimedDtype.Float64);
        }
        catch (ArgumentException e)
        {
            throw new JudgeException($"the tolerance model cannot evaluate this case: {e.Message}", e);
        }
        if (cl.Y is not null) result.Add(From("y", cl.Y.Shape, f.Y));
        if (cl.HN is not null) result.Add(From("h_n", cl.HN.Shape, f.HN));
        if (cl.CN is not null) result.Add(From("c_n", cl.CN.Shape, f.CN));
        return result;
    }

    private static Expectation From(string name, int[] shape, ElementTolerance t)
    {
        var bound = new double[t.Length];
        for (int k = 0; k < bound.Length; k++)
            bound[k] = t.Allowed[k] + t.ReferenceRadius[k];
        return new Expectation(name, shape, t.Reference, bound);
    }
}
