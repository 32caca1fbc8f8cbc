namespace RnnVerify.Reference.Tolerance

open RnnVerify.Cells

/// Per element of one tensor: the binary64 value of the reference recursion and the derived bound (before the safety factor)
/// on what a correct implementation may differ from the exact value.
type TensorBound =
    { /// Binary64 evaluation of the exact formula on the reference's inputs (row-major, the tensor's shape).
      Value: float[]
      /// Bound on |claimed − exact| for a correct implementation (no safety factor applied).
      Error: float[]
      /// Per element, true when the bound was derived with the implementation's own previous state fed to the step (local check),
      /// false when the error was propagated through the recursion (global check).
      Local: bool[] }

/// Which states the recursion is fed with.
type Feeding =
    /// The last layer's step t is fed the implementation's own h_{t−1} (read from the claimed y): the bound is per step and does
    /// not grow with the sequence. Lower layers (whose outputs are not claimed) and the LSTM cell state are propagated.
    | ClaimedStates = 0
    /// Every step is fed the reference's own previous state; the bound propagates e_t ≤ |∂h_t/∂h_{t−1}|·e_{t−1} + local_t and is
    /// meaningful only where the recursion contracts.
    | ReferenceStates = 1

/// A recorded forward computation of a whole network: the bounds, and the tape nodes the backward bound needs.
type ForwardRun =
    { Tape: Tape
      Y: TensorBound
      HN: TensorBound
      CN: TensorBound
      /// Node of each y element (−1 where y is the constant 0 of a padded step).
      YNodes: int[]
      HNNodes: int[]
      CNNodes: int[]
      XNodes: int[]
      H0Nodes: int[]
      C0Nodes: int[]
      /// Per layer·Directions + direction.
      Weights: WeightNodes[] }

/// Forward bounds of a whole network (layers, directions, batch, sequence lengths, padding and reverse-output readings).
module ForwardBound =
    /// Bounds for y [T][B][D·H], h_n [L·D][B][H] and c_n [L·D][B][H] (c_n zero-length unless LSTM).
    /// x: [T][B][In]; seqLens: [B] or null (all T); h0, c0: [L·D][B][H] or null (zeros), each element carrying its conversion
    /// error to the claimed format (a state copied unchanged, h_n = h0 of a zero-length entry, may differ by that); claimedY: [T][B][D·H] or null (then the
    /// feeding falls back to ReferenceStates). Sequence lengths: steps t ≥ len are padding (the state is not updated; y is 0 or,
    /// under CarryLast, the carried state: the last state for the forward direction, h0 for the reverse direction, which
    /// processes the padded steps first); the reverse direction processes t = len − 1 down to 0 and writes its k-th processed
    /// step at y[t] (TimeAligned) or y[k] (ProcessingOrder, where the slots k ≥ len hold its final state). ProcessingOrder
    /// reorders only the top layer's y: layer l > 0 reads the time-aligned outputs of layer l − 1.
    val compute:
        model: RoundingModel ->
        feeding: Feeding ->
        weights: NetworkWeights ->
        timeSteps: int ->
        batch: int ->
        x: float[] ->
        seqLens: int[] ->
        h0: float[] ->
        c0: float[] ->
        claimedY: float[] ->
            ForwardRun
