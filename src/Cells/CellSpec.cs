namespace RnnVerify.Cells;

/// <summary>The recurrent cell family.</summary>
public enum CellKind
{
    /// <summary>Elman RNN: h' = f(W_x x + b_x + W_h h + b_h).</summary>
    Rnn,
    /// <summary>LSTM with forget gate; canonical gate order i, f, g, o.</summary>
    Lstm,
    /// <summary>GRU; canonical gate order r, z, n.</summary>
    Gru,
}

/// <summary>Pointwise activations a cell may use (ONNX names: Identity is ONNX "Affine" with alpha 1, beta 0).</summary>
public enum Activation
{
    /// <summary>φ(x) = x.</summary>
    Identity,
    /// <summary>φ(x) = tanh x.</summary>
    Tanh,
    /// <summary>φ(x) = 1 / (1 + e^(−x)).</summary>
    Sigmoid,
    /// <summary>φ(x) = max(0, x).</summary>
    Relu,
}

/// <summary>Which gate ONNX's <c>input_forget</c> derives from the other (runtimes read the text differently).</summary>
public enum InputForgetReading
{
    /// <summary>f = 1 − i (ONNX Runtime).</summary>
    ForgetFromInput,
    /// <summary>i = 1 − f (TensorFlow Lite CIFG).</summary>
    InputFromForget,
}

/// <summary>What ONNX's <c>clip</c> bounds.</summary>
public enum ClipReading
{
    /// <summary>Only the pre-activations of the gates and of the candidate are clipped to [−clip, clip].</summary>
    GateInputs,
    /// <summary>As <see cref="GateInputs"/>, and the cell state c_t is clipped too before h() is applied to it (and carried clipped).</summary>
    GateInputsAndCell,
}

/// <summary>What a batch entry emits at steps past its sequence length.</summary>
public enum PaddingReading
{
    /// <summary>Outputs are zero at padded steps (ONNX Runtime, PyTorch packed sequences).</summary>
    Zeros,
    /// <summary>Outputs repeat the last valid state (Keras masking).</summary>
    CarryLast,
}

/// <summary>How the outputs of the reverse direction are indexed in y.</summary>
public enum ReverseOutputOrder
{
    /// <summary>y[t] holds the reverse direction's state after reading x[t] (ONNX, PyTorch).</summary>
    TimeAligned,
    /// <summary>y[k] holds the reverse direction's k-th processed step, i.e. x[T−1−k] (Keras go_backwards).</summary>
    ProcessingOrder,
}

/// <summary>
/// Everything that fixes the mathematics of a recurrent network except its weights.
/// Shapes: x is [T][B][InputSize]; y is [T][B][Directions·HiddenSize]; h0, c0, h_n, c_n are [NumLayers·Directions][B][HiddenSize].
/// </summary>
public sealed record CellSpec
{
    /// <summary>Cell family.</summary>
    public required CellKind Kind { get; init; }
    /// <summary>Features per input step of the first layer.</summary>
    public required int InputSize { get; init; }
    /// <summary>Units per layer and direction.</summary>
    public required int HiddenSize { get; init; }
    /// <summary>Stacked layers; layer l &gt; 0 reads Directions·HiddenSize features.</summary>
    public int NumLayers { get; init; } = 1;
    /// <summary>Whether each layer also runs a reverse-time direction.</summary>
    public bool Bidirectional { get; init; }

    /// <summary>
    /// Activations in ONNX order: RNN [f], LSTM [f, g, h], GRU [f, g]; null means the defaults
    /// (RNN tanh; LSTM sigmoid, tanh, tanh; GRU sigmoid, tanh). The same list applies to both directions.
    /// </summary>
    public IReadOnlyList<Activation>? Activations { get; init; }

    /// <summary>ONNX <c>clip</c>: pre-activations are clipped to [−Clip, Clip]; null means no clipping.</summary>
    public double? Clip { get; init; }
    /// <summary>Reading of <see cref="Clip"/> where runtimes disagree.</summary>
    public ClipReading ClipReading { get; init; } = ClipReading.GateInputs;

    /// <summary>LSTM: coupled input–forget gate (ONNX <c>input_forget</c> = 1).</summary>
    public bool InputForget { get; init; }
    /// <summary>Reading of <see cref="InputForget"/> where runtimes disagree.</summary>
    public InputForgetReading InputForgetReading { get; init; } = InputForgetReading.ForgetFromInput;

    /// <summary>LSTM: peephole weights P (i, o, f in ONNX; stored canonically as i, f, o) are present.</summary>
    public bool Peepholes { get; init; }

    /// <summary>
    /// GRU: true applies the reset gate after the recurrent product, n = g(W_n x + b_xn + r ⊙ (U_n h + b_hn))
    /// (PyTorch, Keras reset_after, ONNX linear_before_reset = 1); false applies it before,
    /// n = g(W_n x + b_xn + U_n (r ⊙ h) + b_hn) (ONNX default).
    /// </summary>
    public bool LinearBeforeReset { get; init; } = true;

    /// <summary>Outputs at steps past a batch entry's sequence length.</summary>
    public PaddingReading Padding { get; init; } = PaddingReading.Zeros;
    /// <summary>Indexing of the reverse direction's outputs.</summary>
    public ReverseOutputOrder ReverseOrder { get; init; } = ReverseOutputOrder.TimeAligned;

    /// <summary>1 or 2.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Gates per cell: RNN 1, LSTM 4, GRU 3.</summary>
    public int Gates => Kind switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };

    /// <summary>Input features of layer <paramref name="layer"/>.</summary>
    public int LayerInputSize(int layer) => layer == 0 ? InputSize : Directions * HiddenSize;

    /// <summary>The activations in effect, defaults filled in.</summary>
    public IReadOnlyList<Activation> EffectiveActivations => Activations ?? Kind switch
    {
        CellKind.Lstm => [Activation.Sigmoid, Activation.Tanh, Activation.Tanh],
        CellKind.Gru => [Activation.Sigmoid, Activation.Tanh],
        _ => [Activation.Tanh],
    };
}
