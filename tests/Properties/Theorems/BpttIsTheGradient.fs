/// Theorem 10: backpropagation through time computes the gradient. The C# BPTT (`Network.Backward`, `Network.Loss`) is compared
/// with central finite differences of the C# forward pass along a random direction v in (W_x, W_h, b_x, b_h, h_{−1}, x) space,
/// within the truncation-plus-rounding bound ε_f/h + h²M₃/6 + ε_g (docs/theory.md §10, docs/tolerances.md "Theorem 10").
module RnnVerify.Properties.Theorems.BpttIsTheGradient

open System
open Expecto
open FsCheck.FSharp
open RnnVerify.Cells
open RnnVerify.Properties.Catalogue
module Ball = RnnVerify.Reference.Ball
module BallScalar = RnnVerify.Reference.BallScalar
module Dual = RnnVerify.Reference.Dual
module Dyadic = RnnVerify.Reference.Dyadic

/// The cell variants of the theorem: every cell with smooth activations (ReLU has a kink and is excluded, docs/theory.md §10).
type Variant =
    | ElmanTanh
    | ElmanSigmoid
    | Lstm
    | Gru

/// The loss whose gradient is checked: the vector–Jacobian product ⟨dy, y⟩ + ⟨dh_N, h_N⟩, or the time-synchronous squared error.
type LossChoice =
    | Vjp
    | TimeSynchronous

/// One case: cell variant, sizes (H ≤ 3, In ≤ 2, T ≤ 4), weights and inputs on the grid k/16 ⊂ [−½, ½] (exact in binary32),
/// the co-vectors (dy, dh_N) or targets on k/8 ⊂ [−1, 1], and the direction v on k/8 ⊂ [−1, 1].
type BpttCase =
    { Variant: Variant; Loss: LossChoice; H: int; In: int; T: int
      Wx: float[]; Wh: float[]; Bx: float[]; Bh: float[]; H0: float[]; Xs: float[]
      Dy: float[]; DhN: float[]
      V: float[] }

/// Gate blocks per variant (G).
let gates = function Lstm -> 4 | Gru -> 3 | _ -> 1

/// The cell specification of a case.
let cellSpec (c: BpttCase) =
    let kind, acts =
        match c.Variant with
        | ElmanTanh -> CellKind.Rnn, [ Activation.Tanh ]
        | ElmanSigmoid -> CellKind.Rnn, [ Activation.Sigmoid ]
        | Lstm -> CellKind.Lstm, []
        | Gru -> CellKind.Gru, []
    RnnVerify.Properties.Generators.Cells.spec kind acts c.In c.H

/// Total number of parameters in the direction space: W_x, W_h, b_x, b_h, h_{−1}, x.
let private dimension (c: BpttCase) =
    let g = gates c.Variant
    g * c.H * c.In + g * c.H * c.H + 2 * g * c.H + c.H + c.T * c.In

let private grid16 = Gen.choose (-8, 8) |> Gen.map (fun k -> float k / 16.0)
let private grid8 = Gen.choose (-8, 8) |> Gen.map (fun k -> float k / 8.0)

/// Cases of the given variants and losses (sizes and grids as described on BpttCase).
let caseGen (variants: Variant list) (losses: LossChoice list) =
    gen {
        let! variant = Gen.elements variants
        let! loss = Gen.elements losses
        let! h = Gen.choose (1, 3)
        let! m = Gen.choose (1, 2)
        let! t = Gen.choose (1, 4)
        let g = gates variant
        let! wx = Gen.arrayOfLength (g * h * m) grid16
        let! wh = Gen.arrayOfLength (g * h * h) grid16
        let! bx = Gen.arrayOfLength (g * h) grid16
        let! bh = Gen.arrayOfLength (g * h) grid16
        let! h0 = Gen.arrayOfLength h grid16
        let! xs = Gen.arrayOfLength (t * m) (Gen.choose (-16, 16) |> Gen.map (fun k -> float k / 16.0))
        let! dy = Gen.arrayOfLength (t * h) grid8
        let! dhn = Gen.arrayOfLength h grid8
        let c0 = { Variant = variant; Loss = loss; H = h; In = m; T = t; Wx = wx; Wh = wh; Bx = bx; Bh = bh; H0 = h0; Xs = xs; Dy = dy; DhN = dhn; V = [||] }
        let! v = Gen.arrayOfLength (dimension c0) grid8
        return { c0 with V = v }
    }

/// The generator's invariants (shrinking stays inside them).
let validCase (c: BpttCase) =
    let g = gates c.Variant
    c.H >= 1 && c.H <= 3 && c.In >= 1 && c.In <= 2 && c.T >= 1 && c.T <= 4
    && c.Wx.Length = g * c.H * c.In && c.Wh.Length = g * c.H * c.H && c.Bx.Length = g * c.H && c.Bh.Length = g * c.H
    && c.H0.Length = c.H && c.Xs.Length = c.T * c.In && c.Dy.Length = c.T * c.H && c.DhN.Length = c.H && c.V.Length = dimension c

/// The point θ + s·v, split back into (W_x, W_h, b_x, b_h, h_{−1}, x).
let private shifted (c: BpttCase) (s: float) =
    let g = gates c.Variant
    let sizes = [ g * c.H * c.In; g * c.H * c.H; g * c.H; g * c.H; c.H; c.T * c.In ]
    let theta = Array.concat [ c.Wx; c.Wh; c.Bx; c.Bh; c.H0; c.Xs ]
    let p = Array.init theta.Length (fun i -> theta[i] + s * c.V[i])
    let parts = sizes |> List.scan (+) 0 |> List.pairwise |> List.map (fun (a, b) -> p[a .. b - 1])
    match parts with
    | [ wx; wh; bx; bh; h0; xs ] -> wx, wh, bx, bh, h0, xs
    | _ -> failwith "unreachable"

/// The scalar objective f(θ + s·v) evaluated by the C# forward pass in precision 'T (binary32 or binary64), returned in binary64.
/// Vjp: f = Σ_t ⟨dy_t, h_t⟩ + ⟨dh_N, h_T⟩; TimeSynchronous: f = Σ_t ½‖h_t − τ_t‖² with τ = dy (the Loss entry point).
let private objective<'T when 'T: unmanaged and 'T: (new: unit -> 'T) and 'T: struct and 'T :> ValueType and 'T :> Numerics.IFloatingPointIeee754<'T>> (conv: float -> 'T) (back: 'T -> float) (c: BpttCase) (s: float) =
    let wx, wh, bx, bh, h0, xs = shifted c s
    let net: Network<'T> = Network<'T>(NetworkWeights(cellSpec c, [ LayerWeights(wx, wh, bx, bh, null) ]))
    let h0' = Array.map conv h0
    let xs' = Array.map conv xs
    match c.Loss with
    | Vjp ->
        let y = Array.zeroCreate<'T> (c.T * c.H)
        let hN = Array.zeroCreate<'T> c.H
        net.Forward(1, ReadOnlySpan xs', ReadOnlySpan.Empty, ReadOnlySpan h0', ReadOnlySpan.Empty, Span y, Span hN, Span.Empty)
        // The contraction with the co-vectors is exact-ish in binary64 (it only lowers the error of the objective).
        let mutable acc = 0.0
        for i in 0 .. y.Length - 1 do acc <- acc + c.Dy[i] * back y[i]
        for i in 0 .. hN.Length - 1 do acc <- acc + c.DhN[i] * back hN[i]
        acc
    | TimeSynchronous ->
        let tau = Array.map conv c.Dy
        back (net.Loss(1, ReadOnlySpan xs', ReadOnlySpan.Empty, ReadOnlySpan h0', ReadOnlySpan.Empty, ReadOnlySpan tau,
                       LossKind.SquaredError, null, null, null, Span.Empty, Span.Empty, Span.Empty))

/// The gradient ∇f at θ by the C# BPTT in precision 'T, flattened in the order of the direction space; `lastDropped` zeroes the
/// last step's co-vector (dy_{T−1} and dh_N, or the last loss term): the gradient an off-by-one BPTT computes.
let private bpttGradient<'T when 'T: unmanaged and 'T: (new: unit -> 'T) and 'T: struct and 'T :> ValueType and 'T :> Numerics.IFloatingPointIeee754<'T>> (conv: float -> 'T) (back: 'T -> float) (lastDropped: bool) (c: BpttCase) =
    let net: Network<'T> = Network<'T>(NetworkWeights(cellSpec c, [ LayerWeights(c.Wx, c.Wh, c.Bx, c.Bh, null) ]))
    let grads: NetworkGradients<'T> = NetworkGradients<'T>(net.Spec)
    let dh0 = Array.zeroCreate<'T> c.H
    let dx = Array.zeroCreate<'T> (c.T * c.In)
    let h0' = Array.map conv c.H0
    let xs' = Array.map conv c.Xs
    let dy = Array.map conv c.Dy
    if lastDropped then for i in (c.T - 1) * c.H .. c.T * c.H - 1 do dy[i] <- conv 0.0
    match c.Loss with
    | Vjp ->
        let dhN = if lastDropped then Array.zeroCreate<'T> c.H else Array.map conv c.DhN
        net.Backward(1, ReadOnlySpan xs', ReadOnlySpan.Empty, ReadOnlySpan h0', ReadOnlySpan.Empty, ReadOnlySpan dy, ReadOnlySpan dhN,
                     ReadOnlySpan.Empty, grads, Span dx, Span dh0, Span.Empty)
    | TimeSynchronous ->
        // Off-by-one: the last step's loss term is lost, i.e. the sequence is one step shorter in the backward pass.
        let lens = [| (if lastDropped then c.T - 1 else c.T) |]
        if lens[0] = 0 then ()
        else
            net.Loss(1, ReadOnlySpan xs', ReadOnlySpan lens, ReadOnlySpan h0', ReadOnlySpan.Empty, ReadOnlySpan dy,
                     LossKind.SquaredError, null, grads, null, Span dx, Span dh0, Span.Empty) |> ignore
    let l: LayerGradients<'T> = grads[0, 0]
    Array.concat [ l.Wx; l.Wh; l.Bx; l.Bh; dh0; dx ] |> Array.map back

/// Which (possibly broken) gradient the check is fed.
type Gradient =
    | Real
    | SignFlipped
    | LastStepDropped
    /// The backward pass reads each gate's H×H block of W_h transposed (column-major): the gradient of another function.
    | TransposedRecurrent

/// Precision of the checked arithmetic: unit roundoff u and the two C# entry points.
type Precision =
    | Single
    | Double

let private unitRoundoff = function Single -> 2.0 ** -24.0 | Double -> 2.0 ** -53.0

let private f (p: Precision) c s =
    match p with
    | Single -> objective float32 float c s
    | Double -> objective id id c s

/// Each gate's H×H block of W_h transposed (row g·H + i, column j ↦ row g·H + j, column i).
let transposeBlocks (c: BpttCase) =
    let h = c.H
    { c with Wh = Array.init c.Wh.Length (fun k -> let r, j = k / h, k % h in let g, i = r / h, r % h in c.Wh[(g * h + j) * h + i]) }

let private grad (p: Precision) (which: Gradient) c =
    let c = if which = TransposedRecurrent then transposeBlocks c else c
    let g =
        match p with
        | Single -> bpttGradient float32 float (which = LastStepDropped) c
        | Double -> bpttGradient id id (which = LastStepDropped) c
    if which = SignFlipped then Array.map (~-) g else g

/// The forward-error constant K of ε_f = K·u·S: the objective is a T-step recursion of G·H rows of length In + H + 2, then a
/// dot product of length T·H + H; docs/tolerances.md "Theorem 10" derives K = 4·(T + 1)·(In + H + 6) (γ_n ≤ 1.01·n·u per
/// dot product, rounding of θ + s·v, ≤ 4 correctly-rounded-to-a-few-ulps elementary functions per row, error propagated through
/// T steps with Jacobian norm ≤ 1 + ‖W‖ ≤ 2.5 absorbed into the factor 4).
let private forwardConstant (c: BpttCase) = 4.0 * float (c.T + 1) * float (c.In + c.H + 6)

/// The exact objective φ of a case over any scalar instance of the reference (src/Reference/Twins), at the parameter vector
/// p (flattened like θ): Vjp ⟨dy, y⟩ + ⟨dh_N, h_N⟩; TimeSynchronous Σ_t ½‖h_t − τ_t‖², τ = dy — the function the C# forward
/// evaluates in floating point.
let referenceObjective (s: RnnVerify.Reference.Scalar<'T>) (c: BpttCase) (p: 'T[]) : 'T =
    let g = gates c.Variant
    let offs = [ g * c.H * c.In; g * c.H * c.H; g * c.H; g * c.H; c.H; c.T * c.In ] |> List.scan (+) 0 |> Array.ofList
    let part k = p[offs[k] .. offs[k + 1] - 1]
    let layer: RnnVerify.Reference.Twins.LayerParams<'T> =
        { InputSize = c.In; HiddenSize = c.H; Wx = part 0; Wh = part 1; Bx = part 2; Bh = part 3; P = [||] }
    let spec = cellSpec c
    let inputs = RnnVerify.Reference.Twins.Network.inputs s spec c.T 1 (part 5) null (part 4) null
    let out = RnnVerify.Reference.Twins.Network.forward s spec [| layer |] inputs 0
    match c.Loss with
    | Vjp -> s.Add (s.Dot (Array.map s.OfFloat c.Dy) out.Y) (s.Dot (Array.map s.OfFloat c.DhN) out.Hn)
    | TimeSynchronous ->
        let half = s.OfFloat 0.5
        out.Y |> Array.mapi (fun i y -> let d = s.Sub y (s.OfFloat c.Dy[i]) in s.Mul half (s.Mul d d)) |> Array.fold s.Add s.Zero

/// A rigorous upper bound on M₃ = sup_{|s|≤r} |φ‴(s)|, φ(s) = f(θ + s·v): the reference objective run on triple-nested dual
/// numbers (value and three tangent levels along v, so the ε₁ε₂ε₃ coefficient is φ‴) over balls at `bits` bits, the values
/// being the balls θ_i ± r|v_i|; ball arithmetic encloses φ‴ at every point of the segment.
let m3Bound (bits: int) (c: BpttCase) (r: float) : float =
    let s3 = Dual.scalar (Dual.scalar (Dual.scalar (BallScalar.at bits)))
    let z = Ball.zero
    let lift (t: float) (v: float) =
        let vb = Ball.ofFloat v
        // The value ball θ_i ± r|v_i| (the product of two doubles is an exact dyadic).
        let x = Ball.create (Dyadic.ofFloat t) (Dyadic.mul (Dyadic.ofFloat (abs v)) (Dyadic.ofFloat r))
        Dual.make (Dual.make (Dual.make x vb) (Dual.make vb z)) (Dual.make (Dual.make vb z) (Dual.make z z))
    let theta = Array.concat [ c.Wx; c.Wh; c.Bx; c.Bh; c.H0; c.Xs ]
    let d3 = (referenceObjective s3 c (Array.map2 lift theta c.V)).D.D.D
    Ball.magUpper d3 |> Dyadic.roundUp 53 |> Dyadic.toFloat

/// The check of entry (a): |vᵀ∇f − (f(h) − f(−h))/(2h)| ≤ ε_f/h + h²M₃/6 + ε_g, M₃ a rigorous bound (m3Bound).
let checkFd (p: Precision) (which: Gradient) (c: BpttCase) : Verdict =
    let u = unitRoundoff p
    let g = grad p which c
    let dir = Array.fold2 (fun acc gi vi -> acc + gi * vi) 0.0 g c.V
    let dirAbs = Array.fold2 (fun acc gi vi -> acc + abs (gi * vi)) 0.0 g c.V
    let f0 = f p c 0.0
    let scaleF = abs f0 + dirAbs + 1.0
    let epsF = forwardConstant c * u * scaleF
    // Step: h₁ = (3ε_f)^{1/3} (the optimum for M₃ = 1), M₃ bounded rigorously on [−h₁, h₁], then h = min(h₁, (3ε_f/M₃)^{1/3})
    // so that [−h, h] ⊆ [−h₁, h₁] and the bound on M₃ still holds there.
    let h1 = Math.Cbrt(3.0 * epsF)
    let m3 = m3Bound 64 c h1
    let h = if m3 > 0.0 then min h1 (Math.Cbrt(3.0 * epsF / m3)) else h1
    let fd = (f p c h - f p c (-h)) / (2.0 * h)
    let epsG = forwardConstant c * u * (dirAbs + 1.0)
    let bound = epsF / h + h * h * m3 / 6.0 + epsG
    let err = abs (dir - fd)
    observe "|vᵀ∇f (BPTT) − central difference| ÷ ε_f/h + h²M₃/6 + ε_g" err bound
    check (Double.IsFinite dir && Double.IsFinite fd && err <= bound) (fun () ->
        $"{c.Variant} {c.Loss} {p}, H = {c.H}, In = {c.In}, T = {c.T}: vᵀ∇f (BPTT) = %.17g{dir}, central FD = %.17g{fd} (h = %.17g{h}), |diff| = %.17g{err} > bound %.17g{bound} (ε_f = %.17g{epsF}, M₃ ≤ %.17g{m3}, ε_g = %.17g{epsG})")

let private allVariants = [ ElmanTanh; ElmanSigmoid; Lstm; Gru ]
let private allLosses = [ Vjp; TimeSynchronous ]
let private fdGen = caseGen allVariants allLosses

/// The objective of an Elman tanh case at θ + z·v for complex z, by a complex forward pass written here with
/// System.Numerics.Complex (tanh is analytic and Complex.Tanh is safe for |Re| ≤ 2·(In + H + 2), far below its overflow).
/// The squared-error loss uses (h − τ)², not |h − τ|², so the objective is analytic in z.
let private complexObjective (c: BpttCase) (z: Numerics.Complex) =
    let g = 1
    let sizes = [ g * c.H * c.In; g * c.H * c.H; g * c.H; g * c.H; c.H; c.T * c.In ]
    let theta = Array.concat [ c.Wx; c.Wh; c.Bx; c.Bh; c.H0; c.Xs ]
    let p = Array.init theta.Length (fun i -> Numerics.Complex(theta[i], 0.0) + z * Numerics.Complex(c.V[i], 0.0))
    let offs = sizes |> List.scan (+) 0 |> Array.ofList
    let at k i = p[offs[k] + i]
    let mutable h = Array.init c.H (fun i -> at 4 i)
    let mutable acc = Numerics.Complex.Zero
    for t in 0 .. c.T - 1 do
        h <- Array.init c.H (fun i ->
            let mutable a = at 2 i + at 3 i
            for k in 0 .. c.In - 1 do a <- a + at 0 (i * c.In + k) * at 5 (t * c.In + k)
            for k in 0 .. c.H - 1 do a <- a + at 1 (i * c.H + k) * h[k]
            Numerics.Complex.Tanh a)
        for i in 0 .. c.H - 1 do
            let d = Numerics.Complex(c.Dy[t * c.H + i], 0.0)
            match c.Loss with
            | Vjp -> acc <- acc + d * h[i]
            | TimeSynchronous -> acc <- acc + Numerics.Complex(0.5, 0.0) * (h[i] - d) * (h[i] - d)
    match c.Loss with
    | Vjp -> for i in 0 .. c.H - 1 do acc <- acc + Numerics.Complex(c.DhN[i], 0.0) * h[i]
    | TimeSynchronous -> ()
    acc

/// The check of entry (c): |vᵀĝ − Im φ(i h)/h| ≤ 2K·u·(|f| + Σ|g_i v_i| + 1) + h²M₃/6 with h = 2⁻⁶⁰ (so the truncation term is
/// below 10⁻³⁶·M₃, negligible), K as in entry (a): the complex step has no cancellation, so only rounding of the two evaluations remains.
let checkComplexStep (which: Gradient) (c: BpttCase) : Verdict =
    let u = unitRoundoff Double
    let g = grad Double which c
    let dir = Array.fold2 (fun acc gi vi -> acc + gi * vi) 0.0 g c.V
    let dirAbs = Array.fold2 (fun acc gi vi -> acc + abs (gi * vi)) 0.0 g c.V
    let h = 2.0 ** -60.0
    let phi = complexObjective c (Numerics.Complex(0.0, h))
    let cs = phi.Imaginary / h
    let bound = 2.0 * forwardConstant c * u * (abs phi.Real + dirAbs + 1.0) + h * h * 1e3
    let err = abs (dir - cs)
    observe "|vᵀ∇f (BPTT) − Im φ(ih)/h| ÷ 2K·u·(|f| + Σ|g_i v_i| + 1) + 10³h²" err bound
    check (Double.IsFinite dir && Double.IsFinite cs && err <= bound) (fun () ->
        $"Elman tanh {c.Loss}, H = {c.H}, In = {c.In}, T = {c.T}: vᵀ∇f (BPTT, binary64) = %.17g{dir}, complex step = %.17g{cs}, |diff| = %.17g{err} > bound %.17g{bound}")

/// Theorem 10(c).
let bpttComplexStep =
    { Id = "10c BpttComplexStep"
      Statement = "BPTT is the gradient to near machine precision: the C# binary64 BPTT directional derivative of the Elman tanh cell agrees with the complex-step derivative Im φ(ih)/h, h = 2⁻⁶⁰, within 2K·u·(|f| + Σ|g_i v_i| + 1)"
      Hypotheses = [ "Elman tanh, one layer, H ≤ 3, In ≤ 2, T ≤ 4, the generator of 10a"; "VJP and time-synchronous squared-error losses (both analytic in θ)" ]
      Source = "Squire & Trapp, 'Using complex variables to estimate derivatives of real functions', SIAM Review 40(1), 1998 (doi:10.1137/S003614459631241X); Martins, Sturdza & Alonso, ACM TOMS 29(3), 2003; docs/theory.md §10"
      Proof = "φ analytic and real on the real axis: φ(ih) = φ(0) + ihφ′(0) − h²φ″(0)/2 − ih³φ‴(0)/6 + …, so Im φ(ih)/h = φ′(0) − h²φ‴(0)/6 + O(h⁴) with no subtractive cancellation; the error is the rounding of the complex forward (relative, like f) plus that of BPTT."
      Decided = "tolerance 2K·u·(|f| + Σ|g_i v_i| + 1), K = 4(T + 1)(In + H + 6), u = 2⁻⁵³, plus 10³h² for the truncation (h = 2⁻⁶⁰)" }

let private csGen = caseGen [ ElmanTanh ] allLosses

/// Theorem 10(a).
let bpttFiniteDifferences =
    { Id = "10a BpttIsTheGradient"
      Statement = "BPTT is the gradient: the C# BPTT directional derivative vᵀ∇f agrees with the central finite difference of the C# forward within ε_f/h + h²M₃/6 + ε_g, h = (3ε_f/M₃)^{1/3}, for the Elman (tanh, σ), LSTM and GRU cells, the VJP and time-synchronous losses, in binary32 and binary64"
      Hypotheses = [ "one layer, H ≤ 3, In ≤ 2, T ≤ 4; weights, biases, h_{−1} on k/16 ⊂ [−½, ½], inputs on k/16 ⊂ [−1, 1]"; "co-vectors (dy, dh_N) or targets on k/8 ⊂ [−1, 1]; direction v over (W_x, W_h, b_x, b_h, h_{−1}, x) on k/8 ⊂ [−1, 1]"; "smooth activations only (ReLU excluded: f is not C³ at its kink)" ]
      Source = "Werbos, 'Backpropagation through time: what it does and how to do it', Proc. IEEE 78(10), 1990 (doi:10.1109/5.58337); Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., §3; derivation in docs/theory.md §10"
      Proof = "BPTT is reverse-mode differentiation of the unrolled recursion, so vᵀ∇f = (f∘(θ + s v))′(0). Taylor with remainder: (f(h) − f(−h))/(2h) = f′(0) + h²f‴(ξ)/6; computed values carry |f̂ − f| ≤ ε_f, adding ≤ ε_f/h; minimising over h gives h = (3ε_f/M₃)^{1/3}."
      Decided = "tolerance ε_f/h + h²M₃/6 + ε_g with ε_f = ε_g-constant K·u·(|f| + Σ|g_i v_i| + 1), K = 4(T + 1)(In + H + 6), and M₃ a rigorous bound on sup_{|s|≤h₁}|φ‴(s)|, h₁ = (3ε_f)^{1/3} ≥ h: the exact objective (the reference twin of the cell) on triple-nested dual numbers over balls at 64 bits (docs/tolerances.md)" }

[<Tests>]
let tests =
    testList "Theorem 10: BPTT is the gradient" [
        theorem bpttFiniteDifferences (arbitrary fdGen validCase) (checkFd Double Real)
        theorem { bpttFiniteDifferences with Statement = bpttFiniteDifferences.Statement + " [binary32]" } (arbitrary fdGen validCase) (checkFd Single Real)
        catches bpttFiniteDifferences "a sign error in the gradient" fdGen (checkFd Double SignFlipped)
        catches bpttFiniteDifferences "an off-by-one step (the last step's contribution dropped)" fdGen (checkFd Double LastStepDropped)
        catches bpttFiniteDifferences "a transposed W_h in the backward pass (each gate block read column-major)" fdGen (checkFd Double TransposedRecurrent)
        theorem bpttComplexStep (arbitrary csGen validCase) (checkComplexStep Real)
        catches bpttComplexStep "a sign error in the gradient" csGen (checkComplexStep SignFlipped)
        catches bpttComplexStep "an off-by-one step (the last step's contribution dropped)" csGen (checkComplexStep LastStepDropped)
        catches bpttComplexStep "a transposed W_h in the backward pass (each gate block read column-major)" csGen (checkComplexStep TransposedRecurrent)
        catches { bpttFiniteDifferences with Statement = bpttFiniteDifferences.Statement + " [binary32]" } "an off-by-one step in binary32 (the last step's contribution dropped)" fdGen (checkFd Single LastStepDropped)
    ]
