using RnnVerify.Cells;
using Xunit;

namespace RnnVerify.Golden.Cells;

/// <summary>
/// One step with one hidden unit and one input, every weight distinct, written out with Math.Tanh / Math.Exp so the
/// expected value can be checked on paper. Tolerance: a handful of roundings on values of order 1, 1e-15 absolute.
/// </summary>
public class HandWorkedTests
{
    private const double Tol = 1e-15;

    private static double Sig(double v) => 1 / (1 + Math.Exp(-v));

    private static LayerWeights One(double[] wx, double[] wh, double[] bx, double[] bh, double[]? p = null) => new(wx, wh, bx, bh, p);

    [Fact]
    public void One_LSTM_step_with_one_unit_matches_the_formulas_written_out()
    {
        var spec = new CellSpec { Kind = CellKind.Lstm, InputSize = 1, HiddenSize = 1 };
        // Gate order i, f, g, o.
        var w = One([0.5, -0.3, 0.8, 0.2], [0.1, 0.4, -0.6, 0.7], [0.05, 0.15, -0.25, 0.35], [-0.1, 0.2, 0.3, -0.4]);
        double x = 0.9, h0 = -0.2, c0 = 0.6;
        double i = Sig((0.5 * x) + 0.05 + (0.1 * h0) - 0.1);
        double f = Sig((-0.3 * x) + 0.15 + (0.4 * h0) + 0.2);
        double g = Math.Tanh((0.8 * x) - 0.25 + (-0.6 * h0) + 0.3);
        double o = Sig((0.2 * x) + 0.35 + (0.7 * h0) - 0.4);
        double c = (f * c0) + (i * g);
        double h = o * Math.Tanh(c);
        var r = Rnn.Run(new NetworkWeights(spec, [w]), [x], 1, null, [h0], [c0]);
        Compare.Close(h, r.Y[0], Tol, 0, "y");
        Compare.Close(h, r.HN[0], Tol, 0, "hN");
        Compare.Close(c, r.CN![0], Tol, 0, "cN");
    }

    [Fact]
    public void One_LSTM_step_with_peepholes_clip_and_coupled_gate_matches_the_formulas()
    {
        var baseSpec = new CellSpec
        {
            Kind = CellKind.Lstm, InputSize = 1, HiddenSize = 1, Peepholes = true, Clip = 0.4,
            InputForget = true, ClipReading = ClipReading.GateInputsAndCell,
        };
        var w = One([0.5, -0.3, 0.8, 0.2], [0.1, 0.4, -0.6, 0.7], [0.05, 0.15, -0.25, 0.35], [-0.1, 0.2, 0.3, -0.4], [0.3, -0.5, 0.9]);
        double x = 0.9, h0 = -0.2, c0 = 0.6;
        double Cl(double v) => Math.Clamp(v, -0.4, 0.4);
        foreach (var reading in new[] { InputForgetReading.ForgetFromInput, InputForgetReading.InputFromForget })
        {
            var spec = baseSpec with { InputForgetReading = reading };
            double i = Sig(Cl((0.5 * x) + 0.05 + (0.1 * h0) - 0.1 + (0.3 * c0)));
            double f = Sig(Cl((-0.3 * x) + 0.15 + (0.4 * h0) + 0.2 + (-0.5 * c0)));
            if (reading == InputForgetReading.ForgetFromInput)
            {
                f = 1 - i;
            }
            else
            {
                i = 1 - f;
            }

            double g = Math.Tanh(Cl((0.8 * x) - 0.25 + (-0.6 * h0) + 0.3));
            double c = Cl((f * c0) + (i * g));
            double o = Sig(Cl((0.2 * x) + 0.35 + (0.7 * h0) - 0.4 + (0.9 * c)));
            double h = o * Math.Tanh(c);
            var r = Rnn.Run(new NetworkWeights(spec, [w]), [x], 1, null, [h0], [c0]);
            Compare.Close(h, r.Y[0], Tol, 0, $"y ({reading})");
            Compare.Close(c, r.CN![0], Tol, 0, $"cN ({reading})");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void One_GRU_step_with_one_unit_matches_the_formulas_for_both_reset_variants(bool linearBeforeReset)
    {
        var spec = new CellSpec { Kind = CellKind.Gru, InputSize = 1, HiddenSize = 1, LinearBeforeReset = linearBeforeReset };
        // Gate order r, z, n.
        var w = One([0.5, -0.3, 0.8], [0.1, 0.4, -0.6], [0.05, 0.15, -0.25], [-0.1, 0.2, 0.3]);
        double x = 0.9, h0 = -0.7;
        double r = Sig((0.5 * x) + 0.05 + (0.1 * h0) - 0.1);
        double z = Sig((-0.3 * x) + 0.15 + (0.4 * h0) + 0.2);
        double n = linearBeforeReset
            ? Math.Tanh((0.8 * x) - 0.25 + (r * ((-0.6 * h0) + 0.3)))
            : Math.Tanh((0.8 * x) - 0.25 + (-0.6 * (r * h0)) + 0.3);
        double h = ((1 - z) * n) + (z * h0);
        var res = Rnn.Run(new NetworkWeights(spec, [w]), [x], 1, null, [h0]);
        Compare.Close(h, res.Y[0], Tol, 0, "y");
        Compare.Close(h, res.HN[0], Tol, 0, "hN");
    }

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Identity)]
    public void One_Elman_step_with_two_units_matches_the_formula(Activation phi)
    {
        var spec = new CellSpec { Kind = CellKind.Rnn, InputSize = 1, HiddenSize = 2, Activations = [phi] };
        var w = One([0.5, -0.3], [0.1, 0.4, -0.6, 0.7], [0.05, -0.15], [-0.1, 0.2]);
        double x = 0.9, h0a = 0.3, h0b = -0.8;
        double a0 = (0.5 * x) + 0.05 + (0.1 * h0a) + (0.4 * h0b) - 0.1;
        double a1 = (-0.3 * x) - 0.15 + (-0.6 * h0a) + (0.7 * h0b) + 0.2;
        double F(double v) => phi switch
        {
            Activation.Tanh => Math.Tanh(v),
            Activation.Sigmoid => Sig(v),
            Activation.Relu => Math.Max(0, v),
            _ => v,
        };
        var res = Rnn.Run(new NetworkWeights(spec, [w]), [x], 1, null, [h0a, h0b]);
        Compare.Close(F(a0), res.Y[0], Tol, 0, "y0");
        Compare.Close(F(a1), res.Y[1], Tol, 0, "y1");
    }

    [Fact]
    public void Two_Elman_steps_feed_the_first_state_into_the_second()
    {
        var spec = new CellSpec { Kind = CellKind.Rnn, InputSize = 1, HiddenSize = 1 };
        var w = One([0.5], [0.9], [0.1], [-0.2]);
        double h1 = Math.Tanh((0.5 * 1.0) + 0.1 - 0.2 + (0.9 * 0.25));
        double h2 = Math.Tanh((0.5 * -2.0) + 0.1 - 0.2 + (0.9 * h1));
        var res = Rnn.Run(new NetworkWeights(spec, [w]), [1.0, -2.0], 1, null, [0.25]);
        Compare.Close(h1, res.Y[0], Tol, 0, "y0");
        Compare.Close(h2, res.Y[1], Tol, 0, "y1");
    }
}
