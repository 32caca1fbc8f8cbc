namespace RnnVerify.Reference

/// A value recorded on a tape: Id ≥ 0 names its node, Id = −1 marks a constant (no derivative flows through it).
[<Struct>]
type Var<'T> =
    {
        /// The value.
        Value: 'T
        /// The node on the tape, or −1 for a constant.
        Id: int
    }

/// A Wengert list: every operation on tape variables appends one node holding its parents and the local partial
/// derivatives ∂node/∂parent, evaluated in the base scalar type (enclosures when the base is Ball).
[<Sealed>]
type Tape<'T>

/// The adjoints (∂L/∂node) after a reverse sweep.
[<Sealed>]
type Adjoints<'T>

/// Reverse-mode differentiation: record once, sweep backward once for a vector–Jacobian product.
module Tape =
    /// An empty tape whose partials are computed with s.
    val create: s: Scalar<'T> -> Tape<'T>

    /// The scalar instance that records on the tape. Local partials: (a ± b) 1, ±1; ab: b, a; a/b: 1/b, −(a/b)/b;
    /// Dot: the other factor; tanh 1 − tanh²; σ σ(1 − σ); exp exp; ln 1/a; relu s.ReluSlope; clip s.ClipSlope.
    /// Results whose arguments are all constants are constants. Detach returns a constant.
    val scalar: tape: Tape<'T> -> Scalar<Var<'T>>

    /// A new independent variable (a leaf) with the given value.
    val leaf: tape: Tape<'T> -> value: 'T -> Var<'T>

    /// A constant: derivatives do not flow through it.
    val constant: value: 'T -> Var<'T>

    /// Number of nodes recorded so far.
    val length: tape: Tape<'T> -> int

    /// The reverse sweep: starting from adjoint Σ seeds (a node seeded twice gets the sum), propagates
    /// adj(parent) += adj(node) · ∂node/∂parent from the last node to the first. Seeds on constants are ignored.
    val backward: tape: Tape<'T> -> seeds: seq<Var<'T> * 'T> -> Adjoints<'T>

    /// The adjoint of a variable (0 for constants and for nodes the seeds do not reach).
    val adjoint: adjoints: Adjoints<'T> -> v: Var<'T> -> 'T
