namespace RnnVerify.Reference.Tolerance

open RnnVerify.Cells

/// How the reference values are computed.
type ReferenceArithmetic =
    /// Binary64 evaluation of the same fed recursion; radius = the float64 model's own allowance (valid under the model, fast,
    /// decisive for float32 claims).
    | Binary64 = 0
    /// Ball arithmetic at 128 bits through the twins' step (Twins.Step.run over BallScalar): a rigorous enclosure, needed to
    /// judge float64 claims tightly.
    | Ball = 1

/// Per element of one claimed tensor: the reference value with its enclosure radius and the allowed error of a correct
/// implementation. An element passes when |claimed − Reference| ≤ Allowed + ReferenceRadius.
[<Sealed>]
type ElementTolerance =
    /// Reference value (midpoint), row-major in the tensor's shape.
    member Reference: float[]
    /// Radius of the reference enclosure: the exact value lies in [Reference − ReferenceRadius, Reference + ReferenceRadius].
    member ReferenceRadius: float[]
    /// Allowed |claimed − exact| for a correct implementation in the claimed format: safety factor × derived bound.
    member Allowed: float[]
    /// true where the bound is local (the step was fed the implementation's own previous state).
    member Local: bool[]
    /// Number of elements.
    member Length: int
    /// max(0, |claimed − Reference| − ReferenceRadius) ÷ Allowed: the element passes iff the ratio is ≤ 1.
    /// NaN or ±∞ claimed gives +∞; an allowed error of 0 gives 0 for an exact match and +∞ otherwise.
    member Ratio: index: int * claimed: float -> float
    /// true iff Ratio(index, claimed) ≤ 1.
    member Passes: index: int * claimed: float -> bool
    /// The largest Ratio over the tensor and the index where it occurs (−1 for an empty tensor); claimed has Length elements.
    member Worst: claimed: float[] -> struct (float * int)

/// Forward tolerances of a whole network: y [T][B][D·H], h_n and c_n [L·D][B][H] (c_n empty unless LSTM).
[<Sealed>]
type ForwardTolerance =
    /// Output sequence.
    member Y: ElementTolerance
    /// Final hidden states.
    member HN: ElementTolerance
    /// Final cell states (LSTM), else empty.
    member CN: ElementTolerance

/// Gradient tolerances of one layer and direction, in the LayerWeights layout (P empty when absent).
[<Sealed>]
type LayerGradientTolerance =
    /// ∂L/∂W_x, [G·H][In].
    member Wx: ElementTolerance
    /// ∂L/∂W_h, [G·H][H].
    member Wh: ElementTolerance
    /// ∂L/∂b_x, [G·H].
    member Bx: ElementTolerance
    /// ∂L/∂b_h, [G·H].
    member Bh: ElementTolerance
    /// ∂L/∂P, [3·H] (i, f, o), or empty.
    member P: ElementTolerance

/// Tolerances of the vector–Jacobian product (the gradients PyTorch's backward(dy) returns).
[<Sealed>]
type GradientTolerance =
    /// ∂L/∂x, [T][B][In].
    member X: ElementTolerance
    /// ∂L/∂h0, [L·D][B][H].
    member H0: ElementTolerance
    /// ∂L/∂c0, [L·D][B][H] (LSTM), else empty.
    member C0: ElementTolerance
    /// Per layer·Directions + direction.
    member Weights: LayerGradientTolerance[]

/// The tolerance model for C# callers (the oracle, the tests): reference value and allowed error per element of claimed tensors.
[<AbstractClass; Sealed>]
type ToleranceModel =
    /// Forward tolerances for a claim computed in `dtype`, with the standard rounding model (RoundingModel.standard) and the
    /// last layer fed the implementation's own states from claimedY (Feeding.ClaimedStates; reference states when claimedY is null).
    /// Shapes: x [T][B][In]; seqLens [B] or null; h0, c0 [L·D][B][H] or null; claimedY [T][B][D·H] or null.
    /// The reference is the ball enclosure of the same fed recursion at 128 bits (ReferenceArithmetic.Ball): Reference its
    /// midpoint rounded to binary64, ReferenceRadius its radius plus that rounding, rounded up.
    static member Forward:
        weights: NetworkWeights * timeSteps: int * batch: int * x: float[] * seqLens: int[] * h0: float[] * c0: float[] *
        claimedY: float[] * dtype: ClaimedDtype -> ForwardTolerance
    /// As Forward with an explicit rounding model and feeding (reference: ReferenceArithmetic.Ball).
    static member Forward:
        weights: NetworkWeights * timeSteps: int * batch: int * x: float[] * seqLens: int[] * h0: float[] * c0: float[] *
        claimedY: float[] * model: RoundingModel * feeding: Feeding -> ForwardTolerance
    /// As Forward with an explicit rounding model, feeding and reference arithmetic.
    static member Forward:
        weights: NetworkWeights * timeSteps: int * batch: int * x: float[] * seqLens: int[] * h0: float[] * c0: float[] *
        claimedY: float[] * model: RoundingModel * feeding: Feeding * reference: ReferenceArithmetic -> ForwardTolerance
    /// Gradient tolerances for the vector–Jacobian product with upstream dy [T][B][D·H], dhN, dcN [L·D][B][H] (null: zero),
    /// along the same trajectory as Forward (fed with claimedY when given). The reference is the binary64 reverse accumulation
    /// with the float64 model's allowance as radius (ReferenceArithmetic.Binary64; a ball reference along the fed trajectory is
    /// not implemented for gradients).
    static member Backward:
        weights: NetworkWeights * timeSteps: int * batch: int * x: float[] * seqLens: int[] * h0: float[] * c0: float[] *
        claimedY: float[] * dy: float[] * dhN: float[] * dcN: float[] * dtype: ClaimedDtype -> GradientTolerance
    /// As Backward with an explicit rounding model and feeding.
    static member Backward:
        weights: NetworkWeights * timeSteps: int * batch: int * x: float[] * seqLens: int[] * h0: float[] * c0: float[] *
        claimedY: float[] * dy: float[] * dhN: float[] * dcN: float[] * model: RoundingModel * feeding: Feeding -> GradientTolerance
