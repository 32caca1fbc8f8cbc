using RnnVerify.Cells;
using Xunit;

namespace RnnVerify.Golden.Cells;

/// <summary>Backpropagation through time against central finite differences (double) on small random cases of every option.</summary>
public class GradientTests
{
    /// <summary>
    /// Finite-difference agreement: |fd − bptt| ≤ FdAbs + FdRel·|fd|. With h = 1e-5 the truncation error h²M₃/6 is ≈ 1.7e-11·M₃ and the
    /// rounding error ε_f/h ≈ 1e-9; FdAbs = 1e-7 leaves room for M₃ up to ~5e3, FdRel covers objectives that grow (identity, relu).
    /// Derivation in docs/tolerances.md, "Finite differences (C# cells)".
    /// </summary>
    private const double FdAbs = 1e-7;

    /// <summary>See <see cref="FdAbs"/>.</summary>
    private const double FdRel = 1e-6;

    public static TheoryData<int> Seeds => new(Enumerable.Range(1000, 60));

    private static double[] Draw(Random rng, int n) => Enumerable.Range(0, n).Select(_ => (2 * rng.NextDouble()) - 1).ToArray();

    private static double Dot(double[] a, double[]? b) => b is null ? 0 : a.Zip(b, (u, v) => u * v).Sum();

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Backward_is_the_vector_Jacobian_product_of_every_weight_input_and_initial_state(int seed)
    {
        var c = RandomCases.Make(seed);
        var rng = new Random(seed + 7919);
        var spec = c.Spec;
        int states = c.H0.Length;
        var dy = Draw(rng, c.Steps * c.Batch * spec.Directions * spec.HiddenSize);
        var dhN = Draw(rng, states);
        var dcN = spec.Kind == CellKind.Lstm ? Draw(rng, states) : null;
        var w = FiniteDifference.Clone(c.Weights);
        var x = (double[])c.X.Clone();
        var h0 = (double[])c.H0.Clone();
        var c0 = (double[]?)c.C0?.Clone();

        // L = ⟨dy, y⟩ + ⟨dhN, hN⟩ + ⟨dcN, cN⟩.
        double Objective()
        {
            var r = Rnn.Run(w, x, c.Batch, c.Lens, h0, c0);
            return Dot(dy, r.Y) + Dot(dhN, r.HN) + (r.CN is null ? 0 : Dot(r.CN, dcN));
        }

        var grads = new NetworkGradients<double>(spec);
        var dx = new double[x.Length];
        var dh0 = new double[states];
        var dc0 = c0 is null ? null : new double[states];
        new Network<double>(w).Backward(c.Batch, x, c.Lens, h0, c0, dy, dhN, dcN, grads, dx, dh0, dc0);
        var g = grads.ToNetworkWeights();
        var checks = FiniteDifference.Pairs(w, g).ToList();
        checks.Add(("x", x, dx));
        checks.Add(("h0", h0, dh0));
        if (c0 is not null)
        {
            checks.Add(("c0", c0, dc0!));
        }

        foreach (var (name, theta, grad) in checks)
        {
            for (int i = 0; i < theta.Length; i++)
            {
                double fd = FiniteDifference.Central(theta, i, Objective);
                Compare.Close(fd, grad[i], FdAbs, FdRel, $"∂L/∂{name}[{i}], {c}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Loss_gradients_match_finite_differences_for_both_divergences_with_and_without_an_output_layer(int seed)
    {
        var c = RandomCases.Make(seed);
        var rng = new Random(seed + 104729);
        var spec = c.Spec;
        var kind = seed % 2 == 0 ? LossKind.SquaredError : LossKind.SoftmaxCrossEntropy;
        int dh = spec.Directions * spec.HiddenSize;
        OutputLayer? head = seed % 3 == 0 ? null : new OutputLayer(2 + rng.Next(2), [], [], (Activation)rng.Next(3));
        if (head is not null)
        {
            head = head with { Wy = Draw(rng, head.OutputSize * dh), By = Draw(rng, head.OutputSize) };
        }

        int outputs = head?.OutputSize ?? dh;
        var targets = Draw(rng, c.Steps * c.Batch * outputs);
        if (kind == LossKind.SoftmaxCrossEntropy)
        {
            targets = targets.Select(v => Math.Abs(v)).ToArray(); // soft targets, not normalised: the general formula applies
        }

        var w = FiniteDifference.Clone(c.Weights);
        var x = (double[])c.X.Clone();
        var net = new Network<double>(w);
        double Objective() => new Network<double>(w).Loss(c.Batch, x, c.Lens, c.H0, c.C0, targets, kind, head, null, null, default, default, default);

        var grads = new NetworkGradients<double>(spec);
        var headGrads = head is null ? null : new OutputLayerGradients<double>(head);
        var dx = new double[x.Length];
        double loss = net.Loss(c.Batch, x, c.Lens, c.H0, c.C0, targets, kind, head, grads, headGrads, dx, default, default);
        Compare.Close(Objective(), loss, 0, 0, "loss is the same with and without gradients");
        var checks = FiniteDifference.Pairs(w, grads.ToNetworkWeights()).ToList();
        checks.Add(("x", x, dx));
        if (head is not null)
        {
            checks.Add(("Wy", head.Wy, headGrads!.Wy));
            checks.Add(("By", head.By, headGrads.By));
        }

        foreach (var (name, theta, grad) in checks)
        {
            for (int i = 0; i < theta.Length; i++)
            {
                double fd = FiniteDifference.Central(theta, i, Objective);
                Compare.Close(fd, grad[i], FdAbs, FdRel, $"{kind} ∂L/∂{name}[{i}], head={head is not null}, {c}");
            }
        }
    }
}
