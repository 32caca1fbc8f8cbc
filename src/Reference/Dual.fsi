namespace RnnVerify.Reference

/// A dual number v + d·ε with ε² = 0: the value of a function and its derivative along one direction (forward mode).
/// Over Ball, V encloses f(x) and D encloses the directional derivative f'(x)·u, computed independently of reverse mode.
[<Struct>]
type Dual<'T> =
    {
        /// The value.
        V: 'T
        /// The tangent (directional derivative).
        D: 'T
    }

/// Forward-mode differentiation by dual numbers over any scalar instance.
module Dual =
    /// The dual-number instance over s. Derivative rules: (ab)' = a'b + ab'; (a/b)' = (a' − (a/b)b')/b; tanh' = 1 − tanh²;
    /// σ' = σ(1 − σ); exp' = exp; ln' = 1/a; relu' = s.ReluSlope and clip' = s.ClipSlope (kink conventions of s);
    /// the slopes themselves have tangent 0. Detach keeps the value and sets the tangent to 0.
    val scalar: s: Scalar<'T> -> Scalar<Dual<'T>>

    /// The dual number with value v and tangent d.
    val make: v: 'T -> d: 'T -> Dual<'T>
