namespace RnnVerify.Reference.Twins

open RnnVerify.Cells
open RnnVerify.Reference

/// The Elman output layer o_t = ψ(W_y y_t + b_y), applied to the top layer's output y_t [D·H] at every step.
type OutputParams<'T> =
    {
        /// O, the outputs per step.
        OutputSize: int
        /// W_y [O][D·H] row-major.
        Wy: 'T[]
        /// b_y [O].
        By: 'T[]
        /// ψ.
        Psi: Activation
    }

/// The per-step divergence of the time-synchronous loss L = Σ_b Σ_{t &lt; seqLens[b]} div(o_tb, d_tb).
type Divergence =
    /// div(o, d) = ½ Σ_k (o_k − d_k)².
    | SquaredError
    /// div(o, d) = −Σ_k d_k ln softmax(o)_k = Σ_k d_k (ln Σ_j e^{o_j} − o_k); d is a probability vector (one-hot for a class).
    | SoftmaxCrossEntropy

/// The output layer and the loss, generic over the scalar type.
module Output =
    /// Maps every array of the output layer.
    val map: f: ('T -> 'U) -> OutputParams<'T> -> OutputParams<'U>

    /// o [T][B][O] from y [T][B][D·H].
    val apply: s: Scalar<'T> -> p: OutputParams<'T> -> steps: int -> batch: int -> y: 'T[] -> 'T[]

    /// div(o, d) for one step's o [O] and d [O]. Log-sum-exp is shifted by m = the detached logit with the largest estimate
    /// (ln Σ e^{o_j} = m + ln Σ e^{o_j − m} holds exactly for every constant m), so one term is ≈ 1 and none overflows.
    val divergence: s: Scalar<'T> -> div: Divergence -> o: 'T[] -> d: 'T[] -> 'T

    /// L = Σ_b Σ_{t &lt; seqLens[b]} div(o_tb, d_tb), o and targets [T][B][O].
    val loss: s: Scalar<'T> -> div: Divergence -> outputSize: int -> seqLens: int[] -> o: 'T[] -> targets: 'T[] -> 'T
