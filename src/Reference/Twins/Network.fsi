namespace RnnVerify.Reference.Twins

open RnnVerify.Cells
open RnnVerify.Reference

/// The inputs of a network run, flattened row-major, sequence-first.
type NetworkInputs<'T> =
    {
        /// T, the number of time steps.
        Steps: int
        /// B, the batch size.
        Batch: int
        /// x [T][B][InputSize].
        X: 'T[]
        /// Valid steps per batch entry [B], each in 0..T.
        SeqLens: int[]
        /// h0 [L·D][B][H].
        H0: 'T[]
        /// c0 [L·D][B][H] for LSTM; empty otherwise.
        C0: 'T[]
    }

/// The outputs of a network run.
type NetworkOutputs<'T> =
    {
        /// y [T][B][D·H]: the top layer's states, direction d in columns d·H .. d·H + H − 1.
        Y: 'T[]
        /// h_n [L·D][B][H]: each layer/direction's final state.
        Hn: 'T[]
        /// c_n [L·D][B][H] for LSTM; empty otherwise.
        Cn: 'T[]
    }

/// Stacked, bidirectional networks with sequence lengths, generic over the scalar type.
module Network =
    /// Lifts every layer's weights (index layer·D + direction) into the scalar type, checking their sizes.
    val lift: s: Scalar<'T> -> weights: NetworkWeights -> LayerParams<'T>[]

    /// Every layer's weights (index layer·D + direction) through prepare spec layer w, after checking their number
    /// (lift s = liftWith (Step.lift s)).
    val liftWith: prepare: (CellSpec -> int -> LayerWeights -> 'L) -> weights: NetworkWeights -> 'L[]

    /// Builds the inputs: seqLens null means every entry has length T; h0/c0 null mean zeros. Checks every length
    /// (ArgumentException naming the argument and the sizes).
    val inputs:
        s: Scalar<'T> -> spec: CellSpec -> steps: int -> batch: int -> x: 'T[] -> seqLens: int[] -> h0: 'T[] -> c0: 'T[] -> NetworkInputs<'T>

    /// Runs the network (the semantics of RnnVerify.Cells.Network). Layer l, direction d, batch entry b with length
    /// n = seqLens[b] starts from h0/c0[l·D + d][b] and processes t = 0 .. n − 1 (forward) or t = n − 1 .. 0 (reverse), reading
    /// layer l − 1's time-aligned output at t (x for l = 0); its state after reading step t is that layer's output at t.
    /// Padded positions t ≥ n hold 0 (Padding.Zeros) or, under Padding.CarryLast, the state carried at that point of the
    /// processing: the final state for the forward direction, h0 for the reverse direction (whose padded steps come first).
    /// Only the top layer's y is reordered under ReverseOutputOrder.ProcessingOrder: its reverse columns at k &lt; n hold the
    /// state after x[n − 1 − k], at k ≥ n 0 or (CarryLast) the final reverse state. h_n/c_n hold the final state (h0/c0 when n = 0).
    /// cut > 0 detaches the carried state (h, c) of every layer, direction and entry just before its processed step number
    /// cut (values unchanged; derivatives do not flow across the cut), the building block of truncated BPTT (see Bptt);
    /// cut = 0: no cut.
    val forward:
        s: Scalar<'T> -> spec: CellSpec -> layers: LayerParams<'T>[] -> inputs: NetworkInputs<'T> -> cut: int -> NetworkOutputs<'T>

    /// forward with the step of layer/direction k = l·D + d supplied by the caller: step k x hPrev cPrev must compute (or, for
    /// balls, enclose) Step.run s spec layers[k] x hPrev cPrev; step is applied to k once per layer and direction.
    /// forward s spec layers = forwardWith s spec (fun k -> Step.run s spec layers[k]). For an instance with a cheaper step
    /// (Fast.Step128.run for Ball128).
    val forwardWith:
        s: Scalar<'T> ->
        spec: CellSpec ->
        step: (int -> 'T[] -> 'T[] -> 'T[] -> StepResult<'T>) ->
        inputs: NetworkInputs<'T> ->
        cut: int ->
            NetworkOutputs<'T>
