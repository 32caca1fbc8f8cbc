using RnnVerify.Cells;
using RnnVerify.Cells.Layouts;
using Xunit;

namespace RnnVerify.Golden.Layouts;

/// <summary>Import ∘ export and export ∘ import are identities for every layout × cell × direction × layer count.</summary>
public class LayoutRoundTripTests
{
    public static TheoryData<string, CellKind, bool, int, bool> Cases()
    {
        var data = new TheoryData<string, CellKind, bool, int, bool>();
        foreach (var layout in WeightLayouts.Names)
            foreach (var kind in new[] { CellKind.Rnn, CellKind.Lstm, CellKind.Gru })
                foreach (var bidi in new[] { false, true })
                    foreach (var layers in new[] { 1, 3 })
                        foreach (var variant in new[] { false, true }) // LSTM: peepholes; GRU: linear_before_reset; RNN: unused
                        {
                            if (kind == CellKind.Rnn && variant) continue;
                            if (kind == CellKind.Lstm && variant && layout != "onnx") continue;
                            data.Add(layout, kind, bidi, layers, variant);
                        }
        return data;
    }

    internal static CellSpec Spec(CellKind kind, bool bidi, int layers, bool variant) => new()
    {
        Kind = kind,
        InputSize = 3,
        HiddenSize = 2,
        NumLayers = layers,
        Bidirectional = bidi,
        Peepholes = kind == CellKind.Lstm && variant,
        LinearBeforeReset = kind != CellKind.Gru || variant,
    };

    /// <summary>Canonical weights whose every element is distinct (so any misplacement shows), with a chosen recurrent bias.</summary>
    internal static NetworkWeights Distinct(CellSpec spec, bool zeroRecurrentBias)
    {
        int next = 1;
        double[] Fill(int n) { var a = new double[n]; for (int i = 0; i < n; i++) a[i] = next++ + 0.25; return a; }
        int gh = spec.Gates * spec.HiddenSize;
        var layers = new List<LayerWeights>();
        for (int k = 0; k < spec.NumLayers; k++)
            for (int d = 0; d < spec.Directions; d++)
                layers.Add(new LayerWeights(
                    Fill(gh * spec.LayerInputSize(k)), Fill(gh * spec.HiddenSize), Fill(gh),
                    zeroRecurrentBias ? new double[gh] : Fill(gh),
                    spec.Kind == CellKind.Lstm && spec.Peepholes ? Fill(3 * spec.HiddenSize) : null));
        return new NetworkWeights(spec, layers);
    }

    private static void AssertSameWeights(NetworkWeights expected, NetworkWeights actual)
    {
        Assert.Equal(expected.Layers.Count, actual.Layers.Count);
        for (int i = 0; i < expected.Layers.Count; i++)
        {
            var (e, a) = (expected.Layers[i], actual.Layers[i]);
            Assert.Equal(e.Wx, a.Wx);
            Assert.Equal(e.Wh, a.Wh);
            Assert.Equal(e.Bx, a.Bx);
            Assert.Equal(e.Bh, a.Bh);
            Assert.Equal(e.P, a.P);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Canonical_to_layout_to_canonical_is_the_identity(string layoutName, CellKind kind, bool bidi, int layers, bool variant)
    {
        var layout = WeightLayouts.Get(layoutName)!;
        var spec = Spec(kind, bidi, layers, variant);
        // Keras stores one bias (except GRU reset_after): the round trip is exact when the recurrent bias is zero.
        bool oneBias = layoutName == "keras" && !(kind == CellKind.Gru && spec.LinearBeforeReset);
        var w = Distinct(spec, zeroRecurrentBias: oneBias);
        AssertSameWeights(w, layout.Import(spec, layout.Export(w)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Layout_to_canonical_to_layout_is_the_identity_and_fills_every_slot(string layoutName, CellKind kind, bool bidi, int layers, bool variant)
    {
        var layout = WeightLayouts.Get(layoutName)!;
        var spec = Spec(kind, bidi, layers, variant);
        // Framework tensors with distinct elements, built from the slot list alone.
        int next = 1;
        var tensors = layout.Slots(spec).ToDictionary(
            s => s.Name,
            s => new WeightTensor(s.Shape, Enumerable.Range(0, s.Shape.Aggregate(1, (a, b) => a * b)).Select(_ => next++ + 0.5).ToArray()));
        var back = layout.Export(layout.Import(spec, tensors));
        Assert.Equal(tensors.Keys.Order(), back.Keys.Order());
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(t.Shape, back[name].Shape);
            Assert.Equal(t.Data, back[name].Data);
        }
    }

    [Fact]
    public void Keras_one_bias_export_adds_the_recurrent_bias_to_the_input_bias()
    {
        var spec = Spec(CellKind.Lstm, false, 1, false);
        var w = Distinct(spec, zeroRecurrentBias: false);
        var bias = KerasLayout.Instance.Export(w)["bias"].Data;
        var lw = w.Layers[0];
        Assert.Equal(lw.Bx.Zip(lw.Bh, (a, b) => a + b), bias); // LSTM keras order i,f,c,o = canonical
    }
}
