namespace RnnVerify.Reference.Tolerance

open RnnVerify.Cells

/// A record of a forward computation in Bounded arithmetic: every node keeps its Bounded value, its operation and its operands;
/// the partial derivative ∂node/∂operand (a Bounded: its Value the binary64 derivative at the reference's point, its Error a
/// bound on how far the implementation's derivative may be) is a function of the stored values and is evaluated when needed.
/// Reverse accumulation over the tape gives the gradient bound.
/// Storage is compact: a node is its value, an operation code and three ints (≈ 29 bytes); an affine node refers to its weight
/// row (the weight nodes' array and an offset) and to the input-node array it shares with every other row of its step, so the
/// tape grows with the number of activations, not with the number of products.
[<Sealed>]
type Tape =
    /// An empty tape for the given model.
    new: model: RoundingModel -> Tape
    /// The rounding model of every node.
    member Model: RoundingModel
    /// Number of nodes.
    member Count: int
    /// The Bounded value of node i.
    member Value: node: int -> Bounded
    /// The operands of node i with the partial derivative ∂node/∂operand of each, in the order the reverse accumulation
    /// visits them (an affine node: (w_k, x_k), (x_k, w_k) per product, segment by segment, then (b, 1) per bias). The
    /// expanded form of what the node stores; allocates, meant for tests and inspection.
    member Parents: node: int -> struct (int * Bounded)[]

/// Operations that compute a node's Bounded value (by the Bounded rules) and record its partial derivatives.
module Tape =
    /// A leaf: data, a weight, an initial state.
    val leaf: tape: Tape -> value: Bounded -> int
    /// A fed state: Value = the implementation's own claimed value (Error 0) for the forward, but the adjoint flows to `previous`
    /// with partial exactly 1, so the backward runs along the fed trajectory.
    val fed: tape: Tape -> claimed: float -> previous: int -> int
    /// Σ over segments (weights, offset, inputs) of Σ_k weights[offset + k]·inputs[k], + Σ biases (the rule of
    /// Bounded.affine with the weights exact leaves; the terms are summed in the order given: segment by segment, then the
    /// biases). Weight and input arrays are node indices, kept by reference: the caller must not change them afterwards, and
    /// should pass the same inputs array to every row of a step: its values are gathered once per array, and from the second
    /// row of a step on, the first one or two segments' sums of every row of the matrix are computed at once (vectorised
    /// elementwise over rows, each row's terms still added in the scalar order, so the bits are the scalar rule's).
    /// Partials: ∂/∂w = x, ∂/∂x = w, ∂/∂b = 1.
    val affine: tape: Tape -> segments: struct (int[] * int * int[]) list -> biases: int list -> int
    /// Product; partials b, a.
    val mul: tape: Tape -> a: int -> b: int -> int
    /// Sum; partials 1, 1.
    val add: tape: Tape -> a: int -> b: int -> int
    /// φ(a); the partial is computed from the output y as the implementations do: tanh 1 − y², σ y(1 − y), identity 1;
    /// relu 1 or 0, and [0, 1] (Value 1/2, Error 1/2) when the pre-activation's interval [V − 2E, V + 2E] contains the kink 0.
    val activate: tape: Tape -> activation: Activation -> a: int -> int
    /// 1 − x for a coupled gate; partial −1.
    val oneMinus: tape: Tape -> x: int -> int
    /// (1 − z)·n + z·h; partials h − n, 1 − z, z.
    val convex: tape: Tape -> z: int -> n: int -> h: int -> int
    /// clip to [−c, c]; partial 1 inside, 0 outside, [0, 1] when the interval of a contains ±c.
    val clip: tape: Tape -> c: float -> a: int -> int
    /// Reverse accumulation from the seeds (node, upstream gradient in binary64, which the implementation converts to its format:
    /// Error = its conversion error, 0 for values exact in the format): the Bounded adjoint of every node. Each adjoint is
    /// a sum of n terms partial·adjoint, bounded like an inner product in any order (γ_{n+2}: the +2 covers partials that are
    /// weights converted to the claimed format): Err = γ_{n+2} Σ M(p)M(λ) +
    /// Σ (Err(p) M(λ) + M(p) Err(λ)) + n·η (a single term with partial exactly ±1 or 0 is exact). n counts the children whose
    /// adjoint is not exactly 0 (and the seeds); the terms are summed in the order the children are visited (descending node
    /// index, seeds first), streaming into three running sums per node instead of a list of terms; an affine node whose weight
    /// and input nodes are consecutive updates them as two ranges, elementwise (vectorised, same bits).
    val backward: tape: Tape -> seeds: struct (int * float) seq -> Bounded[]
