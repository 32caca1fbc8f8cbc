namespace RnnVerify.Reference

open RnnVerify.Cells
open RnnVerify.Reference.Twins

/// The enclosures of one network run. Shapes: Y [T][B][D·H]; HN, CN [L·D][B][H] (CN empty unless LSTM).
[<Sealed>]
type ReferenceResult =
    /// y, the top layer's outputs (reverse direction ordered per CellSpec.ReverseOrder).
    member Y: Ball[]
    /// h_n, the final hidden state of every layer and direction.
    member HN: Ball[]
    /// c_n, the final cell state of every layer and direction (LSTM), else empty.
    member CN: Ball[]

/// The enclosures of one step of one layer and direction.
[<Sealed>]
type ReferenceStep =
    /// h_t [H].
    member H: Ball[]
    /// c_t [H] (LSTM, after the cell clip under GateInputsAndCell), else empty.
    member C: Ball[]
    /// The activated gates [G·H] in canonical order: RNN [h_t]; LSTM [i, f, g, o] (after input_forget); GRU [r, z, n].
    member Gates: Ball[]

/// Gradient enclosures for one layer and direction, in the canonical LayerWeights layout.
[<Sealed>]
type ReferenceLayerGradients =
    /// ∂/∂W_x [G·H][In].
    member Wx: Ball[]
    /// ∂/∂W_h [G·H][H].
    member Wh: Ball[]
    /// ∂/∂b_x [G·H].
    member Bx: Ball[]
    /// ∂/∂b_h [G·H].
    member Bh: Ball[]
    /// ∂/∂P [3·H] (i, f, o), null when the spec has no peepholes.
    member P: Ball[]

/// Gradient enclosures of a vector–Jacobian product or of a loss.
[<Sealed>]
type ReferenceGradients =
    /// The forward enclosures of the same run.
    member Outputs: ReferenceResult
    /// The loss L (LossGradient only; null for Backward).
    member Loss: Ball
    /// ∂/∂x [T][B][InputSize].
    member DX: Ball[]
    /// ∂/∂h0 [L·D][B][H].
    member DH0: Ball[]
    /// ∂/∂c0 [L·D][B][H] (LSTM), else empty.
    member DC0: Ball[]
    /// ∂/∂weights, index layer·D + direction.
    member Layers: ReferenceLayerGradients[]
    /// ∂/∂W_y [O][D·H] (LossGradient only; empty for Backward).
    member OutputWy: Ball[]
    /// ∂/∂b_y [O] (LossGradient only; empty for Backward).
    member OutputBy: Ball[]

/// The high-precision twins for C# callers: every tensor is an enclosure (Ball) of the exact real result of the same
/// mathematics as RnnVerify.Cells.Network, computed in ball arithmetic at precisionBits (128 is a good default; ≥ 53).
/// Shapes are sequence-first and flattened row-major: x [T][B][In]; y [T][B][D·H]; h0, c0, h_n, c_n [L·D][B][H].
/// Null seqLens means every entry has length T; null h0/c0 mean zeros. Invalid sizes throw ArgumentException naming the argument.
[<AbstractClass; Sealed>]
type ReferenceNetwork =
    /// Encloses y, h_n, c_n of the network (docs/reference-cells.md; Network.forward).
    static member Forward:
        weights: NetworkWeights * timeSteps: int * batch: int * x: float[] * seqLens: int[] * h0: float[] * c0: float[] * precisionBits: int ->
            ReferenceResult

    /// Encloses one step of layer `layer` (which fixes the input size) with weights w: h_t, c_t and the gates from x_t [In],
    /// h_{t−1} [H] and c_{t−1} [H] (LSTM; null or empty otherwise).
    static member Step:
        spec: CellSpec * layer: int * weights: LayerWeights * x: float[] * hPrev: float[] * cPrev: float[] * precisionBits: int ->
            ReferenceStep

    /// As Step with ball inputs (for feeding enclosures from an earlier step).
    static member Step:
        spec: CellSpec * layer: int * weights: LayerWeights * x: Ball[] * hPrev: Ball[] * cPrev: Ball[] * precisionBits: int ->
            ReferenceStep

    /// Backpropagation through time as a vector–Jacobian product: encloses the gradients of ⟨dy, y⟩ + ⟨dhN, h_n⟩ + ⟨dcN, c_n⟩
    /// with respect to x, h0, c0 and every weight (null or empty dy/dhN/dcN mean 0). window > 0: truncated BPTT, the carried
    /// state is cut before every processed step that is a positive multiple of window; 0: full BPTT.
    static member Backward:
        weights: NetworkWeights * timeSteps: int * batch: int * x: float[] * seqLens: int[] * h0: float[] * c0: float[] *
        dy: float[] * dhN: float[] * dcN: float[] * window: int * precisionBits: int -> ReferenceGradients

    /// The time-synchronous loss L = Σ_b Σ_{t &lt; seqLens[b]} div(ψ(W_y y_tb + b_y), target_tb) and its gradient enclosures.
    /// wy [O][D·H], by [O], targets [T][B][O]; div ½‖o − τ‖² (SquaredError) or −Σ τ_k ln softmax(o)_k (SoftmaxCrossEntropy).
    static member LossGradient:
        weights: NetworkWeights * outputSize: int * wy: float[] * by: float[] * psi: Activation * divergence: Divergence *
        timeSteps: int * batch: int * x: float[] * seqLens: int[] * h0: float[] * c0: float[] * targets: float[] * window: int *
        precisionBits: int -> ReferenceGradients

    /// The midpoints rounded to nearest double (estimates; no guarantee about the enclosed real).
    static member Midpoints: balls: Ball[] -> float[]

    /// The radii rounded up to doubles: the exact value lies within Radii[i] of the exact midpoint.
    static member Radii: balls: Ball[] -> float[]

    /// The correctly rounded (to nearest) doubles of the enclosed reals; InvalidOperationException naming the first element
    /// whose ball straddles a rounding boundary (recompute at a higher precision).
    static member ToDoubles: balls: Ball[] -> float[]

    /// As ToDoubles for float32.
    static member ToSingles: balls: Ball[] -> float32[]
