namespace RnnVerify.Reference.Fast

open RnnVerify.Cells
open RnnVerify.Reference.Twins

/// One layer and direction's weights prepared for Step128.run: lifted into Ball128 (exact) for the peepholes and the GRU's
/// split n rows, and as the gate rows [W_x[row], W_h[row], b_x[row], b_h[row]] (G·H rows of length In + H + 2) for
/// WeightRows128.dotPrepared.
[<Sealed>]
type Layer128 =
    /// The weights lifted into Ball128 (radius 0), in the canonical layout of LayerParams.
    member Params: LayerParams<Ball128>
    /// The gate rows over the exact double weights.
    member Rows: WeightRows128

/// The twins' step (Twins.Step.runWith) in the fixed-width 128-bit ball, with every gate row's pre-activation
/// a[row] = [W_x[row], W_h[row], b_x[row], b_h[row]]·[x, h_{t−1}, 1, 1] computed in place by WeightRows128 (the same midpoint
/// as Ball128.dot, a radius Σ|w|·r no larger): the one 128-bit step of ReferenceNetwork.Step, ReferenceNetwork.Forward at
/// 128 bits and the tolerance model's ball reference (Tolerance.FedReference.forward128).
module Step128 =
    /// The weights of layer (0-based) of spec, checked against spec's sizes as Step.lift checks them (ArgumentException
    /// naming the array and the sizes otherwise) and prepared once for every step that uses them.
    val prepare: spec: CellSpec -> layer: int -> w: LayerWeights -> Layer128

    /// One step (Twins.Step.run's mathematics for every cell kind and option: peepholes, input_forget, clip and its readings,
    /// activations, GRU linear_before_reset both readings): x [In], hPrev [H], cPrev [H] for LSTM (ignored otherwise).
    /// The operand vector [x, h_{t−1}, 1, 1] is split once per call (WeightRows128.prepare) for all G·H rows; the GRU's n rows
    /// (W_x x + b_x and W_h h + b_h, or U_n(r⊙h) + b_hn, taken apart) go through Ball128.dot as in Step.run.
    val run: spec: CellSpec -> layer: Layer128 -> x: Ball128[] -> hPrev: Ball128[] -> cPrev: Ball128[] -> StepResult<Ball128>
