using RnnVerify.Cells;
using RnnVerify.Verify;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Engines;
using Xunit;

namespace RnnVerify.Golden.Oracle;

/// <summary>
/// A batch entry with sequence length 0 takes no step, so its final state is its initial state: h_n = h0 (and c_n = c0).
/// A correct implementation copies h0 as it holds it, i.e. rounded to its format; the allowed error is that conversion
/// and nothing more (docs/findings.md, "The final state of a zero-length entry").
/// </summary>
public class ZeroLengthEntryTests
{
    private static RnnCase Case(CellKind kind, Dtype dtype) =>
        CaseBuilder.Random(new CellSpec { Kind = kind, InputSize = 2, HiddenSize = 3, Bidirectional = true }, "onnx", dtype, 4, 2, new Random(21))
            with { SeqLens = [4, 0] };

    /// <summary>Elements of h_n (and c_n) [D][B][H] that belong to batch entry 1.</summary>
    private static IEnumerable<int> Entry1(int directions = 2, int batch = 2, int hidden = 3) =>
        from d in Enumerable.Range(0, directions) from j in Enumerable.Range(0, hidden) select (d * batch + 1) * hidden + j;

    [Theory]
    [InlineData(CellKind.Rnn, Dtype.Float32)]
    [InlineData(CellKind.Lstm, Dtype.Float32)]
    [InlineData(CellKind.Gru, Dtype.Float32)]
    [InlineData(CellKind.Lstm, Dtype.Float64)]
    public void An_implementation_that_copies_h0_in_its_own_format_passes(CellKind kind, Dtype dtype)
    {
        var c = Case(kind, dtype);
        var claimed = new CellsEngine().Run(c, dtype);
        foreach (int k in Entry1())
        {
            double h0 = c.H0!.Data[k];
            double expected = dtype == Dtype.Float32 ? (float)h0 : h0;
            Assert.True(claimed.HN!.Data[k] == expected, $"h_n[{k}] = {claimed.HN.Data[k]:R}, h0 in {dtype.Name()} = {expected:R}");
            if (dtype == Dtype.Float32)
                Assert.NotEqual(h0, expected); // the case's h0 is not exact in float32: the copy differs from it
        }
        var v = Verifier.Check(c, claimed);
        Assert.True(v.Pass, string.Join("; ", v.Tensors.Select(t => $"{t.Name} {t.WorstRatio:R} at [{string.Join(",", t.WorstIndex)}] bound {t.WorstBound:R}")));
    }

    [Theory]
    [InlineData(Dtype.Float32)]
    [InlineData(Dtype.Float64)]
    public void Zeros_or_h0_moved_by_a_few_ulps_fail(Dtype dtype)
    {
        var c = Case(CellKind.Lstm, dtype);
        var good = new CellsEngine().Run(c, dtype);

        var zeroed = (double[])good.HN!.Data.Clone();
        foreach (int k in Entry1()) zeroed[k] = 0; // ONNX Runtime's reading
        var z = Verifier.Check(c, good with { HN = new Tensor(good.HN.Shape, zeroed) });
        Assert.False(z.Tensors.Single(t => t.Name == "h_n").Pass);

        // 4 ulps of the claimed format away from the copy: more than the conversion error (≤ ½ ulp, times S = 2) allows.
        var moved = (double[])good.HN.Data.Clone();
        int first = Entry1().First();
        moved[first] += 4 * RnnVerify.Verify.Checking.Checker.Ulp(moved[first], dtype);
        var m = Verifier.Check(c, good with { HN = new Tensor(good.HN.Shape, moved) });
        var hn = m.Tensors.Single(t => t.Name == "h_n");
        Assert.False(hn.Pass, $"ratio {hn.WorstRatio:R}");
        Assert.Equal([0, 1, 0], hn.WorstIndex);
    }
}
