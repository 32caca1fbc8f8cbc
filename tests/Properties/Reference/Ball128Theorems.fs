/// Theorems about src/Reference/Fast (Ball128, Elementary128, Ball128Scalar and the 128-bit ReferenceNetwork paths that use
/// them). The yardstick is the BigInteger Ball at 256–512 bits: the fixed-width ball must contain the fine ball's midpoint (the
/// exact result up to 2^−250) and be no wider than the documented bound (docs/tolerances.md, "Ball128").
module RnnVerify.Properties.Reference.Ball128Theorems

open System
open System.Numerics
open Expecto
open FsCheck
open FsCheck.FSharp
open RnnVerify.Cells
open RnnVerify.Reference
open RnnVerify.Reference.Fast
open RnnVerify.Reference.Twins
open RnnVerify.Reference.Tolerance
open RnnVerify.Properties.Theorem
open RnnVerify.Properties.Twins
open RnnVerify.Properties.Reference.Support

/// Precision of the yardstick.
let private fine = 512

/// |d| as a double rounded up (for width bounds in messages and comparisons).
let private magOf (d: Dyadic) = abs (Dyadic.toFloat d) * (1.0 + Math.ScaleB(1.0, -50))

/// Relative width bound of one arithmetic operation's own error: the truncation to 128 bits (< 2^−127 relative) plus
/// upward-rounded double radius arithmetic; 2^−124 leaves room for the magnitude bounds' factor (1 + 2^−52) terms.
let private opRelative = Math.ScaleB(1.0, -124)

/// Relative width bound of exp, σ, tanh, expm1 at an exact argument: the core's 2^−123 plus the compositions' few operations
/// (each ≤ 2^−124 relative, amplified by at most 4 through the reciprocal and the products): 2^−118.
let private elementaryRelative = Math.ScaleB(1.0, -118)

/// Fixed-width result `fast` against the fine Ball `exact`: contains its midpoint, and radius ≤ exact.Rad·(1 + 2^−40) +
/// rel·|exact.Mid| + the smallest normal double (radii below the double range are rounded up to it).
let private checkAgainst (what: string) (rel: float) (fast: Ball128) (exact: Ball) =
    let b = Ball128.toBall fast
    if not (Ball.contains b exact.Mid) then
        failtestf "%s: fixed-width %s does not contain the %d-bit midpoint %s" what (show b) fine (show exact)
    let r = Ball128.radius fast
    let bound = (magOf exact.Rad) * (1.0 + Math.ScaleB(1.0, -40)) + rel * magOf exact.Mid + 2.2250738585072014E-308
    if Double.IsNaN r || not (r <= bound) then
        failtestf "%s: radius %.17g exceeds the bound %.17g (fixed-width %s, %d-bit %s)" what r bound (show b) fine (show exact)

/// A ball with a full 128-bit midpoint: random 1..128-bit mantissa, exponent in [−160, 160], radius 0 (half the cases) or
/// |mid|·2^−k, k ∈ [20, 140]; and its Ball128 (ofBall, which must contain it).
let private wideBall: Gen<Ball> =
    gen {
        let! a = Gen.choose (Int32.MinValue, Int32.MaxValue)
        let! b = Gen.choose (Int32.MinValue, Int32.MaxValue)
        let! c = Gen.choose (Int32.MinValue, Int32.MaxValue)
        let! d = Gen.choose (Int32.MinValue, Int32.MaxValue)
        let! bits = Gen.choose (1, 128)
        let! e = Gen.choose (-160, 160)
        let! exact = Gen.elements [ true; false ]
        let! k = Gen.choose (20, 140)
        let m =
            let raw = (BigInteger(uint32 a) <<< 96) + (BigInteger(uint32 b) <<< 64) + (BigInteger(uint32 c) <<< 32) + BigInteger(uint32 d)
            let m = raw >>> (128 - bits)
            if a % 2 = 0 then -m else m
        let mid = Dyadic.create m e
        let rad = if exact || m.IsZero then Dyadic.zero else Dyadic.mulPow2 (Dyadic.abs mid) -k
        return Ball.create mid rad
    }

/// Vectors for dot products: lengths 0..70, entries of mixed exponents (including zeros), and half the time the second half
/// of the products cancelling the first exactly (x ++ x against y ++ −y) up to a small remainder.
let private dotVectors: Gen<Ball[] * Ball[]> =
    gen {
        let! n = Gen.choose (0, 35)
        let! xs = Gen.arrayOfLength n wideBall
        let! ys = Gen.arrayOfLength n wideBall
        let! zero = Gen.choose (-1, n - 1)
        let xs = xs |> Array.mapi (fun i v -> if i = zero then Ball.zero else v)
        let! cancel = Gen.elements [ true; false ]
        let! extra = wideBall
        if cancel then return Array.append xs [| extra |] |> Array.append xs, Array.append (Array.map Ball.neg ys) [| Ball.one |] |> Array.append ys
        else return xs, ys
    }

/// Weights for WeightRows128: ±0, subnormal (down to the smallest), any exponent of the double range, huge (2^1000, which
/// sends the product out of the fast range) and moderate ones.
let private weightDouble: Gen<float> =
    gen {
        let! kind = Gen.choose (0, 9)
        let! u = Gen.choose (-1_000_000, 1_000_000)
        let! k = Gen.choose (-1074, 1000)
        let frac = float u / 1_000_000.0
        return
            match kind with
            | 0 -> (if u < 0 then -0.0 else 0.0)
            | 1 -> float (sign u) * BitConverter.Int64BitsToDouble(int64 (abs u))
            | 2 -> Math.ScaleB(frac, 1000)
            | 3 | 4 -> Math.ScaleB(frac, k)
            | _ -> frac
    }

/// Two weight rows of length n ∈ 0..71 (the second is the one under test) and an operand vector of wideBalls (radius 0 or
/// relative); half the time the second half of the products cancels the first (w ++ w ++ [1] against v ++ −v ++ [extra]).
let private rowCase: Gen<float[] * float[] * Ball[]> =
    gen {
        let! n = Gen.choose (0, 35)
        let! w = Gen.arrayOfLength n weightDouble
        let! v = Gen.arrayOfLength n wideBall
        let! cancel = Gen.elements [ true; false ]
        let! extra = wideBall
        let w, v = if cancel then Array.concat [ w; w; [| 1.0 |] ], Array.concat [ v; Array.map Ball.neg v; [| extra |] ] else w, v
        let! other = Gen.arrayOfLength w.Length weightDouble
        return other, w, v
    }

/// Arguments of the elementary functions: ±0, tiny (down to 2^−1070), moderate, saturating (|x| up to 4·10^6) and
/// fallback ones (beyond the fast path's 2^20), with a radius 0 (mostly) or up to 2^−30 relative.
let private elementaryArg (limit: float) : Gen<Ball> =
    gen {
        let! kind = Gen.choose (0, 9)
        let! u = Gen.choose (-1_000_000, 1_000_000)
        let! k = Gen.choose (0, 1070)
        let! j = Gen.choose (30, 140)
        let! withRad = Gen.frequency [ 3, Gen.constant false; 1, Gen.constant true ]
        let frac = float u / 1_000_000.0
        let x =
            match kind with
            | 0 -> (if u < 0 then -0.0 else 0.0)
            | 1 -> Math.ScaleB(frac, -k)
            | 2 | 3 | 4 | 5 -> frac * 40.0
            | 6 -> frac * 0.4
            | 7 -> frac * 200.0
            | 8 -> frac * min limit 2000.0
            | _ -> frac * limit
        let b = Ball.ofFloat x
        return if withRad && x <> 0.0 then Ball.create b.Mid (Dyadic.mulPow2 (Dyadic.abs b.Mid) -j) else b
    }

/// Wide arguments of σ and tanh: radii from 2^−1 to 2^40 (balls an identity-gate LSTM reaches within three steps) and
/// midpoints within radius + 150 of 0, so each ball meets [−150, 150] (512-bit images of arguments beyond 10^6 cost tens of
/// ms each, and near the limits ±1 a 512-bit image is no yardstick for a 128-bit ball; narrow balls far out are the
/// elementary theorem's saturating and fallback arguments).
let private wideArg: Gen<Ball> =
    gen {
        let! u = Gen.choose (-1_000_000, 1_000_000)
        let! j = Gen.choose (-1, 40)
        let rad = Math.ScaleB(1.0, j)
        return Ball.create (Dyadic.ofFloat (float u / 1_000_000.0 * (rad + 150.0))) (Dyadic.ofFloat rad)
    }

/// e^x − 1 at p bits: Elementary.expm1 near 0, e^x − 1 elsewhere (Elementary.expm1's doubling steps widen its ball for
/// large negative x, where the −1 + e^x the test needs is exactly representable at 2048 bits).
let private expm1Yardstick p (x: Ball) =
    if abs (Dyadic.toFloat x.Mid) > 0.5 then Ball.sub p (Elementary.exp p x) Ball.one else Elementary.expm1 p x

let private elementaryFunctions: (string * (Ball128 -> Ball128) * (int -> Ball -> Ball) * float) list =
    [ "exp", Elementary128.exp, Elementary.exp, 3000.0
      "expm1", Elementary128.expm1, expm1Yardstick, 3000.0
      "sigmoid", Elementary128.sigmoid, Elementary.sigmoid, 4.0e6
      "tanh", Elementary128.tanh, Elementary.tanh, 4.0e6 ]

/// Inputs of one step: x [In], h_{t−1} [H], c_{t−1} [H] with dyadic entries in [−2, 2].
let private stepCase =
    gen {
        let! spec = Generators.specWith 4 4
        let! weights = Generators.weightsWith Generators.fine spec
        let! layer = Gen.choose (0, spec.NumLayers - 1)
        let! x = Gen.arrayOfLength (spec.LayerInputSize layer) Generators.fine
        let! h = Gen.arrayOfLength spec.HiddenSize Generators.fine
        let! c = Gen.arrayOfLength spec.HiddenSize Generators.fine
        return spec, weights, layer, x, h, c
    }

/// Width claimed for a whole step or network at 128 bits: 2^−100 (1 + |value|).
let private narrow (b: Ball) =
    let r = Dyadic.toFloat b.Rad
    r <= Math.ScaleB(1.0, -100) * (1.0 + abs (Dyadic.toFloat b.Mid))

/// One step of a stepCase by ReferenceNetwork.Step at 128 bits (Ball128) and by the BigInteger twin at `fine` bits.
let private fastAndFineStep (spec: CellSpec, weights: NetworkWeights, layer: int, x: float[], h: float[], c: float[]) =
    let w = weights.Layers[layer * spec.Directions]
    let fast = ReferenceNetwork.Step(spec, layer, w, x, h, c, 128)
    let s = BallScalar.at fine
    let lift = Array.map Ball.ofFloat
    fast, Step.run s spec (Step.lift s spec layer w) (lift x) (lift h) (if spec.Kind = CellKind.Lstm then lift c else [||])

/// A fed-reference case: a network of every kind and option (H, In ≤ 2, T ≤ 3, 30-bit dyadic values so that no
/// pre-activation lands on a kink of relu or clip), either feeding, and a claimed y [T][B][D·H] (or null: the plain recursion).
let private fedCase =
    gen {
        let! c = Generators.caseWith Generators.fine Generators.tinySpec 3
        let! feeding = Gen.elements [ Feeding.ClaimedStates; Feeding.ReferenceStates ]
        let! claimed = Gen.arrayOfLength (c.Steps * c.Batch * c.Spec.Directions * c.Spec.HiddenSize) Generators.fine
        let! withClaims = Gen.frequency [ 3, Gen.constant true; 1, Gen.constant false ]
        return c, feeding, (if withClaims then claimed else null)
    }

[<Tests>]
let tests =
    testList "Ball128" [
        theorem "Ball128.ofFloat is exact: its Ball is the double itself with radius 0, for every finite double"
            (fun (NormalFloat x) ->
                let b = Ball128.toBall (Ball128.ofFloat x)
                let q = rationalOfFloat x
                (Ball.isExact b && cmpQ (rationalOfDyadic b.Mid) q = 0)
                |> Prop.label (sprintf "x = %.17g (%016x): %s" x (BitConverter.DoubleToInt64Bits x) (show b)))

        theorem "Ball128.ofBall contains the Ball, radius ≤ its radius + 2^−127 relative"
            (Prop.forAll (Arb.fromGen wideBall) (fun b ->
                let f = Ball128.ofBall b
                if not (Ball.containsBall (Ball128.toBall f) b) then failtestf "%s ⊄ %s" (show b) (show (Ball128.toBall f))
                checkAgainst "ofBall" (Math.ScaleB(1.0, -127)) f b))

        theorem "Ball128 x + y, x − y and x·y enclose the 512-bit Ball results, each no wider than the propagated radius + 2^−124 relative"
            (Prop.forAll (Arb.fromGen (Gen.zip wideBall wideBall)) (fun (x, y) ->
                let fx, fy = Ball128.ofBall x, Ball128.ofBall y
                // The yardstick starts from the same sets as the fixed-width operands (ofBall may round the midpoint).
                let bx, by = Ball128.toBall fx, Ball128.toBall fy
                checkAgainst "add" opRelative (Ball128.add fx fy) (Ball.add fine bx by)
                checkAgainst "sub" opRelative (Ball128.sub fx fy) (Ball.sub fine bx by)
                checkAgainst "sub self" opRelative (Ball128.sub fx fx) (Ball.sub fine bx bx)
                checkAgainst "mul" opRelative (Ball128.mul fx fy) (Ball.mul fine bx by)))

        theorem "Ball128 1/x and x/y enclose the 512-bit Ball results when the divisor is bounded away from 0, within 2^−120 relative beyond the propagated radius"
            (Prop.forAll (Arb.fromGen (Gen.zip wideBall wideBall)) (fun (x, y) ->
                let fx, fy = Ball128.ofBall x, Ball128.ofBall y
                let bx, by = Ball128.toBall fx, Ball128.toBall fy
                if not (Ball.containsZero by) then
                    // The fine radius of 1/y is ρ/(|m|(|m| − ρ)) like the fixed-width one; both are bounds of the same spread.
                    checkAgainst "recip" (Math.ScaleB(1.0, -120)) (Ball128.recip fy) (Ball.div fine Ball.one by)
                    checkAgainst "div" (Math.ScaleB(1.0, -119)) (Ball128.div fx fy) (Ball.div fine bx by)))

        testCase "Ball128 1/x encloses the 512-bit 1/x within 2^−120 relative at the mantissas next to 1 and 2 (1 ± 2^−k, 2 − 2^−k, k = 1..127, and 1.5·2^e), where the reciprocal's double seed is capped or exact" <| fun () ->
            let args =
                [ for k in 1..127 do
                    let u = Dyadic.pow2 -k
                    yield Dyadic.add Dyadic.one u
                    yield Dyadic.sub Dyadic.one u
                    yield Dyadic.sub (Dyadic.ofInt 2) u
                  for e in [ -900; -1; 0; 1; 900 ] do
                    yield Dyadic.mulPow2 (Dyadic.ofFloat 1.5) e
                    yield Dyadic.mulPow2 (Dyadic.ofFloat -1.75) e ]
            for d in args do
                let f = Ball128.ofBall (Ball.exact d)
                checkAgainst "recip" (Math.ScaleB(1.0, -120)) (Ball128.recip f) (Ball.div fine Ball.one (Ball128.toBall f))

        theorem "Ball128.dot encloses the 512-bit Ball.dot for mixed exponents, zeros, exact cancellation and lengths 0..71, within 2^−124 relative of the sum plus 2^−240 of Σ|xᵢyᵢ|"
            (Prop.forAll (Arb.fromGen dotVectors) (fun (xs, ys) ->
                let fxs, fys = Array.map Ball128.ofBall xs, Array.map Ball128.ofBall ys
                let bxs, bys = Array.map Ball128.toBall fxs, Array.map Ball128.toBall fys
                let exact = if bxs.Length = 0 then Ball.zero else Ball.dot fine bxs bys
                let sumAbs = Array.fold2 (fun acc (a: Ball) (b: Ball) -> acc + magOf a.Mid * magOf b.Mid) 0.0 bxs bys
                let fast = Ball128.dot fxs fys
                // Products below the largest one's 2^−254 unit are truncated there (n·2^−254 of the largest product at most).
                if not (Ball.contains (Ball128.toBall fast) exact.Mid) then
                    failtestf "dot: %s does not contain the %d-bit midpoint %s" (show (Ball128.toBall fast)) fine (show exact)
                let r = Ball128.radius fast
                let bound = magOf exact.Rad * (1.0 + Math.ScaleB(1.0, -40)) + opRelative * magOf exact.Mid + Math.ScaleB(sumAbs, -240) + 2.2250738585072014E-308
                (r <= bound) |> Prop.label (sprintf "radius %.17g, bound %.17g" r bound)))

        testCase "a dot product whose low-order carry crosses every limb is exact: Σ over (2^128 − 1)·2^−128 and 2^−128 is 1" <| fun () ->
            let allOnes = Ball.create (Dyadic.create ((BigInteger.One <<< 128) - BigInteger.One) -128) Dyadic.zero
            let tiny = Ball.exact (Dyadic.pow2 -128)
            let r = Ball128.dot [| Ball128.ofBall allOnes; Ball128.ofBall tiny |] [| Ball128.one; Ball128.one |]
            let b = Ball128.toBall r
            Expect.isTrue (Ball.contains b Dyadic.one && Ball.isExact b) (sprintf "expected exactly 1, got %s" (show b))

        testCase "a dot product whose radius terms underflow the double range keeps a positive radius that encloses them" <| fun () ->
            // |m_x|·r_y = 2^−60·2^−1040 = 2^−1100: below the smallest subnormal double.
            let x = Ball128.ofFloat (Math.ScaleB(1.0, -60))
            let y = Ball128.ofBall (Ball.create (Dyadic.pow2 -900) (Dyadic.pow2 -1040))
            let r = Ball128.dot [| x; x |] [| y; y |]
            let exact = Ball.dot fine [| Ball128.toBall x; Ball128.toBall x |] [| Ball128.toBall y; Ball128.toBall y |]
            Expect.isTrue (Ball128.radius r > 0.0 && Ball.containsBall (Ball128.toBall r) exact)
                (sprintf "radius %.17g, fixed-width %s, exact %s" (Ball128.radius r) (show (Ball128.toBall r)) (show exact))

        /// The containment yardstick is the exact dot (Precision.exact: the exact sum of the midpoint products):
        /// with weights near 2^1000 and subnormal ones the 512-bit Ball.dot's own rounding (2^−512 relative) can exceed the
        /// slack of a 128-bit fallback ball whose rounding error is its whole radius (seed 14888642463396770218,
        /// 3785961309803381803, 94: the 512-bit midpoint lay 1.8e150 outside a ball of 2.6e305 ± 1.0e154 that contains the
        /// exact sum).
        theorem "WeightRows128.dot encloses the exact Ball.dot of the exact double weights for subnormal, huge (fallback) and mixed-exponent weights, zeros, exact cancellation and lengths 0..71, within 2^−124 relative of the sum plus 2^−240 of Σ|wᵢvᵢ|"
            (Prop.forAll (Arb.fromGen rowCase) (fun (other, w, v) ->
                let n = w.Length
                let rows = WeightRows128.create 2 n (fun r k -> if r = 0 then other[k] else w[k])
                let fv = Array.map Ball128.ofBall v
                let bv = Array.map Ball128.toBall fv
                let bw = Array.map Ball.ofFloat w
                let exact = if n = 0 then Ball.zero else Ball.dot Precision.exact bw bv
                // The width is measured against the 512-bit ball (its radius rounded like the fallback's, 30 bits per step).
                let fineBall = if n = 0 then Ball.zero else Ball.dot fine bw bv
                let sumAbs = Array.fold2 (fun acc (a: Ball) (b: Ball) -> acc + magOf a.Mid * magOf b.Mid) 0.0 bw bv
                let fast = WeightRows128.dot rows 1 fv
                if not (Ball.contains (Ball128.toBall fast) exact.Mid) then
                    failtestf "dot: %s does not contain the exact midpoint %s" (show (Ball128.toBall fast)) (show exact)
                let r = Ball128.radius fast
                // A fallback value is the 128-bit Ball.dot, whose last radius sum (with its rounding error) is rounded up to 30
                // bits, where the 512-bit ball's rounds a different sum: up to two 30-bit units (2^−28 relative) apart
                // (seed 12701624012495008592, 12392720512353569943, 81: one product 2.05e306, radii 1.1140261360e287 and
                // 1.1140261345e287). The fast path's radius is a double sum, within 2^−40.
                let slack = if Ball128.isFast fast then Math.ScaleB(1.0, -40) else Math.ScaleB(1.0, -27)
                let bound = magOf fineBall.Rad * (1.0 + slack) + opRelative * magOf fineBall.Mid + Math.ScaleB(sumAbs, -240) + 2.2250738585072014E-308
                (r <= bound) |> Prop.label (sprintf "radius %.17g, bound %.17g" r bound)))

        theorem "WeightRows128.dot has exactly the midpoint of Ball128.dot over the weights' exact balls and a radius no larger (|w| instead of its upper bound)"
            (Prop.forAll (Arb.fromGen rowCase) (fun (other, w, v) ->
                let rows = WeightRows128.create 2 w.Length (fun r k -> if r = 0 then other[k] else w[k])
                let fv = Array.map Ball128.ofBall v
                let fast = WeightRows128.dot rows 1 fv
                let general = Ball128.dot (Array.map Ball128.ofFloat w) fv
                let a, b = Ball128.toBall fast, Ball128.toBall general
                let ra, rb = Ball128.radius fast, Ball128.radius general
                (Dyadic.compare a.Mid b.Mid = 0 && not (Double.IsNaN ra) && ra <= rb)
                |> Prop.label (sprintf "rows %s (radius %.17g) vs general %s (radius %.17g)" (show a) ra (show b) rb)))

        testCase "WeightRows128.dot carries and borrows across every limb exactly: 1·(1 − 2^−128) + 1·2^−128 = 1 and 1·(1 − 2^−128) − 1·1 = −2^−128" <| fun () ->
            let allOnes = Ball128.ofBall (Ball.create (Dyadic.create ((BigInteger.One <<< 128) - BigInteger.One) -128) Dyadic.zero)
            let tiny = Ball128.ofBall (Ball.exact (Dyadic.pow2 -128))
            let rows = WeightRows128.create 2 2 (fun r k -> if r = 0 || k = 0 then 1.0 else -1.0)
            for row, second, expected in [ 0, tiny, Dyadic.one; 1, Ball128.one, Dyadic.neg (Dyadic.pow2 -128) ] do
                let b = Ball128.toBall (WeightRows128.dot rows row [| allOnes; second |])
                Expect.isTrue (Ball.contains b expected && Ball.isExact b) (sprintf "row %d: expected exactly %s, got %s" row (show (Ball.exact expected)) (show b))

        testCase "WeightRows128 rejects a non-finite weight, and dot a vector of the wrong length or a row out of range" <| fun () ->
            Expect.throwsT<ArgumentException> (fun () -> WeightRows128.create 1 2 (fun _ k -> if k = 1 then nan else 1.0) |> ignore) "NaN weight"
            let rows = WeightRows128.create 2 3 (fun _ _ -> 1.0)
            Expect.throwsT<ArgumentException> (fun () -> WeightRows128.dot rows 0 [| Ball128.one |] |> ignore) "length 1 against 3"
            Expect.throwsT<ArgumentOutOfRangeException> (fun () -> WeightRows128.dot rows 2 (Array.create 3 Ball128.one) |> ignore) "row 2 of 2"

        testCase "each table entry T_j·2^−126 of exp's reduction lies within 2^−126 below 2^(j/32) at 512 bits, j = 0..31" <| fun () ->
            Elementary128.pow2Fractions
            |> Array.iteri (fun j t ->
                let reference = Elementary.exp fine (Ball.mulPow2 (Ball.mul fine (Ball.ofInt j) (Elementary.ln2 fine)) -5)
                let enclosure = Ball.ofInterval t.Mid (Dyadic.add t.Mid (Dyadic.pow2 -126))
                Expect.isTrue (Ball.isExact t && Ball.containsBall enclosure reference) (sprintf "j = %d: %s vs %s" j (show t) (show reference)))

        testCase "the 192-bit ln 2 lies within 2^−192 below ln 2 at 512 bits" <| fun () ->
            let l = Elementary128.ln2Truncated
            let reference = Elementary.ln2 fine
            let enclosure = Ball.ofInterval l.Mid (Dyadic.add l.Mid (Dyadic.pow2 -192))
            Expect.isTrue (Ball.containsBall enclosure reference) (sprintf "%s vs %s" (show l) (show reference))

        for name, fast, exact, limit in elementaryFunctions do
            theorem
                (sprintf "Elementary128.%s encloses the 512-bit Elementary.%s over ±0, tiny, moderate, saturating and fallback arguments, within 2^−118 relative at exact arguments, and containing the images of both ends of a ball argument" name name)
                (Prop.forAll (Arb.fromGen (elementaryArg limit)) (fun x ->
                    let f = Ball128.ofBall x
                    let result = fast f
                    // Retried at 2048 bits when the 512-bit ball is not inside the fixed-width one (its midpoint may be off by
                    // 2^−512, more than the fixed-width ball's margin on one side for results like −1 + e^−341).
                    let sharp (arg: Ball) =
                        let at512 = exact fine arg
                        if Ball.containsBall (Ball128.toBall result) at512 then at512 else exact 2048 arg
                    let reference = sharp (Ball128.toBall f)
                    if Ball.isExact x then checkAgainst (sprintf "%s %s" name (show x)) elementaryRelative result reference
                    else
                        // The functions are increasing: the image of the ball is [f(lower), f(upper)]; both ends, enclosed at
                        // 512 bits, must lie in the fixed-width ball.
                        // The ends of the fixed-width ball itself (its Ball rounds the radius up to 30 bits).
                        let mid, rad = (Ball128.toBall f).Mid, Dyadic.ofFloat (Ball128.radius f)
                        for endpoint in [ Dyadic.sub mid rad; Dyadic.add mid rad ] do
                            let image = sharp (Ball.exact endpoint)
                            if not (Ball.containsBall (Ball128.toBall result) image) then
                                failtestf "%s %s: %s does not contain the image %s of the endpoint" name (show x) (show (Ball128.toBall result)) (show image)))

        // The clamp keeps the 512-bit images tight (and inside the ball, which meets [−150, 150]): within 2^−512 of the limit,
        // beyond ≈ 355 for σ and ≈ 177 for tanh, a 512-bit image is wider than the 128-bit result it should lie in.
        for name, fast, exact in [ "sigmoid", Elementary128.sigmoid, Elementary.sigmoid; "tanh", Elementary128.tanh, Elementary.tanh ] do
            theorem
                (sprintf "Elementary128.%s of a wide ball (radius 2^−1 to 2^40, meeting [−150, 150]) returns a ball containing the 512-bit images of its ends clamped to [−150, 150]" name)
                (Prop.forAll (Arb.fromGen wideArg) (fun x ->
                    let f = Ball128.ofBall x
                    let result = Ball128.toBall (fast f)
                    let mid, rad = (Ball128.toBall f).Mid, Dyadic.ofFloat (Ball128.radius f)
                    let big = Dyadic.ofFloat 150.0
                    let clamp (d: Dyadic) = if Dyadic.compare d big > 0 then big elif Dyadic.compare d (Dyadic.neg big) < 0 then Dyadic.neg big else d
                    for endpoint in [ Dyadic.sub mid rad; Dyadic.add mid rad ] do
                        let image = exact fine (Ball.exact (clamp endpoint))
                        if not (Ball.containsBall result image) then
                            failtestf "%s %s: %s does not contain the image %s of the clamped end" name (show x) (show result) (show image)))

        theorem "ReferenceNetwork.Step at 128 bits (Ball128) contains the 512-bit BigInteger step's midpoints and is narrower than 2^−100 (1 + |·|), for every cell kind and option"
            (Prop.forAll (Arb.fromGen stepCase) (fun case ->
                let fast, exact = fastAndFineStep case
                for name, f, e in [ "h", fast.H, exact.H; "c", fast.C, exact.C; "gates", fast.Gates, exact.Gates ] do
                    Array.iteri2 (fun i (a: Ball) (b: Ball) ->
                        if not (Ball.contains a b.Mid) then failtestf "%s[%d]: %s does not contain %s" name i (show a) (show b)
                        if not (narrow a) then failtestf "%s[%d]: %s is wider than 2^-100 (1 + |·|)" name i (show a)) f e))

        /// Runs cases/5 cases (200 by default): each case runs a whole network at 512 bits in BigInteger balls (≈ 10 ms); the
        /// step theorem above covers every cell kind and option with the full count.
        theoremWith (max 1 (cases / 5))
            "ReferenceNetwork.Forward at 128 bits (Ball128) contains the 512-bit BigInteger network's midpoints of y, h_n and c_n"
            (Prop.forAll (Arb.fromGen (Generators.caseWith Generators.dyadic Generators.tinySpec 3)) (fun c ->
                let fast = ReferenceNetwork.Forward(c.Weights, c.Steps, c.Batch, c.X, c.SeqLens, c.H0, c.C0, 128)
                let s = BallScalar.at fine
                let lift (a: float[]) = if isNull a then null else Array.map Ball.ofFloat a
                let out = Network.forward s c.Spec (Network.lift s c.Weights) (Network.inputs s c.Spec c.Steps c.Batch (lift c.X) c.SeqLens (lift c.H0) (lift c.C0)) 0
                for name, f, e in [ "y", fast.Y, out.Y; "h_n", fast.HN, out.Hn; "c_n", fast.CN, out.Cn ] do
                    Array.iteri2 (fun i (a: Ball) (b: Ball) ->
                        if not (Ball.contains a b.Mid) then failtestf "%s[%d]: %s does not contain %s" name i (show a) (show b)) f e))

        theorem "FedReference.forward128 (Step128: the gate rows by WeightRows128) contains the 512-bit BigInteger fed reference's midpoints of y, h_n and c_n and is no wider than the generic Ball128 recursion (×(1 + 2^−40)), for every cell kind, option and feeding"
            (Prop.forAll (Arb.fromGen fedCase) (fun (c, feeding, claimedY) ->
                let run (s: Scalar<'T>) =
                    FedReference.forward s feeding c.Weights c.Steps c.Batch c.X c.SeqLens c.H0 c.C0 claimedY
                let fy, fh, fc = FedReference.forward128 feeding c.Weights c.Steps c.Batch c.X c.SeqLens c.H0 c.C0 claimedY
                let gy, gh, gc = run Ball128Scalar.instance
                let ey, eh, ec = run (BallScalar.at fine)
                for name, f, g, e in [ "y", fy, gy, ey; "h_n", fh, gh, eh; "c_n", fc, gc, ec ] do
                    if f.Length <> e.Length || g.Length <> e.Length then
                        failtestf "%s: lengths %d (forward128), %d (generic), %d (512-bit)" name f.Length g.Length e.Length
                    for i in 0 .. e.Length - 1 do
                        let a = Ball128.toBall f[i]
                        if not (Ball.contains a e[i].Mid) then
                            failtestf "%s[%d]: forward128 %s does not contain the 512-bit midpoint %s" name i (show a) (show e[i])
                        let r, rg = Ball128.radius f[i], Ball128.radius g[i]
                        let bound = rg * (1.0 + Math.ScaleB(1.0, -40))
                        if Double.IsNaN r || not (r <= bound) then
                            failtestf "%s[%d]: forward128 radius %.17g exceeds the generic path's %.17g ×(1 + 2^−40) (%s vs %s)"
                                name i r rg (show a) (show (Ball128.toBall g[i]))))

        theorem "refutation: a step result whose midpoint is moved by 2^−110 relative (a dropped low-order carry) with its radius dropped no longer contains the 512-bit midpoint"
            (Prop.forAll (Arb.fromGen stepCase) (fun case ->
                let fast, exact = fastAndFineStep case
                let a, b = fast.H[0], exact.H[0]
                let shift = if Dyadic.sign a.Mid = 0 then Dyadic.pow2 -110 else Dyadic.pow2 (Dyadic.magnitude a.Mid - 110)
                let wrong = Ball.exact (Dyadic.add a.Mid shift)
                (Ball.contains a b.Mid && not (Ball.contains wrong b.Mid))
                |> Prop.label (sprintf "fast %s, wrong %s, exact %s" (show a) (show wrong) (show b))))
    ]
