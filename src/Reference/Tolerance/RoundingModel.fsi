namespace RnnVerify.Reference.Tolerance

/// The IEEE 754 binary format an implementation computed in.
type ClaimedDtype =
    /// binary32: p = 24 significand bits, unit roundoff u = 2^−24.
    | Float32 = 0
    /// binary64: p = 53 significand bits, unit roundoff u = 2^−53.
    | Float64 = 1

/// What a correct implementation in a given format is assumed to commit (docs/tolerances.md, "Forward pass: per-element rounding bound").
/// Every field is a stated assumption, not a fitted constant.
type RoundingModel =
    { /// The claimed format.
      Dtype: ClaimedDtype
      /// u = 2^−p: |fl(a ∘ b) − a ∘ b| ≤ u·|a ∘ b| for + − × ÷ rounded to nearest, in the normal range.
      UnitRoundoff: float
      /// η = the smallest positive subnormal (2^−149, 2^−1074): bounds the absolute error of a product that underflows.
      Underflow: float
      /// α: tanh, σ and the exp inside σ are within α·u·|φ(a)| + β·u of φ(a) for every pre-activation a.
      ActivationRelative: float
      /// β: the absolute part of the activation accuracy (implementations of tanh through exp lose relative accuracy near 0,
      /// vectorised σ kernels clamp their argument), in units of u.
      ActivationAbsolute: float
      /// S: the allowed error is S times the derived bound (covers the evaluation of the bound in binary64 and activation
      /// libraries up to S times less accurate than α, β state).
      Safety: float }

/// The standard models and the γ_n constants of Higham's analysis.
module RoundingModel =
    /// α = 8 (4 ulps: an ulp of y is at most 2u|y|), β = 4, S = 2, with u and η of the format.
    val standard: dtype: ClaimedDtype -> RoundingModel
    /// γ_n = n·u / (1 − n·u) (Higham, ASNA 2nd ed., Lemma 3.1); +∞ when n·u ≥ 1.
    val gamma: model: RoundingModel -> n: int -> float
    /// |c − fl(c)|: the error of converting the binary64 value c to the claimed format (0 for Float64).
    val conversionError: model: RoundingModel -> c: float -> float
    /// The value c rounded to nearest in the claimed format and widened back to binary64.
    val roundToDtype: model: RoundingModel -> c: float -> float
