/// Theorem 10(b): the reference BPTT (src/Reference, ball arithmetic) is the gradient to ≥ 25 digits. Three independent
/// enclosures of the directional derivative vᵀJu — reverse mode (Bptt.vjp), forward mode (dual numbers over balls) and a
/// central difference whose truncation error is bounded rigorously (the third derivative along u enclosed over the whole
/// step interval by third-order forward mode, nested dual numbers over balls) — are compared; no estimate is involved.
module RnnVerify.Properties.Theorems.BpttReference

open System.Numerics
open Expecto
open FsCheck.FSharp
open RnnVerify.Reference
open RnnVerify.Reference.Twins
open RnnVerify.Properties.Catalogue
open RnnVerify.Properties.Theorems.BpttIsTheGradient

/// Working precision in bits: the difference quotient divides the rounding radius of f (≈ 2^−155·|f|) by h = 2^−50, which
/// leaves ≈ 2^−105, far below the claimed 2^−84.
let prec = 160

/// Precision of the third-derivative enclosure M₃ (an upper bound only).
let m3Prec = 64

/// The difference step h = 2^hExp: the truncation term h²M₃/6 = 2^−100·M₃/6 stays below 2^−84 while M₃ < 6·2^16.
let hExp = -50

/// The claimed agreement: every enclosure, and their hull, narrower than 2^widthExp·(1 + |vᵀJu|); 2^−84 < 10^−25.
let widthExp = -84

/// The direction-space vector a (θ or u) split into (W_x, W_h, b_x, b_h, h_{−1}, x) of the case.
let private parts (c: BpttCase) (a: 'T[]) =
    let g = gates c.Variant
    let offs = [ g * c.H * c.In; g * c.H * c.H; g * c.H; g * c.H; c.H; c.T * c.In ] |> List.scan (+) 0 |> Array.ofList
    Array.init 6 (fun k -> a[offs[k] .. offs[k + 1] - 1])

/// The layer and the inputs of the case at the parameter vector p (over any scalar type).
let private network (s: Scalar<'T>) (c: BpttCase) (p: 'T[]) =
    let ps = parts c p
    let layer = { InputSize = c.In; HiddenSize = c.H; Wx = ps[0]; Wh = ps[1]; Bx = ps[2]; Bh = ps[3]; P = [||] }
    let spec = cellSpec c
    spec, [| layer |], Network.inputs s spec c.T 1 ps[5] null ps[4] null

/// φ(p) = ⟨dy, y⟩ + ⟨dh_N, h_N⟩ of the reference forward at p, over any scalar type (Ball, duals over Ball, …).
let objective (s: Scalar<'T>) (c: BpttCase) (p: 'T[]) : 'T =
    let spec, layers, inputs = network s c p
    let out = Network.forward s spec layers inputs 0
    s.Add (s.Dot (Array.map s.OfFloat c.Dy) out.Y) (s.Dot (Array.map s.OfFloat c.DhN) out.Hn)

/// The parameter vector θ of the case, flattened in the order of the direction space.
let private theta (c: BpttCase) = Array.concat [ c.Wx; c.Wh; c.Bx; c.Bh; c.H0; c.Xs ]

/// Which reverse mode the check is fed: the reference's own, or a deliberately broken one.
type Reverse =
    | Honest
    /// Each gate's H×H block of W_h read transposed by the backward pass.
    | TransposedWh
    /// The last step's upstream gradient (dy_{T−1} and dh_N) dropped: an off-by-one in the time loop.
    | LastStepLost

/// (vᵀJ)·u by the reference BPTT (Bptt.vjp) at prec bits.
let private reverse (which: Reverse) (c: BpttCase) =
    let s = BallScalar.at prec
    let c' = if which = TransposedWh then transposeBlocks c else c
    let spec, layers, inputs = network s c' (theta c' |> Array.map Ball.ofFloat)
    let dy = c.Dy |> Array.mapi (fun i v -> if which = LastStepLost && i >= (c.T - 1) * c.H then Ball.zero else Ball.ofFloat v)
    let dhn = if which = LastStepLost then Array.create c.H Ball.zero else Array.map Ball.ofFloat c.DhN
    let _, g = Bptt.vjp s spec layers inputs 0 dy dhn [||]
    let l = g.Layers[0]
    let grad = Array.concat [ l.Wx; l.Wh; l.Bx; l.Bh; g.Dh0; g.Dx ]
    Ball.dot prec grad (Array.map Ball.ofFloat c.V)

/// The three enclosures of vᵀJu, the bound on the truncation error used, and M₃.
type Enclosures = { Reverse: Ball; Forward: Ball; Difference: Ball; Truncation: Dyadic; M3: Ball }

/// Computes the enclosures: reverse mode; forward mode (the objective over dual numbers with tangent u); and the central
/// difference D_h = (φ(h) − φ(−h))/(2h), φ(s) = f(θ + s·u), widened by h²M₃/6 with M₃ ≥ sup_{|s|≤h}|φ‴(s)| enclosed by
/// the objective over triple-nested dual numbers at the ball θ + [−h, h]·u (Taylor: D_h − φ′(0) = h²(φ‴(ξ₁) + φ‴(ξ₂))/12).
let enclosures (which: Reverse) (c: BpttCase) =
    let s = BallScalar.at prec
    let th, u = theta c, c.V
    let ub = Array.map Ball.ofFloat u
    // Forward mode.
    let d1 = Dual.scalar s
    let forward = (objective d1 c (Array.map2 (fun t v -> Dual.make (Ball.ofFloat t) v) th ub)).D
    // Central difference at exact dyadic points θ ± 2^hExp·u.
    let at sign = objective s c (Array.map2 (fun t v -> Ball.add prec (Ball.ofFloat t) (Ball.mulPow2 (Ball.ofFloat (sign * v)) hExp)) th u)
    let dh = Ball.mulPow2 (Ball.sub prec (at 1.0) (at -1.0)) (-hExp - 1)
    // M₃ over the whole interval: value balls θ_i ± 2^hExp|u_i|, tangent u at each of the three levels.
    // Only an upper bound is needed here, so 64 bits suffice (the enclosure stays rigorous, merely wider).
    let d3 = Dual.scalar (Dual.scalar (Dual.scalar (BallScalar.at m3Prec)))
    let z = Ball.zero
    let lift3 (t: float) (v: Ball) =
        let mid = Ball.create (Dyadic.ofFloat t) (Dyadic.mulPow2 (Ball.magUpper v) hExp)
        Dual.make (Dual.make (Dual.make mid v) (Dual.make v z)) (Dual.make (Dual.make v z) (Dual.make z z))
    let m3 = (objective d3 c (Array.map2 lift3 th ub)).D.D.D
    let trunc = Dyadic.divUp prec (Dyadic.mulPow2 (Ball.magUpper m3) (2 * hExp)) (Dyadic.ofInt 6)
    { Reverse = reverse which c; Forward = forward; Difference = Ball.inflate dh trunc; Truncation = trunc; M3 = m3 }

/// Radius ≤ 2^k·(1 + |mid|).
let private narrow (k: int) (b: Ball) =
    Dyadic.compare b.Rad (Dyadic.mulPow2 (Dyadic.add Dyadic.one (Dyadic.abs b.Mid)) k) <= 0

let private show (b: Ball) = Conversions.toDecimalString 40 b

/// The check: the three enclosures share a point (each contains the exact derivative, so a disjoint pair refutes one of
/// them), and their hull is narrower than 2^−84(1 + |·|): all three agree with the exact derivative to ≥ 25 digits.
let checkReference (which: Reverse) (c: BpttCase) : Verdict =
    let e = enclosures which c
    let all3 = [ e.Reverse; e.Forward; e.Difference ]
    let hull = all3 |> List.reduce Ball.union
    let common =
        let lower = all3 |> List.map Ball.lower |> List.reduce (fun a b -> if Dyadic.compare a b >= 0 then a else b)
        let upper = all3 |> List.map Ball.upper |> List.reduce (fun a b -> if Dyadic.compare a b <= 0 then a else b)
        Dyadic.compare lower upper <= 0
    observe "width of the hull of the three enclosures ÷ 2^−84(1 + |vᵀJu|)"
        (2.0 * Dyadic.toFloat hull.Rad) (2.0 * Dyadic.toFloat (Dyadic.mulPow2 (Dyadic.add Dyadic.one (Dyadic.abs hull.Mid)) widthExp))
    check (common && narrow widthExp hull) (fun () ->
        $"{c.Variant}, H = {c.H}, In = {c.In}, T = {c.T}: reverse {show e.Reverse}, forward {show e.Forward}, difference {show e.Difference} (h²M₃/6 = %.3g{Dyadic.toFloat e.Truncation}, M₃ ∈ {show e.M3}); common point: {common}")

/// Theorem 10(b).
let bpttReference =
    { Id = "10b BpttReference"
      Statement = "the reference BPTT is the gradient to ≥ 25 digits: its enclosure of vᵀJu, the forward-mode (dual-number) enclosure and the central difference of step 2⁻⁵⁰ widened by a rigorous h²M₃/6 share a point and their hull is narrower than 2⁻⁸⁴(1 + |vᵀJu|) < 10⁻²⁵(1 + |vᵀJu|), at 160 bits"
      Hypotheses =
        [ "the cases of theorem 10a: Elman (tanh, σ), LSTM and GRU, one layer, H ≤ 3, In ≤ 2, T ≤ 4; weights, biases, h_{−1} on k/16 ⊂ [−½, ½], inputs on k/16 ⊂ [−1, 1]"
          "the VJP objective φ = ⟨dy, y⟩ + ⟨dh_N, h_N⟩ with co-vectors on k/8 ⊂ [−1, 1]; direction u on k/8 ⊂ [−1, 1] over (W_x, W_h, b_x, b_h, h_{−1}, x)"
          "ball arithmetic at 160 bits (src/Reference); smooth activations only (no kink within the step interval)" ]
      Source = "Werbos, Proc. IEEE 78(10), 1990 (BPTT); Griewank & Walther, 'Evaluating Derivatives', 2nd ed., SIAM 2008, ch. 3 and 13 (forward mode, Taylor coefficients by nested duals); Johansson, arXiv:1611.02831 (ball arithmetic); docs/theory.md §10"
      Proof = "Each enclosure contains φ′(0) = vᵀJu: reverse and forward mode evaluate exact derivative formulas in ball arithmetic; for the difference, Taylor with remainder gives (φ(h) − φ(−h))/(2h) − φ′(0) = h²(φ‴(ξ₁) + φ‴(ξ₂))/12 with |ξ_i| ≤ h, and the triple-dual run at the ball θ + [−h, h]u encloses φ‴ on the whole interval. Sets that all contain one real share a point; a hull of width w puts each of them within w of φ′(0)."
      Decided = "exactly by ball enclosures (every end point rigorous, no tolerance estimated): the three share a point and the hull's radius ≤ 2⁻⁸⁴(1 + |mid|)" }

let private refGen = caseGen [ ElmanTanh; ElmanSigmoid; Lstm; Gru ] [ Vjp ]

[<Tests>]
let tests =
    testList "Theorem 10b: the reference BPTT" [
        theorem bpttReference (arbitrary refGen validCase) (checkReference Honest)
        catches bpttReference "a transposed W_h in the backward pass (each gate block read column-major)" refGen (checkReference TransposedWh)
        catches bpttReference "an off-by-one step in BPTT (the last step's upstream gradient dropped)" refGen (checkReference LastStepLost)
    ]
