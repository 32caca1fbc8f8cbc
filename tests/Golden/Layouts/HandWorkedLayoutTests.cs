using RnnVerify.Cells;
using RnnVerify.Cells.Layouts;
using Xunit;

namespace RnnVerify.Golden.Layouts;

/// <summary>
/// Small cases worked by hand: gates are numbered in canonical order (LSTM i=1, f=2, g=3, o=4; GRU r=1, z=2, n=3)
/// and the expected framework tensors are written out from each framework's documentation, not computed.
/// </summary>
public class HandWorkedLayoutTests
{
    private static CellSpec Lstm1(bool peep = false) => new() { Kind = CellKind.Lstm, InputSize = 1, HiddenSize = 1, Peepholes = peep };

    /// <summary>1-unit LSTM: input weight of gate k is k, recurrent 10k, input bias 100k, recurrent bias 1000k; peepholes i=7, f=8, o=9.</summary>
    private static NetworkWeights NumberedLstm(bool peep = false) => new(Lstm1(peep),
        [new LayerWeights([1, 2, 3, 4], [10, 20, 30, 40], [100, 200, 300, 400], [1000, 2000, 3000, 4000], peep ? [7, 8, 9] : null)]);

    [Fact]
    public void Onnx_lstm_rows_are_i_o_f_c_and_peepholes_i_o_f()
    {
        var t = OnnxLayout.Instance.Export(NumberedLstm(peep: true));
        // ONNX row 0 = i (1), row 1 = o (4), row 2 = f (2), row 3 = c (= g, 3).
        Assert.Equal(new[] { 1, 4, 1 }, t["W"].Shape);
        Assert.Equal(new double[] { 1, 4, 2, 3 }, t["W"].Data);
        Assert.Equal(new double[] { 10, 40, 20, 30 }, t["R"].Data);
        Assert.Equal(new[] { 1, 8 }, t["B"].Shape);
        Assert.Equal(new double[] { 100, 400, 200, 300, 1000, 4000, 2000, 3000 }, t["B"].Data);
        Assert.Equal(new double[] { 7, 9, 8 }, t["P"].Data);
    }

    [Fact]
    public void Pytorch_lstm_is_the_canonical_order()
    {
        var t = PyTorchLayout.Instance.Export(NumberedLstm());
        Assert.Equal(new double[] { 1, 2, 3, 4 }, t["weight_ih_l0"].Data);
        Assert.Equal(new double[] { 10, 20, 30, 40 }, t["weight_hh_l0"].Data);
        Assert.Equal(new double[] { 100, 200, 300, 400 }, t["bias_ih_l0"].Data);
        Assert.Equal(new double[] { 1000, 2000, 3000, 4000 }, t["bias_hh_l0"].Data);
    }

    [Fact]
    public void Keras_lstm_is_i_f_c_o_with_biases_summed()
    {
        var t = KerasLayout.Instance.Export(NumberedLstm());
        Assert.Equal(new[] { 1, 4 }, t["kernel"].Shape);
        Assert.Equal(new double[] { 1, 2, 3, 4 }, t["kernel"].Data);
        Assert.Equal(new double[] { 1100, 2200, 3300, 4400 }, t["bias"].Data);
    }

    [Fact]
    public void Keras_kernel_is_the_transpose_with_gate_columns()
    {
        // 2 inputs, 1 unit, RNN: PyTorch weight_ih [1][2] = (5, 6); Keras kernel [2][1] = ((5), (6)).
        // 1 input, 2 units, GRU: canonical rows r0 r1 z0 z1 n0 n1 = 1..6; Keras kernel [1][6] columns z0 z1 r0 r1 n0 n1.
        var gru = new CellSpec { Kind = CellKind.Gru, InputSize = 1, HiddenSize = 2 };
        var w = new NetworkWeights(gru, [new LayerWeights([1, 2, 3, 4, 5, 6], new double[12], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], null)]);
        var t = KerasLayout.Instance.Export(w);
        Assert.Equal(new[] { 1, 6 }, t["kernel"].Shape);
        Assert.Equal(new double[] { 3, 4, 1, 2, 5, 6 }, t["kernel"].Data);
        Assert.Equal(new[] { 2, 6 }, t["bias"].Shape); // reset_after: [input; recurrent]

        var rnn = new CellSpec { Kind = CellKind.Rnn, InputSize = 2, HiddenSize = 2 };
        // canonical Wx rows: unit0 = (1, 2), unit1 = (3, 4); Keras kernel[input][unit] = ((1, 3), (2, 4)).
        var wr = new NetworkWeights(rnn, [new LayerWeights([1, 2, 3, 4], [5, 6, 7, 8], [0, 0], [0, 0], null)]);
        var tr = KerasLayout.Instance.Export(wr);
        Assert.Equal(new double[] { 1, 3, 2, 4 }, tr["kernel"].Data);
        Assert.Equal(new double[] { 5, 7, 6, 8 }, tr["recurrent_kernel"].Data);
    }

    [Fact]
    public void Onnx_gru_rows_are_z_r_h_and_bidirectional_stacks_directions()
    {
        var spec = new CellSpec { Kind = CellKind.Gru, InputSize = 1, HiddenSize = 1, Bidirectional = true };
        var w = new NetworkWeights(spec, [
            new LayerWeights([1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12], null),
            new LayerWeights([21, 22, 23], [24, 25, 26], [27, 28, 29], [30, 31, 32], null)]);
        var t = OnnxLayout.Instance.Export(w);
        Assert.Equal(new[] { 2, 3, 1 }, t["W"].Shape);
        Assert.Equal(new double[] { 2, 1, 3, 22, 21, 23 }, t["W"].Data);
        Assert.Equal(new double[] { 5, 4, 6, 25, 24, 26 }, t["R"].Data);
        Assert.Equal(new double[] { 8, 7, 9, 11, 10, 12, 28, 27, 29, 31, 30, 32 }, t["B"].Data);
        var p = PyTorchLayout.Instance.Export(w);
        Assert.Equal(new double[] { 21, 22, 23 }, p["weight_ih_l0_reverse"].Data);
    }

    [Fact]
    public void Stacked_layers_get_layer_suffixes_and_the_wider_input()
    {
        var spec = new CellSpec { Kind = CellKind.Rnn, InputSize = 3, HiddenSize = 2, NumLayers = 2, Bidirectional = true };
        var onnx = OnnxLayout.Instance.Slots(spec).ToDictionary(s => s.Name, s => s.Shape);
        Assert.Equal(new[] { 2, 2, 3 }, onnx["W"]);
        Assert.Equal(new[] { 2, 2, 4 }, onnx["W_l1"]);
        var pt = PyTorchLayout.Instance.Slots(spec).ToDictionary(s => s.Name, s => s.Shape);
        Assert.Equal(new[] { 2, 4 }, pt["weight_ih_l1_reverse"]);
        var keras = KerasLayout.Instance.Slots(spec).ToDictionary(s => s.Name, s => s.Shape);
        Assert.Equal(new[] { 4, 2 }, keras["kernel_l1_reverse"]);
        Assert.Equal(new[] { 3, 2 }, keras["kernel"]);
    }

    [Fact]
    public void A_wrong_axis_is_named_with_its_meaning_and_expected_length()
    {
        var spec = Lstm1();
        var t = new Dictionary<string, WeightTensor>(OnnxLayout.Instance.Export(NumberedLstm()))
        {
            ["R"] = new WeightTensor([1, 3, 1], [1, 2, 3]),
        };
        var e = Assert.Throws<LayoutException>(() => OnnxLayout.Instance.Import(spec, t));
        Assert.Equal("R", e.Field);
        Assert.Equal("weight 'R' axis 1 (4·hidden_size) has length 3, expected 4", e.Message);
    }

    [Fact]
    public void A_missing_or_unexpected_weight_is_named()
    {
        var spec = Lstm1();
        var t = new Dictionary<string, WeightTensor>(PyTorchLayout.Instance.Export(NumberedLstm()));
        t.Remove("bias_hh_l0");
        var e = Assert.Throws<LayoutException>(() => PyTorchLayout.Instance.Import(spec, t));
        Assert.Equal("bias_hh_l0", e.Field);
        Assert.StartsWith("missing weight 'bias_hh_l0'", e.Message, StringComparison.Ordinal);

        t["bias_hh_l0"] = new WeightTensor([4], new double[4]);
        t["bias_hh_l1"] = new WeightTensor([4], new double[4]);
        e = Assert.Throws<LayoutException>(() => PyTorchLayout.Instance.Import(spec, t));
        Assert.Equal("bias_hh_l1", e.Field);
    }

    [Fact]
    public void Peepholes_are_rejected_where_the_framework_has_none()
    {
        Assert.Throws<LayoutException>(() => PyTorchLayout.Instance.Export(NumberedLstm(peep: true)));
        Assert.Throws<LayoutException>(() => KerasLayout.Instance.Slots(Lstm1(peep: true)));
    }
}
