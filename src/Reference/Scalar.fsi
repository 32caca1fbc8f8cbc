namespace RnnVerify.Reference

open RnnVerify.Cells

/// The operations the twins need from a scalar type. One set of cell code runs on every instance: double (for quick
/// estimates), Ball (rigorous enclosures), dual numbers over either (forward-mode derivatives) and tape variables (reverse mode).
/// For Ball every operation returns an enclosure of the exact real result for every choice of reals in its arguments.
type Scalar<'T> =
    {
        /// The exact value of a finite double (rounded only for instances that cannot hold it, such as float32 instances).
        OfFloat: float -> 'T
        /// 0.
        Zero: 'T
        /// 1.
        One: 'T
        /// a + b.
        Add: 'T -> 'T -> 'T
        /// a − b.
        Sub: 'T -> 'T -> 'T
        /// a · b.
        Mul: 'T -> 'T -> 'T
        /// a ÷ b; the divisor must be bounded away from 0.
        Div: 'T -> 'T -> 'T
        /// −a.
        Neg: 'T -> 'T
        /// Σ xᵢ·yᵢ over two arrays of equal length (0 for empty arrays); instances may round once at the end.
        Dot: 'T[] -> 'T[] -> 'T
        /// tanh a.
        Tanh: 'T -> 'T
        /// σ(a) = 1 / (1 + e^−a).
        Sigmoid: 'T -> 'T
        /// e^a.
        Exp: 'T -> 'T
        /// ln a for a > 0.
        Log: 'T -> 'T
        /// max(0, a).
        Relu: 'T -> 'T
        /// The derivative of relu at a with the convention relu'(0) = 0: 1 for a > 0, 0 for a ≤ 0. A ball that has points on
        /// both sides of 0 gives the ball [0, 1], which encloses both one-sided derivatives.
        ReluSlope: 'T -> 'T
        /// clip c a = min(c, max(−c, a)), c ≥ 0.
        Clip: float -> 'T -> 'T
        /// The derivative of clip c at a with the convention of the C# cells: 1 for |a| ≤ c (the value passes unchanged),
        /// 0 for |a| > c (clipped). A ball with points on both sides of ±c gives [0, 1].
        ClipSlope: float -> 'T -> 'T
        /// The same value with its derivative information dropped (identity on plain numbers; tangent 0 for duals; a
        /// constant for tape variables). Truncated backpropagation through time cuts the graph with it.
        Detach: 'T -> 'T
        /// A double near the value (the midpoint for balls), for heuristics only (such as a shift in log-sum-exp that
        /// cancels exactly); never used as a result.
        Approx: 'T -> float
    }

/// Instances and helpers shared by every scalar type.
module Scalar =
    /// Double arithmetic (round to nearest): for quick estimates and tests of the generic code, not a reference.
    val float: Scalar<float>

    /// φ(a) for the activation φ.
    val activate: Scalar<'T> -> Activation -> 'T -> 'T

    /// φ'(a) given the argument a and the value y = φ(a): identity 1; tanh 1 − y²; sigmoid y(1 − y); relu ReluSlope a.
    val activationSlope: Scalar<'T> -> Activation -> a: 'T -> y: 'T -> 'T

    /// Element-wise sum of two arrays of equal length.
    val addArrays: Scalar<'T> -> 'T[] -> 'T[] -> 'T[]
