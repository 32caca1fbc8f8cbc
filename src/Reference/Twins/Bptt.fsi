namespace RnnVerify.Reference.Twins

open RnnVerify.Cells
open RnnVerify.Reference

/// Gradients of a scalar function of a network run (or a vector–Jacobian product) with respect to everything it reads,
/// in the layouts of the inputs: Dx like x, Dh0/Dc0 like h0/c0, Layers like the weights (canonical LayerWeights layout).
type NetworkGradients<'T> =
    {
        /// ∂/∂x [T][B][InputSize].
        Dx: 'T[]
        /// ∂/∂h0 [L·D][B][H].
        Dh0: 'T[]
        /// ∂/∂c0 [L·D][B][H] (LSTM; empty otherwise).
        Dc0: 'T[]
        /// ∂/∂weights, one per layer·D + direction.
        Layers: LayerParams<'T>[]
        /// ∂/∂(W_y, b_y) when an output layer took part.
        Output: OutputParams<'T> option
    }

/// Backpropagation through time: reverse-mode differentiation of Network.forward (the same code, run on tape variables
/// whose partials are evaluated in s; over Ball every gradient is an enclosure of the exact one, kinks included by the
/// conventions of Scalar.ReluSlope/ClipSlope).
/// Truncation (window k > 0, unidirectional networks only — ArgumentException otherwise — as RnnVerify.Cells.Network): the
/// gradient of each term reaches only the steps s with t − s &lt; k, the state at the start of its window held constant. A term
/// is one output element at a valid step t (one loss step t for the loss), or a final state h_n/c_n of entry b — and under
/// CarryLast a padded output that repeats it — placed at the entry's last valid step. k = 0 or k ≥ T is full BPTT.
module Bptt =
    /// The vector–Jacobian product: for upstream gradients dy [T][B][D·H], dhn and dcn [L·D][B][H] (empty arrays mean 0),
    /// returns the outputs and ∂(⟨dy, y⟩ + ⟨dhn, h_n⟩ + ⟨dcn, c_n⟩) with respect to x, h0, c0 and every weight.
    val vjp:
        s: Scalar<'T> -> spec: CellSpec -> layers: LayerParams<'T>[] -> inputs: NetworkInputs<'T> -> window: int ->
        dy: 'T[] -> dhn: 'T[] -> dcn: 'T[] -> NetworkOutputs<'T> * NetworkGradients<'T>

    /// The time-synchronous loss L = Σ_b Σ_{t &lt; seqLens[b]} div(ψ(W_y y_tb + b_y), d_tb) (targets [T][B][O]) and its gradient (with the network's outputs).
    val lossGradient:
        s: Scalar<'T> -> spec: CellSpec -> layers: LayerParams<'T>[] -> output: OutputParams<'T> -> inputs: NetworkInputs<'T> ->
        window: int -> div: Divergence -> targets: 'T[] -> 'T * NetworkOutputs<'T> * NetworkGradients<'T>

/// Forward-mode differentiation of Network.forward by dual numbers, independent of the tape. With a truncation window each
/// output element (each loss step) takes its tangent from a run with that term's window, as in Bptt.
module ForwardMode =
    /// Runs the network on duals whose tangents are the given direction u (same layouts as the inputs and weights; empty
    /// tangent arrays mean 0). The D parts of the result are J·u, the directional derivatives of y, h_n, c_n.
    val jvp:
        s: Scalar<'T> -> spec: CellSpec -> layers: LayerParams<'T>[] -> inputs: NetworkInputs<'T> -> window: int ->
        layerTangents: LayerParams<'T>[] -> xTangent: 'T[] -> h0Tangent: 'T[] -> c0Tangent: 'T[] -> NetworkOutputs<Dual<'T>>

    /// As jvp, then through the output layer and the loss: the value of L and its derivative along u (the output layer's
    /// own tangent included).
    val lossJvp:
        s: Scalar<'T> -> spec: CellSpec -> layers: LayerParams<'T>[] -> output: OutputParams<'T> -> inputs: NetworkInputs<'T> ->
        window: int -> div: Divergence -> targets: 'T[] -> layerTangents: LayerParams<'T>[] -> outputTangent: OutputParams<'T> ->
        xTangent: 'T[] -> h0Tangent: 'T[] -> c0Tangent: 'T[] -> Dual<'T>
