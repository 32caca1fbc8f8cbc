namespace RnnVerify.Reference.Tolerance

open RnnVerify.Cells

/// A quantity of the computation as two numbers: Value, the binary64 evaluation of the exact formula on the reference's inputs,
/// and Error, a bound on |x_impl − x| where x is the exact value and x_impl what a correct implementation in the claimed format
/// computes. Value itself is within Error of x (binary64 evaluation is a correct implementation in a format at least as
/// precise), so Magnitude = |Value| + 2·Error bounds both |x| and |x_impl|.
[<Struct>]
type Bounded =
    { Value: float
      Error: float }

/// Running error bounds through the operations of a recurrent cell (docs/tolerances.md derives each rule).
module Bounded =
    /// A value the implementation receives exactly (its own previous state fed back, or an input already in its format).
    val exact: v: float -> Bounded
    /// |Value| + 2·Error: bounds the magnitude of the exact value and of the implementation's value.
    val magnitude: Bounded -> float
    /// Σ_j w_j x_j + Σ biases with the weights given exactly (binary64) and converted to the claimed format by the implementation:
    /// Error = γ_{n+2} (Σ|w_j| M(x_j) + Σ|b|) + Σ|w_j| Err(x_j) + n·η with n the number of terms; γ's n counts every product and
    /// bias, +2 for the conversion of w_j and x_j (Higham 3.1; order-independent, so SIMD, blocked and FMA sums are covered).
    val affine: model: RoundingModel -> weights: (float[] * int * Bounded[]) list -> extra: (float * Bounded) list -> biases: float list -> Bounded
    /// Product: Err = Err(a)·M(b) + M(a)·Err(b) + u·M(a)·M(b) + η.
    val mul: model: RoundingModel -> Bounded -> Bounded -> Bounded
    /// Sum: Err = Err(a) + Err(b) + u·(M(a) + M(b)).
    val add: model: RoundingModel -> Bounded -> Bounded -> Bounded
    /// 1 − x for a gate derived from the other (input_forget): treated like an activation output, Err = Err(x) + (α + 1)·u·M(1 − x) + β·u.
    val oneMinus: model: RoundingModel -> Bounded -> Bounded
    /// (1 − z)·n + z·h (the GRU update) in any of its algebraic forms (including n + z·(h − n)):
    /// Err = M(1 − z)·Err(n) + M(z)·Err(h) + Err(z)·(M(h) + M(n)) + 3u·(M(n) + M(h)).
    val convex: model: RoundingModel -> z: Bounded -> n: Bounded -> h: Bounded -> Bounded
    /// clip to [−c, c]: 1-Lipschitz, so Err = Err(a) + |c − fl(c)| (the threshold converted to the claimed format).
    val clip: model: RoundingModel -> c: float -> Bounded -> Bounded
    /// sup |φ'(ξ)| over ξ ∈ [lo, hi] (tanh: 1 − tanh² at the point nearest 0; σ: σ(1 − σ) likewise; relu 0 or 1; identity 1).
    val lipschitz: activation: Activation -> lo: float -> hi: float -> float
    /// φ(a): Err = L·Err(a) + α·u·M_φ + β·u + η for tanh and σ (M_φ = |φ(Value)| + 2L·Err(a)), Err = L·Err(a) for identity and relu,
    /// with L = lipschitz φ over [Value − 2·Err(a), Value + 2·Err(a)] (mean value theorem between the exact and the implementation's
    /// pre-activation).
    val activate: model: RoundingModel -> activation: Activation -> Bounded -> Bounded
    /// φ(a) in binary64 with the conventions of the cells: σ(x) = 1/(1 + e^−x), relu = max(0, x).
    val apply: activation: Activation -> x: float -> float
    /// −x (exact).
    val neg: Bounded -> Bounded
    /// Difference: Err = Err(a) + Err(b) + u·(M(a) + M(b)).
    val sub: model: RoundingModel -> Bounded -> Bounded -> Bounded
