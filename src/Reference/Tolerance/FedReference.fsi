namespace RnnVerify.Reference.Tolerance

open RnnVerify.Cells
open RnnVerify.Reference
open RnnVerify.Reference.Fast

/// The reference recursion the tolerance compares against, computed with the twins' step (Twins.Step.run) over any scalar type
/// (Ball for enclosures), fed exactly as ForwardBound feeds it.
module FedReference =
    /// y [T][B][D·H], h_n and c_n [L·D][B][H] (c_n empty unless LSTM). With Feeding.ClaimedStates and claimedY given, the last
    /// layer's step t reads the implementation's own h_{t−1} from claimedY (its c_{t−1} and lower layers are the reference's own);
    /// otherwise the plain reference recursion. Same indexing conventions as ForwardBound.compute and Twins.Network.forward.
    val forward:
        s: Scalar<'T> ->
        feeding: Feeding ->
        weights: NetworkWeights ->
        timeSteps: int ->
        batch: int ->
        x: float[] ->
        seqLens: int[] ->
        h0: float[] ->
        c0: float[] ->
        claimedY: float[] ->
            'T[] * 'T[] * 'T[]

    /// forward over Ball128 with the one 128-bit step Fast.Step128.run (each layer and direction's weights prepared once per
    /// call, every gate row's pre-activation computed in place over the exact double weights by WeightRows128): the same
    /// enclosure guarantee as forward Ball128Scalar.instance, the same midpoints up to the radius-dependent branches of
    /// the activations and kinks, radii no larger per row (docs/tolerances.md, "WeightRows128"), and no operand array per
    /// gate row. The tolerance model's ball reference (ReferenceArithmetic.Ball).
    val forward128:
        feeding: Feeding ->
        weights: NetworkWeights ->
        timeSteps: int ->
        batch: int ->
        x: float[] ->
        seqLens: int[] ->
        h0: float[] ->
        c0: float[] ->
        claimedY: float[] ->
            Ball128[] * Ball128[] * Ball128[]
