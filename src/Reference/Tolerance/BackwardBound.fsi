namespace RnnVerify.Reference.Tolerance

/// Gradient bounds of one layer and direction, in the LayerWeights layout (P empty when absent).
type LayerGradientBound =
    { Wx: TensorBound
      Wh: TensorBound
      Bx: TensorBound
      Bh: TensorBound
      P: TensorBound }

/// Bounds for the vector–Jacobian product of a network (docs/tolerances.md, "Gradients (BPTT)").
type GradientBound =
    { /// ∂L/∂x, [T][B][In].
      X: TensorBound
      /// ∂L/∂h0, [L·D][B][H].
      H0: TensorBound
      /// ∂L/∂c0, [L·D][B][H] (LSTM; empty otherwise).
      C0: TensorBound
      /// Per layer·Directions + direction.
      Weights: LayerGradientBound[] }

/// Reverse accumulation over a recorded forward run (ForwardBound.compute).
module BackwardBound =
    /// The gradient bounds for upstream gradients dy [T][B][D·H], dhN and dcN [L·D][B][H] (each may be null: zero).
    /// Along the fed trajectory when the run was fed claimed states (the reference gradient is then the exact vector–Jacobian
    /// product of the steps evaluated at the implementation's own states); the adjoint's error is propagated globally.
    val compute: run: ForwardRun -> dy: float[] -> dhN: float[] -> dcN: float[] -> GradientBound
