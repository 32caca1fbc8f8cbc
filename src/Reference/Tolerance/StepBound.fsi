namespace RnnVerify.Reference.Tolerance

open RnnVerify.Cells

/// The weights of one layer and direction as leaves of a tape (same layout as LayerWeights; P empty when absent).
type WeightNodes =
    { Wx: int[]
      Wh: int[]
      Bx: int[]
      Bh: int[]
      P: int[] }

/// One step of one layer and direction recorded on a tape: the binary64 value of h_t (and c_t), the bound on what a correct
/// implementation in the claimed format may differ from the exact h_t, c_t computed from the same (x_t, h_{t−1}, c_{t−1})
/// (plus whatever error those inputs already carry), and the partial derivatives for the backward bound.
module StepBound =
    /// The weights of a layer as exact leaves.
    val weightNodes: tape: Tape -> weights: LayerWeights -> WeightNodes
    /// (h_t, c_t) nodes from x_t (length In), h_{t−1} (length H) and c_{t−1} (length H; returned unchanged except for the LSTM).
    /// Equations (canonical gate order): Elman h = φ(W_x x + b_x + W_h h + b_h); LSTM i, f, g, o with optional peepholes (i, f see
    /// c_{t−1}, o sees c_t), clip of every pre-activation, input_forget, c_t = f ⊙ c + i ⊙ g (clipped too under GateInputsAndCell),
    /// h_t = o ⊙ h(c_t); GRU r, z, n (LinearBeforeReset: n = g(W_n x + b_xn + r ⊙ (U_n h + b_hn)), else
    /// n = g(W_n x + b_xn + U_n (r ⊙ h) + b_hn)), h_t = (1 − z) ⊙ n + z ⊙ h.
    val step: tape: Tape -> spec: CellSpec -> weights: WeightNodes -> x: int[] -> h: int[] -> c: int[] -> int[] * int[]
