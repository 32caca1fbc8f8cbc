using RnnVerify.Cells;
using RnnVerify.Verify.Cases;
using Xunit;

namespace RnnVerify.Golden.Oracle;

/// <summary>Hex floats, and the writer/reader round trip.</summary>
public class CaseFormatTests
{
    [Theory]
    [InlineData("0x1.8p+1", 3.0)]
    [InlineData("-0x1p-2", -0.25)]
    [InlineData("0x0p+0", 0.0)]
    [InlineData("0xAp0", 10.0)]
    [InlineData("0x1.fffffffffffffp+1023", double.MaxValue)]
    [InlineData("0x1p-1074", double.Epsilon)]
    [InlineData("0x0.0000000000001p-1022", double.Epsilon)]
    [InlineData("0x1.00000000000008p+0", 1.0)]                  // exactly halfway between 1 and 1 + 2^-52: ties to even
    [InlineData("0x1.00000000000018p+0", 1.0000000000000004)]   // halfway between 1 + 2^-52 and 1 + 2^-51: to even (up)
    [InlineData("0x1.000000000000081p+0", 1.0000000000000002)]  // just above halfway: up
    [InlineData("0x1.8p-1075", double.Epsilon)]                 // 0.75 of the smallest subnormal rounds up to it
    [InlineData("0x1p-1075", 0.0)]                              // exactly half of it: ties to even (0)
    public void Hex_floats_parse_to_the_nearest_double(string text, double expected)
    {
        Assert.True(HexFloat.TryParse(text, out double v), text);
        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(v),
            $"{text}: got {v:R} (0x{BitConverter.DoubleToInt64Bits(v):X16}), expected {expected:R} (0x{BitConverter.DoubleToInt64Bits(expected):X16})");
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("0x1.8")]
    [InlineData("0x.p1")]
    [InlineData("0x1.8q+1")]
    [InlineData("0x1..8p1")]
    public void Malformed_hex_floats_are_rejected(string text) => Assert.False(HexFloat.TryParse(text, out _));

    [Fact]
    public void Format_then_parse_is_the_identity_on_random_doubles()
    {
        var rng = new Random(42);
        for (int i = 0; i < 10_000; i++)
        {
            double v = BitConverter.Int64BitsToDouble(rng.NextInt64());
            if (!double.IsFinite(v)) continue;
            string s = HexFloat.Format(v);
            Assert.True(HexFloat.TryParse(s, out double back) && BitConverter.DoubleToInt64Bits(back) == BitConverter.DoubleToInt64Bits(v),
                $"seed 42, {v:R} → {s} → {back:R}");
        }
        Assert.Equal("0x1.8p+1", HexFloat.Format(3.0));
    }

    [Theory]
    [InlineData("pytorch", CellKind.Lstm)]
    [InlineData("onnx", CellKind.Gru)]
    [InlineData("keras", CellKind.Rnn)]
    public void Write_then_read_gives_the_same_case_and_the_same_bytes(string layout, CellKind kind)
    {
        var spec = new CellSpec { Kind = kind, InputSize = 2, HiddenSize = 3, NumLayers = 2, Bidirectional = true, Clip = 1.5 };
        var rng = new Random(9);
        var c = CaseBuilder.Random(spec, layout, Dtype.Float32, 3, 2, rng, withSeqLens: true);
        c = c with { Claimed = new Claimed { Grad = CaseBuilder.RandomUpstream(c, rng), Y = CaseBuilder.RandomTensor(rng, 1, 3, 2, 6) } };
        string text = CaseWriter.Write(c);
        var back = CaseReader.Parse(text);
        Assert.Equal(text, CaseWriter.Write(back));
        Assert.Equal(c.Spec, back.Spec with { Activations = c.Spec.Activations });
        Assert.Equal(c.X.Data, back.X.Data);
        for (int i = 0; i < c.Weights.Layers.Count; i++)
            Assert.Equal(c.Weights.Layers[i].Wh, back.Weights.Layers[i].Wh);
    }

    [Fact]
    public void Hex_float_strings_and_json_numbers_read_the_same()
    {
        string text = CaseWriter.Write(CaseBuilder.Random(new CellSpec { Kind = CellKind.Rnn, InputSize = 1, HiddenSize = 1 }, "pytorch", Dtype.Float64, 1, 1, new Random(1)));
        var c = CaseReader.Parse(text);
        string hex = text.Replace(CaseWriter.Number(c.X.Data[0]), "\"" + HexFloat.Format(c.X.Data[0]) + "\"", StringComparison.Ordinal);
        Assert.NotEqual(text, hex);
        Assert.Equal(c.X.Data[0], CaseReader.Parse(hex).X.Data[0]);
    }
}
