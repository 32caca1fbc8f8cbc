using RnnVerify.Cells;

namespace RnnVerify.Golden.Cells;

/// <summary>Central finite differences of a scalar function of the network's weights and inputs (double).</summary>
internal static class FiniteDifference
{
    /// <summary>
    /// Relative step: h = Step·max(1, |θ|). Step ≈ (3 ε_f / M₃)^{1/3} with ε_f ≈ 1e-14 (rounding of an objective that sums ~10²
    /// terms of order 1) and M₃ ≈ 10 gives 1.4e-5; see docs/tolerances.md, "Finite differences (C# cells)".
    /// </summary>
    public const double Step = 1e-5;

    /// <summary>(f(θ + h e) − f(θ − h e)) / 2h for the entry <paramref name="i"/> of <paramref name="theta"/>, restored afterwards.</summary>
    public static double Central(double[] theta, int i, Func<double> f)
    {
        double saved = theta[i];
        double h = Step * Math.Max(1, Math.Abs(saved));
        theta[i] = saved + h;
        double up = f();
        theta[i] = saved - h;
        double down = f();
        theta[i] = saved;
        return (up - down) / ((saved + h) - (saved - h));
    }

    /// <summary>A deep copy of the weights, so entries can be perturbed in place.</summary>
    public static NetworkWeights Clone(NetworkWeights w) => new(
        w.Spec,
        w.Layers.Select(l => new LayerWeights((double[])l.Wx.Clone(), (double[])l.Wh.Clone(), (double[])l.Bx.Clone(), (double[])l.Bh.Clone(), (double[]?)l.P?.Clone())).ToArray());

    /// <summary>The (name, weight array, gradient array) pairs of every parameter tensor, in a fixed order.</summary>
    public static IEnumerable<(string Name, double[] Theta, double[] Grad)> Pairs(NetworkWeights w, NetworkWeights g)
    {
        for (int k = 0; k < w.Layers.Count; k++)
        {
            yield return ($"Layers[{k}].Wx", w.Layers[k].Wx, g.Layers[k].Wx);
            yield return ($"Layers[{k}].Wh", w.Layers[k].Wh, g.Layers[k].Wh);
            yield return ($"Layers[{k}].Bx", w.Layers[k].Bx, g.Layers[k].Bx);
            yield return ($"Layers[{k}].Bh", w.Layers[k].Bh, g.Layers[k].Bh);
            if (w.Layers[k].P is not null)
            {
                yield return ($"Layers[{k}].P", w.Layers[k].P!, g.Layers[k].P!);
            }
        }
    }
}
