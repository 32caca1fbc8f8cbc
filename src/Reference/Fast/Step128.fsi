namespace RnnVerify.Reference.Fast

open RnnVerify.Cells
open RnnVerify.Reference.Twins

/// One layer and direction's weights prepared for Step128.run: lifted into Ball128 (exact) for the peepholes, as the gate
/// rows [W_x[row], W_h[row], b_x[row], b_h[row]] (G·H rows of length In + H + 2) for WeightRows128.dotPrepared, and for a GRU
/// its n rows split into [W_x[row], b_x[row]] and [W_h[row], b_h[row]] (H rows each).
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
    /// Every row dot (Step.RowDots) is WeightRows128.dotPrepared over the exact weights, each operand vector split once per
    /// call for all its rows: [x, h_{t−1}, 1, 1] for the G·H gate rows, and for the GRU's n rows [x, 1] and [h_{t−1}, 1]
    /// (LinearBeforeReset) or [r⊙h_{t−1}, 1]. No option falls back to the generic path.
    val run: spec: CellSpec -> layer: Layer128 -> x: Ball128[] -> hPrev: Ball128[] -> cPrev: Ball128[] -> StepResult<Ball128>
