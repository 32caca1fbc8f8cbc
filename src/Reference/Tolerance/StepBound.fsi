namespace RnnVerify.Reference.Tolerance

open RnnVerify.Cells

/// One step of one layer and direction in Bounded arithmetic: the binary64 value of h_t (and c_t) and the bound on what a correct
/// implementation in the claimed format may differ from the exact h_t, c_t computed from the same (x_t, h_{t−1}, c_{t−1}) —
/// plus whatever error those inputs already carry (their Error fields).
module StepBound =
    /// (h_t, c_t) from x_t (length In), h_{t−1} (length H) and c_{t−1} (length H; ignored and returned unchanged except for
    /// the LSTM). Equations (canonical gate order): Elman h = φ(W_x x + b_x + W_h h + b_h); LSTM i, f, g, o with optional
    /// peepholes (i, f see c_{t−1}, o sees c_t), clip of every pre-activation, input_forget, c_t = f ⊙ c + i ⊙ g,
    /// h_t = o ⊙ h(c_t); GRU r, z, n (LinearBeforeReset: n = g(W_n x + b_xn + r ⊙ (U_n h + b_hn)), else
    /// n = g(W_n x + b_xn + U_n (r ⊙ h) + b_hn)), h_t = (1 − z) ⊙ n + z ⊙ h.
    val step:
        model: RoundingModel ->
        spec: CellSpec ->
        weights: LayerWeights ->
        x: Bounded[] ->
        h: Bounded[] ->
        c: Bounded[] ->
            Bounded[] * Bounded[]
