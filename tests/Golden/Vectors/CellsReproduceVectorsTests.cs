using RnnVerify.Reference;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Engines;
using Xunit;
using Xunit.Abstractions;

namespace RnnVerify.Golden.Vectors;

/// <summary>
/// The C# cells reproduce every golden vector in its own dtype, forward and gradients, within the derived bound of
/// <see cref="Vectors"/>; and every file's <c>reference</c> block alone certifies its claimed values.
/// </summary>
public sealed class CellsReproduceVectorsTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Vectors.NamesAndDtypes), MemberType = typeof(Vectors))]
    public void The_cells_reproduce_every_claimed_output_and_gradient_within_the_derived_bound(string name, string dtypeName)
    {
        var dtype = DtypeNames.Parse(dtypeName)!.Value;
        var golden = Vectors.Read(name, dtype);
        var claimed = Vectors.Claimed(golden);
        Assert.Contains("grad.x", claimed.Keys);
        var cells = Vectors.Claimed(golden with { Claimed = new CellsEngine().Run(golden, dtype) });
        var bounds = Vectors.Bounds(name, dtype, gradients: true);
        double worstForward = 0, worstGradient = 0;
        foreach (var (tensor, g) in claimed)
        {
            Assert.True(cells.ContainsKey(tensor), $"{name} {dtypeName}: the cells give no {tensor}");
            Assert.True(bounds.ContainsKey(tensor), $"{name} {dtypeName}: the tolerance model gives no bound for {tensor}");
            var (ratio, k) = Vectors.Worst(g, cells[tensor].Data, bounds[tensor], dtype);
            Assert.True(ratio <= 1,
                $"{name} {dtypeName} {tensor}{Vectors.At(g, k)}: cells {Vectors.R(cells[tensor].Data[k])}, golden {Vectors.R(g.Data[k])}, " +
                $"|difference| is {Vectors.R(ratio)} × (bound {Vectors.R(bounds[tensor][k])} + ulp/2)");
            if (tensor.StartsWith("grad.", StringComparison.Ordinal)) worstGradient = Math.Max(worstGradient, ratio);
            else worstForward = Math.Max(worstForward, ratio);
        }
        output.WriteLine($"{name} {dtypeName}: worst ratio to the bound, outputs {worstForward:E2}, gradients {worstGradient:E2}");
    }

    [Theory]
    [MemberData(nameof(Vectors.NamesAndDtypes), MemberType = typeof(Vectors))]
    public void Every_claimed_value_is_the_correct_rounding_of_its_reference_enclosure_as_printed(string name, string dtypeName)
    {
        var dtype = DtypeNames.Parse(dtypeName)!.Value;
        string path = Path.Combine(Vectors.Directory, $"{name}.{dtypeName}.json");
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(path));
        var reference = doc.RootElement.GetProperty("reference");
        var c = Vectors.Read(name, dtype);
        int checkedTensors = 0;
        foreach (var (tensor, g) in Vectors.Claimed(c))
        {
            var e = reference;
            foreach (var part in SplitName(tensor)) e = e.GetProperty(part);
            var mid = Flatten(e.GetProperty("mid"));
            var rad = Flatten(e.GetProperty("rad"));
            Assert.Equal(g.Data.Length, mid.Count);
            for (int k = 0; k < mid.Count; k++)
            {
                string text = rad[k] == "0" ? mid[k] : mid[k] + " +/- " + rad[k];
                var ball = Conversions.parse(256, text);
                Assert.True(ball.IsOk, $"{path}: reference.{tensor}[{k}] \"{text}\" does not parse");
                double r = dtype == Dtype.Float64
                    ? Unwrap(Conversions.toFloat(RoundingMode.Nearest, ball.ResultValue), path, tensor, k)
                    : Unwrap(Conversions.toFloat32(RoundingMode.Nearest, ball.ResultValue), path, tensor, k);
                Assert.True(r == g.Data[k] && BitConverter.DoubleToInt64Bits(r) == BitConverter.DoubleToInt64Bits(g.Data[k]),
                    $"{path}: claimed {tensor}{Vectors.At(g, k)} is {Vectors.R(g.Data[k])}, the printed enclosure {text} rounds to {Vectors.R(r)}");
            }
            checkedTensors++;
        }
        Assert.True(checkedTensors >= 3, $"{path}: only {checkedTensors} claimed tensors");
    }

    private static double Unwrap<T>(Microsoft.FSharp.Core.FSharpResult<T, RoundingError> r, string path, string tensor, int k) where T : struct, IConvertible =>
        r.IsOk ? Convert.ToDouble(r.ResultValue, System.Globalization.CultureInfo.InvariantCulture)
            : throw new Xunit.Sdk.XunitException($"{path}: the printed enclosure of {tensor}[{k}] straddles a rounding boundary");

    private static IEnumerable<string> SplitName(string tensor) =>
        tensor.StartsWith("grad.weights.", StringComparison.Ordinal) ? ["grad", "weights", tensor["grad.weights.".Length..]]
        : tensor.StartsWith("grad.", StringComparison.Ordinal) ? ["grad", tensor["grad.".Length..]]
        : [tensor];

    private static List<string> Flatten(System.Text.Json.JsonElement e)
    {
        var list = new List<string>();
        Walk(e);
        return list;

        void Walk(System.Text.Json.JsonElement x)
        {
            if (x.ValueKind == System.Text.Json.JsonValueKind.Array)
                foreach (var y in x.EnumerateArray()) Walk(y);
            else
                list.Add(x.GetString()!);
        }
    }
}
