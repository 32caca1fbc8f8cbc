using MathNet.Numerics.LinearAlgebra;
using RnnVerify.Cells;
using RnnVerify.Properties.Exact;
using Gen = RnnVerify.Properties.Generators.Linear;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Checking;
using RnnVerify.Reference.Tolerance;
using ScottPlot;

namespace RnnVerify.Report;

/// <summary>
/// The report's plots, computed with the project's own code: the C# cells (forward and BPTT), the catalogue's generators
/// and exact rational matrices, and the float32 reference engine of src/Verify. Every input is fixed in the code, so the
/// figures are reproducible.
/// </summary>
public static class Figures
{
    private const int Width = 900, Height = 520;
    private static readonly ScottPlot.Palettes.Category10 Palette = new();

    /// <summary>Every figure of the catalogue report, in display order.</summary>
    public static IReadOnlyList<Figure> All() => [EigenGrowth(), Bibo(), Pascanu(), LstmVersusElman(), CellUlps()];

    private static double F(Rational.Q q) => Rational.QModule.toFloat(q);

    private static double[][] ToDouble(Rational.Q[][] m) => m.Select(r => r.Select(F).ToArray()).ToArray();

    private static double Log10Norm2(ReadOnlySpan<double> v)
    {
        double s = 0;
        foreach (double a in v) s += a * a;
        return 0.5 * Math.Log10(s);
    }

    /// <summary>A linear (identity-activation) Elman cell h_t = W h_{t−1} + U x_t with zero biases.</summary>
    private static NetworkWeights LinearCell(double[][] w, double[] u)
    {
        int n = w.Length;
        var spec = new CellSpec { Kind = CellKind.Rnn, InputSize = 1, HiddenSize = n, Activations = [Activation.Identity] };
        return new NetworkWeights(spec, [new LayerWeights(u, w.SelectMany(r => r).ToArray(), new double[n], new double[n], null)]);
    }

    /// <summary>States h_0 … h_{T−1} of a one-input network in precision T (x: T inputs).</summary>
    private static double[][] States<TFloat>(NetworkWeights nw, double[] x, double[] h0)
        where TFloat : unmanaged, System.Numerics.IFloatingPointIeee754<TFloat>
    {
        int n = nw.Spec.HiddenSize, steps = x.Length;
        var y = new TFloat[steps * n];
        Rnn.Forward<TFloat>(nw, 1, x.Select(TFloat.CreateChecked).ToArray(), [], h0.Select(TFloat.CreateChecked).ToArray(), [], y, [], []);
        return Enumerable.Range(0, steps).Select(t => y.AsSpan(t * n, n).ToArray().Select(double.CreateChecked).ToArray()).ToArray();
    }

    private static byte[] Png(Plot plot) => plot.GetImageBytes(Width, Height, ImageFormat.Png);

    private static void Line(Plot plot, double[] xs, double[] ys, string label, bool dashed = false)
    {
        var s = plot.Add.ScatterLine(xs, ys);
        s.LegendText = label;
        s.LineWidth = 2;
        if (dashed) s.LinePattern = LinePattern.Dashed;
    }

    /// <summary>log‖h_t‖ against t for W = VΛV⁻¹ (λ = 9/8, 3/4, −3/8) with the slopes log|λ₁| and log|λ₂|.</summary>
    public static Figure EigenGrowth()
    {
        var recipe = new Gen.Diagonalisable(
            new Gen.Unimodular(3, [Tuple.Create(0, 1, 1), Tuple.Create(1, 2, -1), Tuple.Create(2, 0, 1)]),
            new Gen.Spectrum([9, 6, 3], [false, false, true]));
        if (!Gen.validDiagonalisable(recipe)) throw new InvalidOperationException("the figure's recipe violates the generator's hypotheses");
        var (wq, vq, _, lq) = Gen.build(recipe);
        double[][] w = ToDouble(wq), v = ToDouble(vq);
        double l1 = Math.Abs(F(lq[0])), l2 = Math.Abs(F(lq[1]));
        const int steps = 120;
        var nw = LinearCell(w, new double[3]);
        var zeros = new double[steps];
        double[] generic = [v[0][0] + v[0][1] + v[0][2], v[1][0] + v[1][1] + v[1][2], v[2][0] + v[2][1] + v[2][2]];
        double[] second = [v[0][1], v[1][1], v[2][1]];
        var t = Enumerable.Range(0, steps).Select(i => (double)i).ToArray();
        var plot = new Plot();
        Line(plot, t, States<double>(nw, zeros, generic).Select(h => Log10Norm2(h)).ToArray(), "h₋₁ = v₁ + v₂ + v₃ (binary64 cell)");
        Line(plot, t, States<double>(nw, zeros, second).Select(h => Log10Norm2(h)).ToArray(), "h₋₁ = v₂ (binary64 cell)");
        Line(plot, t, States<float>(nw, zeros, second).Select(h => Log10Norm2(h)).ToArray(), "h₋₁ = v₂ (binary32 cell)");
        double g0 = Log10Norm2(generic), s0 = Log10Norm2(second);
        Line(plot, t, t.Select(k => g0 + ((k + 1) * Math.Log10(l1))).ToArray(), "slope log₁₀|λ₁| (λ₁ = 9/8)", dashed: true);
        Line(plot, t, t.Select(k => s0 + ((k + 1) * Math.Log10(l2))).ToArray(), "slope log₁₀|λ₂| (λ₂ = 3/4)", dashed: true);
        plot.Title("Eigenvalue growth: log₁₀‖h_t‖₂ of h_t = W h_{t−1}, W = VΛV⁻¹");
        plot.XLabel("t");
        plot.YLabel("log₁₀ ‖h_t‖₂");
        plot.ShowLegend(Alignment.LowerLeft);
        return new Figure("eigen-growth.png", "Eigenvalue growth and the second eigenvalue",
            "The C# Elman cell with identity activation iterates W = VΛV⁻¹ built by the catalogue's generator recipe " +
            "(V = shears (0,1,+1), (1,2,−1), (2,0,+1); Λ = diag(9/8, 3/4, −3/8)), zero input, 120 steps. A generic start grows with slope log|λ₁|. " +
            "Started on the second eigenvector v₂ the exact orbit decays with slope log|λ₂| for ever; the float cells follow it only while the products " +
            "are exact — once rounding puts a component of order ε along v₁, that component grows like (|λ₁|/|λ₂|)^t and the orbit turns to slope log|λ₁| " +
            "In binary32 the turn comes near t = 60; in binary64 rounding starts later and is 2^29 times smaller, so within these 120 steps " +
            "the binary64 orbit still follows log|λ₂| (theorem 3f predicts where the turn can first occur).",
            [3], Png(plot));
    }

    /// <summary>The BIBO bound against the observed state norm for a stable linear recursion.</summary>
    public static Figure Bibo()
    {
        var recipe = new Gen.Diagonalisable(new Gen.Unimodular(2, [Tuple.Create(0, 1, 1), Tuple.Create(1, 0, -1)]), new Gen.Spectrum([7, 4], [true, false]));
        if (!Gen.validDiagonalisable(recipe)) throw new InvalidOperationException("the figure's recipe violates the generator's hypotheses");
        var (wq, vq, viq, lq) = Gen.build(recipe);
        var uq = Matrix.mul(vq, Matrix.ofInts([[1], [1]]));
        const int steps = 60;
        double[] h0 = [1, -1];
        var h0q = h0.Select(a => Rational.QModule.ofInt((int)a)).ToArray();
        var ps = Matrix.powers(wq, steps + 1).ToArray();
        double nu = F(Matrix.normInf(uq)), nh = F(Matrix.normInfV(h0q));
        var bound = new double[steps];
        double sum = 0;
        for (int t = 0; t < steps; t++)
        {
            sum += F(Matrix.normInf(ps[t]));
            bound[t] = (F(Matrix.normInf(ps[t + 1])) * nh) + (nu * sum);
        }
        double rho = Math.Abs(F(lq[0]));
        double uniform = F(Matrix.condInf(vq, viq)) * (nh + (nu / (1 - rho)));
        var nw = LinearCell(ToDouble(wq), ToDouble(uq).Select(r => r[0]).ToArray());
        // Inputs bounded by B = 1: a seeded random ±1 sequence, and the input that maximises |(h_t)_0| at every t:
        // x_k = sign((W^{t−k}U)_0) depends on t − k only, so one sequence serves all t when read backwards from t.
        var rng = new Random(20260101);
        double[] random = Enumerable.Range(0, steps).Select(_ => rng.Next(2) == 0 ? -1.0 : 1.0).ToArray();
        var tt = Enumerable.Range(0, steps).Select(i => (double)i).ToArray();
        var worstNorms = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            var x = Enumerable.Range(0, t + 1).Select(k => (double)Math.Sign(F(Matrix.mul(ps[t - k], uq)[0][0]))).ToArray();
            worstNorms[t] = States<double>(nw, x, [0, 0])[t].Max(Math.Abs);
        }
        var plot = new Plot();
        Line(plot, tt, States<double>(nw, random, h0).Select(h => h.Max(Math.Abs)).ToArray(), "‖h_t‖∞, random ±1 input from h₋₁ = (1, −1)");
        Line(plot, tt, worstNorms, "‖h_t‖∞ from rest under the worst input for t");
        Line(plot, tt, bound, "‖W^{t+1}‖∞‖h₋₁‖∞ + ‖U‖∞·B·Σ_{k≤t}‖W^k‖∞", dashed: true);
        Line(plot, tt, tt.Select(_ => uniform).ToArray(), "κ∞(V)(‖h₋₁‖∞ + ‖U‖∞·B/(1 − ρ))", dashed: true);
        plot.Title("BIBO: bound against observed state norm (ρ(W) = 7/8, B = 1)");
        plot.XLabel("t");
        plot.YLabel("max-norm of h_t");
        plot.Axes.SetLimitsY(-1, 58);
        plot.ShowLegend(Alignment.UpperLeft);
        return new Figure("bibo.png", "The BIBO bound against the observed state norm",
            "W = VΛV⁻¹ with Λ = diag(−7/8, 1/2) and U = V·(1, 1)ᵀ from the catalogue's generator recipe; the bound is computed exactly " +
            "(rational powers of W, as theorem 4 does) and the states by the C# cell (identity activation, binary64). Every observed norm lies under " +
            "the time-dependent bound, which lies under the uniform geometric-series bound. From rest, the input x_k = sign((W^{t−k}U)_0) " +
            "(theorem 4b) attains the largest |(h_t)_0| any input bounded by 1 can give, Σ_k |(W^k U)_0|; the gap to the norm bound is the price of " +
            "bounding Σ_k ‖W^k‖∞ instead of the rows of W^k U.",
            [4], Png(plot));
    }

    /// <summary>‖∂h_t/∂h_0‖₂ from the C# BPTT of an Elman tanh cell, against the Pascanu bound (σ_max(W))^lag.</summary>
    public static Figure Pascanu()
    {
        const int n = 6, lags = 80;
        var q = ToDouble(Gen.orthogonal(new Gen.Cayley(n, [1, -2, 0, 3, 1, 2, -1, 0, 1, -3, 2, 1, 0, -1, 2])));
        var plot = new Plot();
        var lagAxis = Enumerable.Range(1, lags).Select(i => (double)i).ToArray();
        foreach (double s in new[] { 0.8, 1.25 })
        {
            var spec = new CellSpec { Kind = CellKind.Rnn, InputSize = 2, HiddenSize = n };
            var rng = new Random(7);
            var wx = Enumerable.Range(0, n * 2).Select(_ => (2 * rng.NextDouble()) - 1).ToArray();
            var wh = q.SelectMany(r => r.Select(a => s * a)).ToArray();
            var nw = new NetworkWeights(spec, [new LayerWeights(wx, wh, new double[n], new double[n], null)]);
            var x = Enumerable.Range(0, lags * 2).Select(_ => 0.5 * ((2 * rng.NextDouble()) - 1)).ToArray();
            var h0 = Enumerable.Range(0, n).Select(_ => 0.5 * ((2 * rng.NextDouble()) - 1)).ToArray();
            var net = new Network<double>(nw);
            var grads = new NetworkGradients<double>(spec);
            var norms = new double[lags];
            for (int lag = 1; lag <= lags; lag++)
            {
                var jt = Matrix<double>.Build.Dense(n, n);
                for (int i = 0; i < n; i++)
                {
                    var dhN = new double[n];
                    dhN[i] = 1;
                    var dh0 = new double[n];
                    net.Backward(1, x.AsSpan(0, lag * 2), [], h0, [], [], dhN, [], grads, [], dh0, []);
                    for (int j = 0; j < n; j++) jt[j, i] = dh0[j]; // column i of Jᵀ = row i of J = ∂(h_t)_i/∂h_0
                }
                norms[lag - 1] = Math.Log10(jt.L2Norm());
            }
            Line(plot, lagAxis, norms, $"‖∂h_t/∂h₀‖₂, σ_max(W) = {s.ToString(System.Globalization.CultureInfo.InvariantCulture)} (C# BPTT)");
            Line(plot, lagAxis, lagAxis.Select(k => k * Math.Log10(s)).ToArray(), $"bound (γσ_max)^lag, γ = 1, σ_max = {s.ToString(System.Globalization.CultureInfo.InvariantCulture)}", dashed: true);
        }
        plot.Title("Vanishing and exploding gradients: the Pascanu bound");
        plot.XLabel("time lag t (h₀ → h_t)");
        plot.YLabel("log₁₀ ‖∂h_t/∂h₀‖₂");
        plot.ShowLegend(Alignment.LowerLeft);
        return new Figure("pascanu.png", "Gradient norm against time lag, with the Pascanu bound",
            "Elman tanh cell, 6 units, W_h = s·Q with Q the rational orthogonal Cayley matrix of the catalogue's generator (so σ_max(W_h) = s exactly), " +
            "seeded inputs in ±0.5. The Jacobian ∂h_t/∂h₀ is assembled row by row from the C# backpropagation through time (one backward pass per " +
            "unit vector dh_t), and its spectral norm taken with Math.NET. The measured norm stays under (γσ_max)^t for both s; with s > 1 the bound " +
            "grows while tanh saturation keeps the gradient from exploding — the bound is necessary for explosion, not sufficient.",
            [6], Png(plot));
    }

    /// <summary>Gradient flow over 150 steps: Elman tanh against LSTM (forget bias 0 and +3).</summary>
    public static Figure LstmVersusElman()
    {
        const int n = 8, inputs = 3, maxLag = 150;
        var lagAxis = Enumerable.Range(1, maxLag).Select(i => (double)i).ToArray();
        var plot = new Plot();
        var rng = new Random(11);
        var x = Enumerable.Range(0, maxLag * inputs).Select(_ => (2 * rng.NextDouble()) - 1).ToArray();
        var dhN = Enumerable.Repeat(1 / Math.Sqrt(n), n).ToArray();
        (string Label, CellKind Kind, double ForgetBias)[] cells =
            [("Elman tanh: ‖∂L/∂h₀‖", CellKind.Rnn, 0), ("LSTM, forget bias 0: ‖∂L/∂(h₀, c₀)‖", CellKind.Lstm, 0), ("LSTM, forget bias +3: ‖∂L/∂(h₀, c₀)‖", CellKind.Lstm, 3)];
        foreach (var (label, kind, fb) in cells)
        {
            var spec = new CellSpec { Kind = kind, InputSize = inputs, HiddenSize = n };
            var w = Rnn.RandomWeights(spec, 11, 0.5);
            if (kind == CellKind.Lstm)
            {
                var l = w.Layers[0];
                for (int i = n; i < 2 * n; i++) l.Bx[i] = fb; // forget gate rows (gate order i, f, g, o)
            }
            var net = new Network<double>(w);
            var grads = new NetworkGradients<double>(spec);
            var norms = new double[maxLag];
            var h0 = new double[n];
            var c0 = kind == CellKind.Lstm ? new double[n] : [];
            for (int lag = 1; lag <= maxLag; lag++)
            {
                var dh0 = new double[n];
                var dc0 = kind == CellKind.Lstm ? new double[n] : [];
                net.Backward(1, x.AsSpan(0, lag * inputs), [], h0, c0, [], dhN, [], grads, [], dh0, dc0);
                double s = dh0.Sum(a => a * a) + dc0.Sum(a => a * a);
                norms[lag - 1] = 0.5 * Math.Log10(s);
            }
            Line(plot, lagAxis, norms, label);
        }
        plot.Title("Gradient flow over 150 steps: LSTM against Elman");
        plot.XLabel("time lag t");
        plot.YLabel("log₁₀ ‖∂L/∂(initial state)‖₂,  L = ⟨1/√H, h_t⟩");
        plot.ShowLegend(Alignment.LowerLeft);
        return new Figure("lstm-vs-elman.png", "LSTM against Elman gradient flow",
            "8 units, 3 inputs, weights uniform in ±0.5 (Rnn.RandomWeights seed 11), seeded inputs in ±1, zero initial state; the gradient of " +
            "L = ⟨1/√H, h_t⟩ with respect to the initial state is the C# backpropagation through time. The Elman gradient decays geometrically; " +
            "the LSTM's cell path carries it through ∂c_t/∂c_{t−1} = diag(f_t) (the constant error carousel), so with a forget bias of +3 (f ≈ 0.95) it " +
            "decays far more slowly.",
            [8], Png(plot));
    }

    /// <summary>Errors in ulps of the float32 C# cells against the correctly rounded float32 reference.</summary>
    public static Figure CellUlps()
    {
        var plot = new Plot();
        const int maxBin = 8;
        var notes = new List<string>();
        int series = 0;
        foreach (var (name, kind) in new[] { ("RNN tanh", CellKind.Rnn), ("LSTM", CellKind.Lstm), ("GRU", CellKind.Gru) })
        {
            var spec = new CellSpec { Kind = kind, InputSize = 5, HiddenSize = 16 };
            var c = Float32Case(spec, new Random(31 + series));
            var reference = ToleranceModel.Forward(c.Weights, c.T, c.Batch, c.X.Data, c.SeqLens, c.H0?.Data, c.C0?.Data, null,
                RoundingModelModule.standard(ClaimedDtype.Float64), Feeding.ReferenceStates).Y;
            var expected = reference.Reference;
            var y = new float[expected.Length];
            Rnn.Forward<float>(c.Weights, c.Batch, c.X.Data.Select(a => (float)a).ToArray(), [], c.H0!.Data.Select(a => (float)a).ToArray(),
                c.C0?.Data.Select(a => (float)a).ToArray() ?? [], y, [], []);
            var counts = new double[maxBin + 1];
            double worst = 0, radius = 0;
            for (int k = 0; k < y.Length; k++)
            {
                double ulp = Checker.Ulp(expected[k], Dtype.Float32);
                double ulps = Math.Abs(y[k] - expected[k]) / ulp;
                radius = Math.Max(radius, reference.ReferenceRadius[k] / ulp);
                worst = Math.Max(worst, ulps);
                counts[Math.Min(maxBin, (int)Math.Round(ulps))]++;
            }
            var bars = Enumerable.Range(0, maxBin + 1).Select(b => new Bar
            {
                Position = b + ((series - 1) * 0.27),
                Value = counts[b],
                Size = 0.25,
                FillColor = Palette.GetColor(series),
            }).ToList();
            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{name} ({Fmt.I(y.Length)} elements, worst {Fmt.G(worst)} ulp)", FillColor = Palette.GetColor(series) });
            notes.Add($"{name}: worst {Fmt.R(worst)} ulp over {Fmt.I(y.Length)} elements (reference radius at most {Fmt.G(radius)} ulp)");
            series++;
        }
        plot.Title("C# float32 cells against the binary64 reference: error in float32 ulps");
        plot.XLabel($"|y_cells − y_ref| / ulp(y_ref), rounded (last bin: ≥ {Fmt.I(maxBin)})");
        plot.YLabel("elements");
        plot.ShowLegend(Alignment.UpperRight);
        return new Figure("cell-ulps.png", "Error distribution of the C# float32 cells in ulps",
            "Random cases (CaseBuilder: 20 steps, batch 4, 5 inputs, 16 units, weights ±1.5/√H, inputs ±1, random initial state), every value rounded " +
            "to float32 so both sides see the same inputs. Expected y: the float32 reference engine of src/Verify (certified correctly rounded). " +
            "Claimed y: the C# cells in float32. " + string.Join("; ", notes) + ". Most elements are within a few ulps; the tail (last bin) comes from " +
            "elements near zero, where a small absolute error after 20 steps of accumulation is many ulps of a tiny value — which is why the oracle judges " +
            "errors against a derived absolute bound per element, not in ulps.",
            [5, 8, 9], Png(plot));
    }

    /// <summary>A random case whose weights, inputs and initial states are float32 values (so a float32 implementation sees them exactly).</summary>
    private static RnnCase Float32Case(CellSpec spec, Random rng)
    {
        var c = CaseBuilder.Random(spec, "pytorch", Dtype.Float32, steps: 20, batch: 4, rng);
        static double[] R(double[] a) => a.Select(v => (double)(float)v).ToArray();
        static Tensor? T(Tensor? t) => t is null ? null : new Tensor(t.Shape, R(t.Data));
        var w = new NetworkWeights(spec, c.Weights.Layers.Select(l => new LayerWeights(R(l.Wx), R(l.Wh), R(l.Bx), R(l.Bh), l.P is null ? null : R(l.P))).ToList());
        return CaseBuilder.Create(w, "pytorch", Dtype.Float32, T(c.X)!, null, T(c.H0), T(c.C0));
    }
}
