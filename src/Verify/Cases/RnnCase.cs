using RnnVerify.Cells;

namespace RnnVerify.Verify.Cases;

/// <summary>
/// The results an implementation claims for a case (any field may be absent; what is present is checked).
/// Shapes: Y [T][B][D·H]; HN, CN [L·D][B][H].
/// </summary>
public sealed record Claimed
{
    /// <summary>Outputs of the last layer, [T][B][D·H].</summary>
    public Tensor? Y { get; init; }
    /// <summary>Final hidden states, [L·D][B][H].</summary>
    public Tensor? HN { get; init; }
    /// <summary>Final cell states (LSTM), [L·D][B][H].</summary>
    public Tensor? CN { get; init; }
    /// <summary>Gradients: the vector–Jacobian product with <see cref="ClaimedGrad.Dy"/> (and dh_n, dc_n).</summary>
    public ClaimedGrad? Grad { get; init; }
}

/// <summary>
/// Upstream gradients and the claimed vector–Jacobian products: with L = ⟨dy, y⟩ + ⟨dh_n, h_n⟩ + ⟨dc_n, c_n⟩,
/// X = ∂L/∂x [T][B][I], H0 = ∂L/∂h0, C0 = ∂L/∂c0 [L·D][B][H], Weights[name] = ∂L/∂(weight name) in the case's layout.
/// </summary>
public sealed record ClaimedGrad
{
    /// <summary>Upstream gradient on y, [T][B][D·H] (required when grad is present).</summary>
    public required Tensor Dy { get; init; }
    /// <summary>Upstream gradient on h_n, [L·D][B][H]; absent means zero.</summary>
    public Tensor? DhN { get; init; }
    /// <summary>Upstream gradient on c_n (LSTM), [L·D][B][H]; absent means zero.</summary>
    public Tensor? DcN { get; init; }
    /// <summary>Claimed ∂L/∂x.</summary>
    public Tensor? X { get; init; }
    /// <summary>Claimed ∂L/∂h0.</summary>
    public Tensor? H0 { get; init; }
    /// <summary>Claimed ∂L/∂c0.</summary>
    public Tensor? C0 { get; init; }
    /// <summary>Claimed ∂L/∂w per weight, named and shaped as in the case's layout.</summary>
    public IReadOnlyDictionary<string, Tensor> Weights { get; init; } = new Dictionary<string, Tensor>();
}

/// <summary>
/// A validated <c>rnnverify-case/1</c> case: the network (<see cref="Spec"/>, <see cref="Weights"/>), the inputs and the
/// claimed results. Sequence-first shapes for every layout: x [T][B][I], h0/c0 [L·D][B][H].
/// </summary>
public sealed record RnnCase
{
    /// <summary>The format tag every case carries.</summary>
    public const string FormatTag = "rnnverify-case/1";

    /// <summary>Cell name as in the file: <c>lstm</c>, <c>gru</c>, <c>rnn_tanh</c>, <c>rnn_relu</c>.</summary>
    public required string Cell { get; init; }
    /// <summary>Layout name: <c>pytorch</c>, <c>onnx</c>, <c>keras</c>.</summary>
    public required string Layout { get; init; }
    /// <summary>The attributes as written in the file (kept for writing the case back).</summary>
    public IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?> Attributes { get; init; } = new Dictionary<string, System.Text.Json.Nodes.JsonNode?>();
    /// <summary>The mathematics: cell kind, sizes, options and named variants.</summary>
    public required CellSpec Spec { get; init; }
    /// <summary>The precision the implementation computed in.</summary>
    public required Dtype Dtype { get; init; }
    /// <summary>The weights as the layout names them (exactly the layout's slots).</summary>
    public required IReadOnlyDictionary<string, Tensor> LayoutWeights { get; init; }
    /// <summary>The same weights in the canonical layout.</summary>
    public required NetworkWeights Weights { get; init; }
    /// <summary>Inputs, [T][B][I].</summary>
    public required Tensor X { get; init; }
    /// <summary>Valid steps per batch entry (each in 0..T), or null for all T.</summary>
    public int[]? SeqLens { get; init; }
    /// <summary>Initial hidden state [L·D][B][H], or null for zeros.</summary>
    public Tensor? H0 { get; init; }
    /// <summary>Initial cell state [L·D][B][H] (LSTM), or null for zeros.</summary>
    public Tensor? C0 { get; init; }
    /// <summary>The implementation's claimed results.</summary>
    public Claimed Claimed { get; init; } = new();

    /// <summary>Sequence length T.</summary>
    public int T => X.Shape[0];
    /// <summary>Batch size B.</summary>
    public int Batch => X.Shape[1];
}
