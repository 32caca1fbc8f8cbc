namespace RnnVerify.Reference.Twins

open RnnVerify.Cells
open RnnVerify.Reference

/// The weights of one layer and direction over a scalar type, in the canonical layout of RnnVerify.Cells.LayerWeights:
/// gate order LSTM i, f, g, o; GRU r, z, n; Wx [G·H][In] and Wh [G·H][H] row-major; Bx, Bh [G·H]; P [3·H] (i, f, o) or empty.
type LayerParams<'T> =
    {
        /// Input features In.
        InputSize: int
        /// Hidden units H.
        HiddenSize: int
        /// Input weights [G·H][In] row-major.
        Wx: 'T[]
        /// Recurrent weights [G·H][H] row-major.
        Wh: 'T[]
        /// Input bias [G·H].
        Bx: 'T[]
        /// Recurrent bias [G·H].
        Bh: 'T[]
        /// Peepholes [3·H] in the order i, f, o, or empty when the cell has none.
        P: 'T[]
    }

/// One step of one layer and direction for one batch entry.
type StepResult<'T> =
    {
        /// h_t [H].
        H: 'T[]
        /// c_t [H] for LSTM (after the cell clip under ClipReading.GateInputsAndCell); empty otherwise.
        C: 'T[]
        /// The activated gates [G·H] in canonical order: RNN [h_t]; LSTM [i, f, g, o]; GRU [r, z, n].
        Gates: 'T[]
    }

/// The dot products of a step's gate rows with its operand vectors, supplied by the caller of Step.runWith. Each must enclose
/// (for balls) or equal the exact dot product; the operand arrays are built once per step, so an implementation may split
/// an array once and reuse it for every row it is passed with.
type RowDots<'T> =
    {
        /// Affine xh11 row = [W_x[row], W_h[row], b_x[row], b_h[row]]·xh11, xh11 = [x, h_{t−1}, 1, 1] (length In + H + 2): every
        /// row of the cell except the GRU's n rows.
        Affine: 'T[] -> int -> 'T
        /// Input x1 row = [W_x[row], b_x[row]]·x1, x1 = [x, 1] (length In + 1): the GRU's n rows.
        Input: 'T[] -> int -> 'T
        /// Recurrent v1 row = [W_h[row], b_h[row]]·v1, v1 = [v, 1] (length H + 1), v = h_{t−1} (LinearBeforeReset) or
        /// r⊙h_{t−1}: the GRU's n rows.
        Recurrent: 'T[] -> int -> 'T
    }

/// The cell mathematics, generic over the scalar type. Notation: a = W_x x + b_x + W_h h + b_h per gate row, clip(·) is
/// ONNX clip when spec.Clip is set (identity otherwise), activations (f, g, h) = spec.EffectiveActivations.
module Step =
    /// The weights of one layer/direction lifted into the scalar type (exact for Ball), checking every length
    /// against spec (ArgumentException naming the array and the sizes otherwise).
    val lift: s: Scalar<'T> -> spec: CellSpec -> layer: int -> w: LayerWeights -> LayerParams<'T>

    /// Maps every array of the weights (for example to make them tape leaves or duals).
    val map: f: ('T -> 'U) -> LayerParams<'T> -> LayerParams<'U>

    /// Elman: h_t = f(clip(a)).
    /// LSTM (peepholes p_i, p_f, p_o zero when absent): i = f(clip(a_i + p_i⊙c_{t−1})), f = f(clip(a_f + p_f⊙c_{t−1})),
    /// g = g(clip(a_g)); input_forget replaces f by 1 − i (ForgetFromInput) or i by 1 − f (InputFromForget);
    /// c_t = f⊙c_{t−1} + i⊙g, then c_t = clip(c_t) under GateInputsAndCell; o = f(clip(a_o + p_o⊙c_t)); h_t = o⊙h(c_t).
    /// GRU: r = f(clip(a_r)), z = f(clip(a_z)); n = g(clip(W_n x + b_xn + r⊙(U_n h + b_hn))) when LinearBeforeReset,
    /// else n = g(clip(W_n x + b_xn + U_n(r⊙h) + b_hn)); h_t = (1 − z)⊙n + z⊙h_{t−1}.
    /// cPrev is ignored (may be empty) except for LSTM.
    val run: s: Scalar<'T> -> spec: CellSpec -> w: LayerParams<'T> -> x: 'T[] -> hPrev: 'T[] -> cPrev: 'T[] -> StepResult<'T>

    /// run with the gate rows' dot products supplied by the caller (RowDots; w is read for the peepholes only). For an
    /// instance whose dot product has a cheaper form for exact weights (Fast.Step128: WeightRows128 for Ball128).
    /// run s spec w = runWith s spec w (rowDots s w).
    val runWith:
        s: Scalar<'T> -> spec: CellSpec -> w: LayerParams<'T> -> dots: RowDots<'T> -> x: 'T[] -> hPrev: 'T[] -> cPrev: 'T[] ->
            StepResult<'T>

    /// The row dot products of run: each row of w copied into an array and s.Dot with the operand vector (one rounding).
    val rowDots: s: Scalar<'T> -> w: LayerParams<'T> -> RowDots<'T>
