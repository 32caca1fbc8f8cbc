namespace RnnVerify.Reference.Tolerance

open System
open System.Collections.Generic
open RnnVerify.Cells

/// Operation codes of the tape's nodes.
module internal Op =
    [<Literal>]
    let Leaf = 0uy

    [<Literal>]
    let Fed = 1uy

    /// A = first segment, B = number of segments, C = index of the bias count in the bias list (the nodes follow it).
    [<Literal>]
    let Affine = 2uy

    [<Literal>]
    let Mul = 3uy

    [<Literal>]
    let Add = 4uy

    /// B = the Activation.
    [<Literal>]
    let Activate = 5uy

    [<Literal>]
    let OneMinus = 6uy

    /// A = z, B = n, C = h.
    [<Literal>]
    let Convex = 7uy

    /// B = index of the threshold in the constants list.
    [<Literal>]
    let Clip = 8uy

/// A growable array (List<T> without the bounds check on every element access through a copy).
type internal Column<'T>(capacity: int) =
    let mutable items: 'T[] = Array.zeroCreate (max capacity 16)
    let mutable count = 0
    member _.Count = count
    member _.Items = items

    member _.Add(v: 'T) =
        if count = items.Length then Array.Resize(&items, 2 * items.Length)
        items[count] <- v
        count <- count + 1

/// Running sums of one node's adjoint (the terms partial·adjoint of its children, in the order they arrive).
[<Struct; NoEquality; NoComparison>]
type internal Accumulator =
    { mutable V: float
      mutable S: float
      mutable P: float
      mutable N: int
      /// The first term's partial was exact ±1 or 0; then, while N = 1, the adjoint is (FirstValue, FirstError) exactly.
      mutable Exact: bool
      mutable FirstValue: float
      mutable FirstError: float }

/// The partial derivatives that are functions of the stored values (docs/tolerances.md, "Gradients (BPTT)").
module internal Partials =
    let one = Bounded.exact 1.0
    let half = { Value = 0.5; Error = 0.5 }

    /// ∂φ(a)/∂a from the output y as implementations compute it: tanh 1 − y², σ y(1 − y), identity 1; relu 1 or 0, and
    /// [0, 1] when the pre-activation's interval [V − 2E, V + 2E] contains the kink 0.
    let activation (m: RoundingModel) (activation: Activation) (va: Bounded) (y: Bounded) =
        match activation with
        | Activation.Tanh -> Bounded.sub m one (Bounded.mul m y y)
        | Activation.Sigmoid -> Bounded.mul m y (Bounded.sub m one y)
        | Activation.Relu ->
            if va.Value - 2.0 * va.Error > 0.0 then one
            elif va.Value + 2.0 * va.Error < 0.0 then Bounded.exact 0.0
            else half
        | _ -> one

    /// clip' = 1 inside, 0 outside, [0, 1] when the interval of a (widened by the threshold's conversion) contains ±c.
    let clip (m: RoundingModel) (c: float) (va: Bounded) =
        let slack = 2.0 * va.Error + RoundingModel.conversionError m c

        if abs va.Value + slack < c then one
        elif abs va.Value - slack > c then Bounded.exact 0.0
        else half

[<Sealed>]
type Tape(model: RoundingModel) =
    let values = Column<Bounded>(1024)
    let ops = Column<byte>(1024)
    let opA = Column<int>(1024)
    let opB = Column<int>(1024)
    let opC = Column<int>(1024)
    let segments = Column<struct (int[] * int * int[])>(256)
    let biases = Column<int>(256)
    let constants = List<float>()
    // Values of weight arrays (by reference) and the gathered (V, M, E) of the most recent input arrays.
    let weightValues = Dictionary<int[], float[]>(HashIdentity.Reference)
    let gathered: struct (int[] * float[] * float[] * float[])[] = Array.create 4 (struct (null, null, null, null))
    let mutable nextSlot = 0

    member _.Model = model
    member _.Count = values.Count
    member _.Value(node: int) = values.Items[node]
    member internal _.Values = values.Items
    member internal _.Ops = ops.Items
    member internal _.A = opA.Items
    member internal _.B = opB.Items
    member internal _.C = opC.Items
    member internal _.Segments = segments.Items
    member internal _.Biases = biases.Items
    member internal _.Constant(i: int) = constants[i]

    member internal _.Push(value: Bounded, op: byte, a: int, b: int, c: int) =
        values.Add value
        ops.Add op
        opA.Add a
        opB.Add b
        opC.Add c
        values.Count - 1

    member internal _.AddSegment(s: struct (int[] * int * int[])) = segments.Add s
    member internal _.SegmentCount = segments.Count
    member internal _.AddBias(node: int) = biases.Add node
    member internal _.BiasCount = biases.Count

    member internal _.ConstantIndex(c: float) =
        let i = constants.IndexOf c
        if i >= 0 then i else (constants.Add c; constants.Count - 1)

    /// The binary64 values of a weight-node array (gathered once per array).
    member internal _.WeightValues(w: int[]) =
        match weightValues.TryGetValue w with
        | true, v -> v
        | _ ->
            let v = Array.init w.Length (fun k -> values.Items[w[k]].Value)
            weightValues[w] <- v
            v

    /// Value, magnitude and error of an input-node array (gathered once per array while it is in use).
    member internal _.Gather(xs: int[]) =
        let mutable found = -1

        for s in 0 .. gathered.Length - 1 do
            let struct (key, _, _, _) = gathered[s]
            if obj.ReferenceEquals(key, xs) then found <- s

        if found >= 0 then
            let struct (_, v, m, e) = gathered[found]
            struct (v, m, e)
        else
            let v = Array.zeroCreate xs.Length
            let m = Array.zeroCreate xs.Length
            let e = Array.zeroCreate xs.Length

            for k in 0 .. xs.Length - 1 do
                let b = values.Items[xs[k]]
                v[k] <- b.Value
                m[k] <- Bounded.magnitude b
                e[k] <- b.Error

            gathered[nextSlot] <- struct (xs, v, m, e)
            nextSlot <- (nextSlot + 1) % gathered.Length
            struct (v, m, e)

    member _.Parents(node: int) : struct (int * Bounded)[] =
        let i = node
        let v = values.Items
        let a, b, c = opA.Items[i], opB.Items[i], opC.Items[i]
        let one = Partials.one

        match ops.Items[i] with
        | Op.Leaf -> [||]
        | Op.Fed -> [| struct (a, one) |]
        | Op.Affine ->
            [| for s in a .. a + b - 1 do
                   let struct (w, offset, xs) = segments.Items[s]

                   for k in 0 .. xs.Length - 1 do
                       yield struct (w[offset + k], v[xs[k]])
                       yield struct (xs[k], Bounded.exact v[w[offset + k]].Value)
               for k in 1 .. biases.Items[c] -> struct (biases.Items[c + k], one) |]
        | Op.Mul -> [| struct (a, v[b]); struct (b, v[a]) |]
        | Op.Add -> [| struct (a, one); struct (b, one) |]
        | Op.Activate -> [| struct (a, Partials.activation model (enum<Activation> b) v[a] v[i]) |]
        | Op.OneMinus -> [| struct (a, Bounded.exact -1.0) |]
        | Op.Convex -> [| struct (a, Bounded.sub model v[c] v[b]); struct (b, Bounded.sub model one v[a]); struct (c, v[a]) |]
        | Op.Clip -> [| struct (a, Partials.clip model constants[b] v[a]) |]
        | op -> invalidOp (sprintf "unknown tape operation %d" op)

module Tape =
    let leaf (tape: Tape) (value: Bounded) = tape.Push(value, Op.Leaf, -1, -1, -1)

    let fed (tape: Tape) (claimed: float) (previous: int) = tape.Push(Bounded.exact claimed, Op.Fed, previous, -1, -1)

    let affine (tape: Tape) (segments: struct (int[] * int * int[]) list) (biases: int list) =
        let m = tape.Model
        let first = tape.SegmentCount
        let mutable value = 0.0
        let mutable absSum = 0.0
        let mutable propagated = 0.0
        let mutable n = 0

        // The rule of Bounded.affine, summed in the same order (segment by segment, then the biases).
        for s in segments do
            let struct (w, offset, xs) = s

            if offset < 0 || offset + xs.Length > w.Length then
                invalidArg (nameof segments) (sprintf "a segment reads weights %d..%d of %d" offset (offset + xs.Length - 1) w.Length)

            tape.AddSegment s
            let wv = tape.WeightValues w
            let struct (xv, xm, xe) = tape.Gather xs

            for k in 0 .. xs.Length - 1 do
                let wj = wv[offset + k]
                value <- value + wj * xv[k]
                absSum <- absSum + abs wj * xm[k]
                propagated <- propagated + abs wj * xe[k]

            n <- n + xs.Length

        let biasAt = tape.BiasCount
        tape.AddBias(List.length biases)

        for b in biases do
            let bv = (tape.Value b).Value
            tape.AddBias b
            value <- value + bv
            absSum <- absSum + abs bv
            n <- n + 1

        let bounded =
            { Value = value
              Error = RoundingModel.gamma m (n + 2) * absSum + propagated + float n * m.Underflow }

        tape.Push(bounded, Op.Affine, first, tape.SegmentCount - first, biasAt)

    let mul (tape: Tape) a b =
        tape.Push(Bounded.mul tape.Model (tape.Value a) (tape.Value b), Op.Mul, a, b, -1)

    let add (tape: Tape) a b =
        tape.Push(Bounded.add tape.Model (tape.Value a) (tape.Value b), Op.Add, a, b, -1)

    let activate (tape: Tape) (activation: Activation) a =
        tape.Push(Bounded.activate tape.Model activation (tape.Value a), Op.Activate, a, int activation, -1)

    let oneMinus (tape: Tape) x =
        tape.Push(Bounded.oneMinus tape.Model (tape.Value x), Op.OneMinus, x, -1, -1)

    let convex (tape: Tape) z n h =
        tape.Push(Bounded.convex tape.Model (tape.Value z) (tape.Value n) (tape.Value h), Op.Convex, z, n, h)

    let clip (tape: Tape) (c: float) a =
        tape.Push(Bounded.clip tape.Model c (tape.Value a), Op.Clip, a, tape.ConstantIndex c, -1)

    /// Adds the term p·λ to node i's running sums (p = (pV, pE), λ = (lV, lE) with magnitude ml), exactly as the list of
    /// terms was summed: Σ p.V·λ.V, Σ M(p)·M(λ), Σ (E(p)·M(λ) + M(p)·E(λ)), in arrival order.
    let inline private term (acc: Accumulator[]) (i: int) (pV: float) (pE: float) (lV: float) (lE: float) (ml: float) =
        let mp = abs pV + 2.0 * pE

        if acc[i].N = 0 && pE = 0.0 && (abs pV = 1.0 || pV = 0.0) then
            acc[i].Exact <- true
            acc[i].FirstValue <- pV * lV
            acc[i].FirstError <- abs pV * lE

        acc[i].V <- acc[i].V + pV * lV
        acc[i].S <- acc[i].S + mp * ml
        acc[i].P <- acc[i].P + pE * ml + mp * lE
        acc[i].N <- acc[i].N + 1

    let backward (tape: Tape) (seeds: struct (int * float) seq) =
        let m = tape.Model
        let n = tape.Count
        let acc: Accumulator[] = Array.zeroCreate n
        let v = tape.Values
        let ops, opA, opB, opC = tape.Ops, tape.A, tape.B, tape.C

        // The upstream gradient is given in binary64; the implementation converts it to its format first.
        for struct (node, g) in seeds do
            let e = RoundingModel.conversionError m g
            term acc node 1.0 0.0 g e (abs g + 2.0 * e)

        let adj = Array.zeroCreate n

        for i in n - 1 .. -1 .. 0 do
            let s = acc[i]

            let lambda =
                if s.N = 0 then Bounded.exact 0.0
                elif s.N = 1 && s.Exact then { Value = s.FirstValue; Error = s.FirstError }
                else { Value = s.V; Error = RoundingModel.gamma m (s.N + 2) * s.S + s.P + float s.N * m.Underflow }

            adj[i] <- lambda

            if lambda.Value <> 0.0 || lambda.Error <> 0.0 then
                let lV, lE = lambda.Value, lambda.Error
                let ml = Bounded.magnitude lambda
                let inline add (node: int) (p: Bounded) = term acc node p.Value p.Error lV lE ml
                let a, b, c = opA[i], opB[i], opC[i]

                match ops[i] with
                | Op.Leaf -> ()
                | Op.Fed -> term acc a 1.0 0.0 lV lE ml
                | Op.Affine ->
                    for si in a .. a + b - 1 do
                        let struct (w, offset, xs) = tape.Segments[si]
                        let wv = tape.WeightValues w
                        let struct (xv, _, xe) = tape.Gather xs

                        // Per product: ∂/∂w = x (a Bounded), then ∂/∂x = w (exact).
                        for k in 0 .. xs.Length - 1 do
                            term acc w[offset + k] xv[k] xe[k] lV lE ml
                            term acc xs[k] wv[offset + k] 0.0 lV lE ml

                    for k in 1 .. tape.Biases[c] do
                        term acc tape.Biases[c + k] 1.0 0.0 lV lE ml
                | Op.Mul ->
                    add a v[b]
                    add b v[a]
                | Op.Add ->
                    term acc a 1.0 0.0 lV lE ml
                    term acc b 1.0 0.0 lV lE ml
                | Op.Activate -> add a (Partials.activation m (enum<Activation> b) v[a] v[i])
                | Op.OneMinus -> term acc a -1.0 0.0 lV lE ml
                | Op.Convex ->
                    add a (Bounded.sub m v[c] v[b])
                    add b (Bounded.sub m Partials.one v[a])
                    add c v[a]
                | Op.Clip -> add a (Partials.clip m (tape.Constant b) v[a])
                | op -> invalidOp (sprintf "unknown tape operation %d" op)

        adj
