using RnnVerify.Cells;

namespace RnnVerify.Verify.Golden;

/// <summary>
/// One golden vector's definition: a network shape and options, stored in a layout, with the inputs it is run on.
/// The numbers (weights, inputs, upstream gradients) are drawn by <see cref="GoldenVectors.Build"/> from the seed.
/// </summary>
/// <param name="Name">File stem, e.g. <c>lstm_onnx_clip</c>; the files are <c>NAME.float32.json</c> and <c>NAME.float64.json</c>.</param>
/// <param name="Layout"><c>pytorch</c>, <c>onnx</c> or <c>keras</c>.</param>
/// <param name="Spec">The mathematics (cell, sizes, options, named readings).</param>
/// <param name="Steps">Sequence length T.</param>
/// <param name="Batch">Batch size B.</param>
/// <param name="InitialState">Whether h0 (and c0) are given; otherwise they are zeros and absent from the file.</param>
/// <param name="SeqLens">Valid steps per batch entry (each in 1..T), or null for all T.</param>
/// <param name="Covers">What the vector is there for, in a few words (the index lists it).</param>
public sealed record GoldenCase(string Name, string Layout, CellSpec Spec, int Steps, int Batch, bool InitialState, int[]? SeqLens, string Covers);

/// <summary>
/// The covering set of golden vectors: every cell in every layout, forward and bidirectional, one and two layers, with and
/// without initial states and sequence lengths, and every option at least once in every layout that has it — ONNX clip
/// (both readings), input_forget (both readings), peepholes, linear_before_reset 0 and 1, non-default activations;
/// PyTorch rnn_tanh/rnn_relu; Keras reset_after true and false, activation relu, masking (carry_last) and go_backwards
/// ordering (processing_order). Sizes stay small (I, H ≤ 4, T ≤ 5, B ≤ 2) and H ≥ 2, so that a transposed recurrent
/// matrix is a different matrix.
/// </summary>
public static class GoldenSet
{
    /// <summary>The clip threshold of the clipping vectors: small enough that gate pre-activations and c_t exceed it.</summary>
    public const double Clip = 0.25;

    private static CellSpec Lstm(int i, int h, int layers = 1, bool bidi = false) =>
        new() { Kind = CellKind.Lstm, InputSize = i, HiddenSize = h, NumLayers = layers, Bidirectional = bidi };

    private static CellSpec Gru(int i, int h, bool lbr, int layers = 1, bool bidi = false) =>
        new() { Kind = CellKind.Gru, InputSize = i, HiddenSize = h, NumLayers = layers, Bidirectional = bidi, LinearBeforeReset = lbr };

    private static CellSpec Rnn(int i, int h, Activation f, int layers = 1, bool bidi = false) =>
        new() { Kind = CellKind.Rnn, InputSize = i, HiddenSize = h, NumLayers = layers, Bidirectional = bidi, Activations = [f] };

    /// <summary>Every golden vector, in index order.</summary>
    public static IReadOnlyList<GoldenCase> Cases { get; } =
    [
        // PyTorch: nn.LSTM / nn.GRU / nn.RNN(nonlinearity) state_dict names; GRU is always linear_before_reset = 1.
        new("lstm_pytorch", "pytorch", Lstm(3, 3), 5, 2, true, null, "LSTM, initial states"),
        new("lstm_pytorch_bidir_2layers", "pytorch", Lstm(2, 2, 2, true), 4, 2, false, null, "LSTM, bidirectional, 2 layers, zero initial states"),
        new("lstm_pytorch_seqlens", "pytorch", Lstm(3, 2), 5, 2, true, [5, 3], "LSTM, sequence lengths (zeros at padded steps)"),
        new("gru_pytorch", "pytorch", Gru(3, 3, true), 5, 2, true, null, "GRU (reset after the recurrent product), initial state"),
        new("gru_pytorch_bidir_2layers_seqlens", "pytorch", Gru(2, 2, true, 2, true), 4, 2, true, [2, 4], "GRU, bidirectional, 2 layers, sequence lengths"),
        new("rnn_tanh_pytorch", "pytorch", Rnn(3, 4, Activation.Tanh), 5, 2, true, null, "Elman tanh, initial state"),
        new("rnn_relu_pytorch_bidir", "pytorch", Rnn(2, 3, Activation.Relu, 1, true), 4, 2, true, null, "Elman relu, bidirectional"),
        new("rnn_tanh_pytorch_2layers_seqlens", "pytorch", Rnn(3, 2, Activation.Tanh, 2), 5, 2, false, [4, 5], "Elman tanh, 2 layers, sequence lengths"),

        // ONNX: W, R, B, P; every ONNX attribute.
        new("lstm_onnx", "onnx", Lstm(3, 3), 5, 2, true, null, "LSTM, initial states"),
        new("lstm_onnx_peepholes", "onnx", Lstm(2, 3) with { Peepholes = true }, 5, 2, true, null, "LSTM, peepholes P"),
        new("lstm_onnx_clip", "onnx", Lstm(3, 2) with { Clip = Clip }, 5, 2, true, null, "LSTM, clip (gate inputs only: ONNX Runtime's reading)"),
        new("lstm_onnx_clip_cell", "onnx", Lstm(3, 2) with { Clip = Clip, ClipReading = ClipReading.GateInputsAndCell }, 5, 2, true, null,
            "LSTM, clip, clip_reading gate_inputs_and_cell (c_t clipped too)"),
        new("lstm_onnx_input_forget", "onnx", Lstm(3, 2) with { InputForget = true }, 5, 2, true, null, "LSTM, input_forget (f = 1 - i: ONNX Runtime's reading)"),
        new("lstm_onnx_input_forget_tflite", "onnx", Lstm(3, 2) with { InputForget = true, InputForgetReading = InputForgetReading.InputFromForget }, 5, 2, true, null,
            "LSTM, input_forget, input_forget_reading input_from_forget (i = 1 - f: TFLite CIFG)"),
        new("lstm_onnx_activations", "onnx", Lstm(3, 3) with { Activations = [Activation.Sigmoid, Activation.Relu, Activation.Identity] }, 4, 2, true, null,
            "LSTM, activations Sigmoid, Relu, Identity (Affine 1, 0)"),
        new("lstm_onnx_bidir_2layers_seqlens_peepholes", "onnx", Lstm(2, 2, 2, true) with { Peepholes = true }, 4, 2, true, [3, 4],
            "LSTM, bidirectional, 2 layers, sequence lengths, peepholes"),
        new("lstm_onnx_batch1_zero_state", "onnx", Lstm(4, 2), 3, 1, false, null, "LSTM, batch 1, no initial states"),
        new("gru_onnx", "onnx", Gru(3, 3, false), 5, 2, true, null, "GRU, linear_before_reset 0 (ONNX default)"),
        new("gru_onnx_lbr1", "onnx", Gru(3, 3, true), 5, 2, true, null, "GRU, linear_before_reset 1"),
        new("gru_onnx_activations", "onnx", Gru(3, 2, false) with { Activations = [Activation.Sigmoid, Activation.Relu] }, 4, 2, true, null,
            "GRU, activations Sigmoid, Relu"),
        new("gru_onnx_clip", "onnx", Gru(3, 2, true) with { Clip = Clip }, 5, 2, true, null, "GRU, clip, linear_before_reset 1"),
        new("gru_onnx_bidir_2layers_seqlens", "onnx", Gru(2, 2, false, 2, true), 4, 2, false, [4, 2], "GRU, bidirectional, 2 layers, sequence lengths, zero initial states"),
        new("rnn_tanh_onnx", "onnx", Rnn(3, 4, Activation.Tanh), 5, 2, true, null, "Elman tanh, initial state"),
        new("rnn_relu_onnx_bidir_seqlens", "onnx", Rnn(2, 3, Activation.Relu, 1, true), 5, 2, true, [3, 5], "Elman relu, bidirectional, sequence lengths"),
        new("rnn_onnx_sigmoid", "onnx", Rnn(3, 2, Activation.Sigmoid), 4, 2, true, null, "Elman, activations Sigmoid"),
        new("rnn_tanh_onnx_clip_2layers", "onnx", Rnn(2, 3, Activation.Tanh, 2) with { Clip = Clip }, 4, 2, true, null, "Elman tanh, clip, 2 layers"),

        // Keras: kernel, recurrent_kernel, bias (one bias except GRU reset_after); masking and go_backwards readings.
        new("lstm_keras", "keras", Lstm(3, 3), 5, 2, true, null, "LSTM, initial states (single bias)"),
        new("lstm_keras_relu", "keras", Lstm(3, 2) with { Activations = [Activation.Sigmoid, Activation.Relu, Activation.Relu] }, 4, 2, true, null,
            "LSTM, activation relu (Keras activation= applies to g and h)"),
        new("lstm_keras_bidir_processing_order", "keras", Lstm(2, 2, 1, true) with { ReverseOrder = ReverseOutputOrder.ProcessingOrder }, 4, 2, true, null,
            "LSTM, bidirectional, reverse_order processing_order (go_backwards output order)"),
        new("lstm_keras_masking", "keras", Lstm(3, 2) with { Padding = PaddingReading.CarryLast }, 5, 2, true, [3, 5], "LSTM, sequence lengths, padding carry_last (masking)"),
        new("gru_keras", "keras", Gru(3, 3, true), 5, 2, true, null, "GRU, reset_after true (bias [2][3H])"),
        new("gru_keras_reset_before", "keras", Gru(3, 2, false), 3, 2, true, null, "GRU, reset_after false (single bias)"),
        new("gru_keras_bidir_2layers_masking", "keras", Gru(2, 2, true, 2, true) with { Padding = PaddingReading.CarryLast }, 4, 2, true, [2, 4],
            "GRU, bidirectional, 2 layers, sequence lengths, padding carry_last"),
        new("rnn_tanh_keras", "keras", Rnn(3, 3, Activation.Tanh), 5, 1, true, null, "SimpleRNN tanh, batch 1"),
        new("rnn_relu_keras_bidir_masking_processing_order", "keras",
            Rnn(2, 2, Activation.Relu, 1, true) with { Padding = PaddingReading.CarryLast, ReverseOrder = ReverseOutputOrder.ProcessingOrder }, 4, 2, true, [3, 4],
            "SimpleRNN relu, bidirectional, sequence lengths, carry_last, processing_order"),
        new("rnn_tanh_keras_2layers", "keras", Rnn(3, 2, Activation.Tanh, 2), 4, 2, false, null, "SimpleRNN tanh, 2 layers, zero initial states"),
    ];
}
