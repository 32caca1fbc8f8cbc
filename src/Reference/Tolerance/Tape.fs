namespace RnnVerify.Reference.Tolerance

open System
open System.Collections.Generic
open System.Numerics
open System.Numerics.Tensors
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

/// Running sums of every node's adjoint (the terms partial·adjoint of its children, in the order they arrive), one array
/// per sum: V = Σ p.V·λ.V, S = Σ M(p)·M(λ), P = Σ (E(p)·M(λ) + M(p)·E(λ)), N the number of terms; Exact when the first term's
/// partial was exact ±1 or 0 (then, while N = 1, the adjoint is (FirstValue, FirstError) exactly).
type internal Accumulators(n: int) =
    member val V: float[] = Array.zeroCreate n
    member val S: float[] = Array.zeroCreate n
    member val P: float[] = Array.zeroCreate n
    member val N: int[] = Array.zeroCreate n
    member val Exact: bool[] = Array.zeroCreate n
    member val FirstValue: float[] = Array.zeroCreate n
    member val FirstError: float[] = Array.zeroCreate n

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
    let absWeightValues = Dictionary<int[], float[]>(HashIdentity.Reference)
    let consecutive = Dictionary<int[], int[]>(HashIdentity.Reference)
    let transposed = Dictionary<int[], struct (int * float[] * float[])>(HashIdentity.Reference)
    let emptyKey: struct (int[] * int[] * int[] * int[] * float[] * float[] * float[]) = struct (null, null, null, null, null, null, null)
    let rowSums = Array.create 4 emptyKey
    let mutable nextRowSums = 0
    let seenKeys = Array.create 4 emptyKey
    let mutable nextSeen = 0

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

    /// |values| of a weight-node array.
    member internal this.AbsWeightValues(w: int[]) =
        match absWeightValues.TryGetValue w with
        | true, a -> a
        | _ ->
            let a = this.WeightValues w |> Array.map abs
            absWeightValues[w] <- a
            a

    /// true when a[offset + k] = a[offset] + k for k < len (consecutive nodes: their sums can be updated as one range).
    member internal _.Consecutive(a: int[], offset: int, len: int) =
        let run =
            match consecutive.TryGetValue a with
            | true, r -> r
            | _ ->
                // run[k] = length of the consecutive stretch starting at k.
                let r = Array.zeroCreate a.Length

                for k in a.Length - 1 .. -1 .. 0 do
                    r[k] <- if k + 1 < a.Length && a[k + 1] = a[k] + 1 then r[k + 1] + 1 else 1

                consecutive[a] <- r
                r

        len = 0 || run[offset] >= len

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

    /// Column-major values and absolute values of a weight matrix with `cols` columns: t[k·rows + r] = w[r·cols + k].
    member internal _.Transposed(w: int[], cols: int) =
        match transposed.TryGetValue w with
        | true, struct (c, t, a) when c = cols -> struct (t, a)
        | _ ->
            let rows = w.Length / cols
            let t = Array.zeroCreate w.Length
            let a = Array.zeroCreate w.Length

            for r in 0 .. rows - 1 do
                for k in 0 .. cols - 1 do
                    let v = values.Items[w[r * cols + k]].Value
                    t[k * rows + r] <- v
                    a[k * rows + r] <- abs v

            transposed[w] <- struct (cols, t, a)
            struct (t, a)

    /// For the matrices of the first one or two segments of an affine row (w1 against x1, then w2 against x2, row r at
    /// offsets r·|x1| and r·|x2|): the running sums Σ w·V(x), Σ |w|·M(x), Σ |w|·E(x) of every row r, each summed in the
    /// order of the scalar rule (k ascending, segment 1 then 2), so a row's sums are the bits the scalar loop gives. Computed
    /// for all rows at once (elementwise over rows, vectorised) the second time a key is asked for, when a step's rows share
    /// their input arrays; None the first time (the caller sums the row itself).
    member internal this.RowSums(w1: int[], x1: int[], w2: int[], x2: int[]) =
        let same (struct (a: int[], b: int[], c: int[], d: int[], _: float[], _: float[], _: float[])) =
            obj.ReferenceEquals(a, w1) && obj.ReferenceEquals(b, x1) && obj.ReferenceEquals(c, w2) && obj.ReferenceEquals(d, x2)

        match rowSums |> Array.tryFind (fun e -> not (isNull (let struct (a, _, _, _, _, _, _) = e in a)) && same e) with
        | Some(struct (_, _, _, _, v, m, e)) -> ValueSome(struct (v, m, e))
        | None ->
            let key = struct (w1, x1, w2, x2, null, null, null)

            if not (seenKeys |> Array.exists (fun k -> not (isNull (let struct (a, _, _, _, _, _, _) = k in a)) && same k)) then
                seenKeys[nextSeen] <- key
                nextSeen <- (nextSeen + 1) % seenKeys.Length
                ValueNone
            else
                let rows = w1.Length / x1.Length
                let value = Array.zeroCreate rows
                let absSum = Array.zeroCreate rows
                let prop = Array.zeroCreate rows
                let width = Vector<float>.Count

                // Per input k, every row's three sums take the term in one vectorised pass: value + w·x, absSum + |w|·M(x),
                // prop + |w|·E(x), the product and the sum each rounded to nearest (no fused multiply-add), in k order: the
                // bits of the scalar row sums.
                let add (w: int[]) (xs: int[]) =
                    let struct (t, a) = this.Transposed(w, xs.Length)
                    let struct (xv, xm, xe) = this.Gather xs

                    for k in 0 .. xs.Length - 1 do
                        let col = ReadOnlySpan(t, k * rows, rows)
                        let abs = ReadOnlySpan(a, k * rows, rows)
                        let vx, vm, ve = Vector<float>(xv[k]), Vector<float>(xm[k]), Vector<float>(xe[k])
                        let mutable r = 0

                        while r + width <= rows do
                            let m = Vector<float>(abs.Slice r)
                            (Vector<float>(value, r) + Vector<float>(col.Slice r) * vx).CopyTo(value, r)
                            (Vector<float>(absSum, r) + m * vm).CopyTo(absSum, r)
                            (Vector<float>(prop, r) + m * ve).CopyTo(prop, r)
                            r <- r + width

                        while r < rows do
                            value[r] <- value[r] + col[r] * xv[k]
                            absSum[r] <- absSum[r] + abs[r] * xm[k]
                            prop[r] <- prop[r] + abs[r] * xe[k]
                            r <- r + 1

                add w1 x1
                if not (isNull w2) then add w2 x2
                rowSums[nextRowSums] <- struct (w1, x1, w2, x2, value, absSum, prop)
                nextRowSums <- (nextRowSums + 1) % rowSums.Length
                ValueSome(struct (value, absSum, prop))

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

        for struct (w, offset, xs) in segments do
            if offset < 0 || offset + xs.Length > w.Length then
                invalidArg (nameof segments) (sprintf "a segment reads weights %d..%d of %d" offset (offset + xs.Length - 1) w.Length)

        // Rows of one matrix (pair) against shared inputs: the first one or two segments' sums come precomputed for all rows.
        let row (struct (w: int[], offset, xs: int[])) =
            if xs.Length > 0 && offset % xs.Length = 0 && w.Length % xs.Length = 0 then offset / xs.Length else -1

        let pre =
            match segments with
            | s1 :: s2 :: _ when row s1 >= 0 && row s1 = row s2 ->
                let struct (w1, _, x1) = s1
                let struct (w2, _, x2) = s2

                if w1.Length / x1.Length = w2.Length / x2.Length then
                    match tape.RowSums(w1, x1, w2, x2) with
                    | ValueSome sums -> ValueSome(struct (2, row s1, sums))
                    | ValueNone -> ValueNone
                else
                    ValueNone
            | s1 :: _ when row s1 >= 0 ->
                let struct (w1, _, x1) = s1

                match tape.RowSums(w1, x1, null, null) with
                | ValueSome sums -> ValueSome(struct (1, row s1, sums))
                | ValueNone -> ValueNone
            | _ -> ValueNone

        let skip =
            match pre with
            | ValueSome(struct (count, r, struct (v, a, e))) ->
                value <- v[r]
                absSum <- a[r]
                propagated <- e[r]
                count
            | ValueNone -> 0

        // The rule of Bounded.affine, summed in the same order (segment by segment, then the biases).
        let mutable i = 0

        for s in segments do
            let struct (w, offset, xs) = s
            tape.AddSegment s

            if i >= skip then
                let wv = tape.WeightValues w
                let struct (xv, xm, xe) = tape.Gather xs

                for k in 0 .. xs.Length - 1 do
                    let wj = wv[offset + k]
                    value <- value + wj * xv[k]
                    absSum <- absSum + abs wj * xm[k]
                    propagated <- propagated + abs wj * xe[k]

            n <- n + xs.Length
            i <- i + 1

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
    let inline private term (acc: Accumulators) (i: int) (pV: float) (pE: float) (lV: float) (lE: float) (ml: float) =
        let mp = abs pV + 2.0 * pE

        if acc.N[i] = 0 && pE = 0.0 && (abs pV = 1.0 || pV = 0.0) then
            acc.Exact[i] <- true
            acc.FirstValue[i] <- pV * lV
            acc.FirstError[i] <- abs pV * lE

        acc.V[i] <- acc.V[i] + pV * lV
        acc.S[i] <- acc.S[i] + mp * ml
        acc.P[i] <- acc.P[i] + pE * ml + mp * lE
        acc.N[i] <- acc.N[i] + 1

    /// `term` for the consecutive nodes first .. first + len − 1, node first + k with partial (pV[off + k], pE[off + k]) of
    /// magnitude mp[off + k] (= |pV| + 2·pE; pE = null for exact partials, whose E·M(λ) = 0 adds nothing to a finite sum)
    /// and one adjoint λ of finite magnitude: the same operations elementwise, in one vectorised pass over the node range
    /// (each node receives one term, and each sum is a + (p·λ) with the product and the sum each rounded to nearest — no
    /// fused multiply-add — so the bits are those of `term`).
    let private termRange (acc: Accumulators) (first: int) (len: int) (pV: float[]) (pE: float[]) (mp: float[]) (off: int) (lV: float) (lE: float) (ml: float) =
        if len > 0 && TensorPrimitives.Min(ReadOnlySpan<int>(acc.N, first, len)) = 0 then
            for k in 0 .. len - 1 do
                let e = if isNull pE then 0.0 else pE[off + k]
                let p = pV[off + k]

                if acc.N[first + k] = 0 && e = 0.0 && (abs p = 1.0 || p = 0.0) then
                    acc.Exact[first + k] <- true
                    acc.FirstValue[first + k] <- p * lV
                    acc.FirstError[first + k] <- abs p * lE

        let av = Span(acc.V, first, len)
        let asum = Span(acc.S, first, len)
        let ap = Span(acc.P, first, len)
        let xv = ReadOnlySpan(pV, off, len)
        let xm = ReadOnlySpan(mp, off, len)
        let xe = if isNull pE then ReadOnlySpan<float>.Empty else ReadOnlySpan(pE, off, len)
        let width = Vector<float>.Count
        let vlV, vlE, vml = Vector<float>(lV), Vector<float>(lE), Vector<float>(ml)
        let mutable k = 0

        while k + width <= len do
            let m = Vector<float>(xm.Slice k)
            (Vector<float>(av.Slice k) + Vector<float>(xv.Slice k) * vlV).CopyTo(av.Slice k)
            (Vector<float>(asum.Slice k) + m * vml).CopyTo(asum.Slice k)
            let p = if xe.IsEmpty then Vector<float>(ap.Slice k) else Vector<float>(ap.Slice k) + Vector<float>(xe.Slice k) * vml
            (p + m * vlE).CopyTo(ap.Slice k)
            k <- k + width

        while k < len do
            av[k] <- av[k] + xv[k] * lV
            asum[k] <- asum[k] + xm[k] * ml
            if not xe.IsEmpty then ap[k] <- ap[k] + xe[k] * ml
            ap[k] <- ap[k] + xm[k] * lE
            k <- k + 1

        TensorPrimitives.Add(ReadOnlySpan<int>(acc.N, first, len), 1, Span<int>(acc.N, first, len))

    let backward (tape: Tape) (seeds: struct (int * float) seq) =
        let m = tape.Model
        let n = tape.Count
        let acc = Accumulators(n)
        let v = tape.Values
        let ops, opA, opB, opC = tape.Ops, tape.A, tape.B, tape.C

        // The upstream gradient is given in binary64; the implementation converts it to its format first.
        for struct (node, g) in seeds do
            let e = RoundingModel.conversionError m g
            term acc node 1.0 0.0 g e (abs g + 2.0 * e)

        let adj = Array.zeroCreate n

        for i in n - 1 .. -1 .. 0 do
            let count = acc.N[i]

            let lambda =
                if count = 0 then Bounded.exact 0.0
                elif count = 1 && acc.Exact[i] then { Value = acc.FirstValue[i]; Error = acc.FirstError[i] }
                else { Value = acc.V[i]; Error = RoundingModel.gamma m (count + 2) * acc.S[i] + acc.P[i] + float count * m.Underflow }

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
                        let struct (xv, xm, xe) = tape.Gather xs
                        let len = xs.Length

                        if len > 16 && Double.IsFinite ml && tape.Consecutive(w, offset, len) && tape.Consecutive(xs, 0, len) then
                            // Per product: ∂/∂w = x (a Bounded), then ∂/∂x = w (exact: E = 0, M = |w|, and E·M(λ) = 0 adds
                            // nothing to a finite sum). Each node receives one term per affine node, so the two ranges
                            // can be updated one after the other.
                            termRange acc w[offset] len xv xe xm 0 lV lE ml
                            termRange acc xs[0] len wv null (tape.AbsWeightValues w) offset lV lE ml
                        else
                            // Per product: ∂/∂w = x (a Bounded), then ∂/∂x = w (exact).
                            for k in 0 .. len - 1 do
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
