using RnnVerify.Cells;
using RnnVerify.Reference.Tolerance;
using RnnVerify.Verify.Engines;
using RnnVerify.Verify.Cases;

namespace RnnVerify.Verify.Checking;

/// <summary>
/// The production judge for forward results: <see cref="ToleranceModel"/> (docs/tolerances.md, "Forward pass") gives per
/// element the reference value with its enclosure radius r and the allowed error A of a correct implementation in the
/// claimed dtype; the expectation is the reference value with bound A + r (an element passes iff
/// |claimed − reference| ≤ A + r, i.e. max(0, |claimed − reference| − r) ≤ A). When the case claims y and every claimed y
/// is finite, the last layer is checked locally (fed the implementation's own previous states); otherwise globally.
/// <para>
/// Gradients (<c>grad.x</c>, <c>grad.h0</c>, <c>grad.c0</c>, <c>grad.weights.NAME</c>) are judged the same way with
/// <c>ToleranceModel.Backward</c>
/// (docs/tolerances.md, "Gradients (BPTT)"): the reference vector–Jacobian product along the same trajectory as the forward
/// check, with bound Allowed + ReferenceRadius per element. Weight gradients are derived canonically and mapped to the case's
/// layout by the layout's own export (a permutation and transposition of elements, so each layout element gets the value and
/// bound of its canonical element), except a single Keras <c>bias</c> (imported as b_x with b_h = 0), whose gradient is
/// ∂L/∂b_x alone.
/// </para>
/// </summary>
public sealed class ToleranceJudge : IJudge
{
    /// <inheritdoc/>
    public string Description =>
        "reference: binary64 evaluation with running error bounds (ToleranceModel, standard rounding model, safety factor 2), forward and BPTT";

    /// <inheritdoc/>
    public IReadOnlyList<Expectation> Judge(RnnCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var cl = c.Claimed;
        var result = new List<Expectation>();
        var y = cl.Y?.Data;
        bool feedable = y is not null && Array.TrueForAll(y, double.IsFinite);
        var fedY = feedable ? y : null;
        var dtype = c.Dtype == Dtype.Float32 ? ClaimedDtype.Float32 : ClaimedDtype.Float64;
        try
        {
            if (cl.Y is not null || cl.HN is not null || cl.CN is not null)
            {
                var f = ToleranceModel.Forward(c.Weights, c.T, c.Batch, c.X.Data, c.SeqLens, c.H0?.Data, c.C0?.Data, fedY, dtype);
                if (cl.Y is not null) result.Add(From("y", cl.Y.Shape, f.Y));
                if (cl.HN is not null) result.Add(From("h_n", cl.HN.Shape, f.HN));
                if (cl.CN is not null) result.Add(From("c_n", cl.CN.Shape, f.CN));
            }
            if (cl.Grad is { } g && (g.X is not null || g.H0 is not null || g.C0 is not null || g.Weights.Count > 0))
                result.AddRange(Gradients(c, g, fedY, dtype));
        }
        catch (ArgumentException e)
        {
            throw new JudgeException($"the tolerance model cannot evaluate this case: {e.Message}", e);
        }
        return result;
    }

    /// <summary>Expectations for the claimed gradients, in the order grad.x, grad.h0, grad.c0, grad.weights.* (by name).</summary>
    private static List<Expectation> Gradients(RnnCase c, ClaimedGrad g, double[]? fedY, ClaimedDtype dtype)
    {
        var b = ToleranceModel.Backward(c.Weights, c.T, c.Batch, c.X.Data, c.SeqLens, c.H0?.Data, c.C0?.Data, fedY,
            g.Dy.Data, g.DhN?.Data, g.DcN?.Data, dtype);
        var result = new List<Expectation>();
        if (g.X is not null) result.Add(From("grad.x", g.X.Shape, b.X));
        if (g.H0 is not null) result.Add(From("grad.h0", g.H0.Shape, b.H0));
        if (g.C0 is not null) result.Add(From("grad.c0", g.C0.Shape, b.C0));
        if (g.Weights.Count == 0)
            return result;
        // Canonical values and bounds, each mapped to the layout by the layout's export (elementwise, see the class comment).
        NetworkWeights Canonical(Func<ElementTolerance, double[]> part) => new(c.Spec, b.Weights.Select(l => new LayerWeights(
            part(l.Wx), part(l.Wh), part(l.Bx), part(l.Bh), l.P.Length == 0 ? null : part(l.P))).ToArray());
        var values = CellsEngine.LayoutGradients(c, Canonical(t => t.Reference));
        var bounds = CellsEngine.LayoutGradients(c, Canonical(Bound));
        foreach (var (name, claimed) in g.Weights.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!values.TryGetValue(name, out var v))
                throw new JudgeException($"claimed.grad.weights.{name}: the {c.Layout} layout has no weight of that name");
            result.Add(new Expectation("grad.weights." + name, claimed.Shape, v.Data, bounds[name].Data));
        }
        return result;
    }

    private static double[] Bound(ElementTolerance t)
    {
        var bound = new double[t.Length];
        for (int k = 0; k < bound.Length; k++)
            bound[k] = t.Allowed[k] + t.ReferenceRadius[k];
        return bound;
    }

    private static Expectation From(string name, int[] shape, ElementTolerance t) => new(name, shape, t.Reference, Bound(t));
}
