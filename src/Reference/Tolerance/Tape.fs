namespace RnnVerify.Reference.Tolerance

open System.Collections.Generic
open RnnVerify.Cells

[<Sealed>]
type Tape(model: RoundingModel) =
    let values = List<Bounded>()
    let parents = List<struct (int * Bounded)[]>()
    member _.Model = model
    member _.Count = values.Count
    member _.Value(node: int) = values[node]
    member internal _.Parents(node: int) = parents[node]

    member internal _.Push(value: Bounded, ps: struct (int * Bounded)[]) =
        values.Add value
        parents.Add ps
        values.Count - 1

module Tape =
    let private one = Bounded.exact 1.0
    let private half = { Value = 0.5; Error = 0.5 }

    let leaf (tape: Tape) (value: Bounded) = tape.Push(value, [||])

    let fed (tape: Tape) (claimed: float) (previous: int) = tape.Push(Bounded.exact claimed, [| struct (previous, one) |])

    let affine (tape: Tape) (products: struct (int * int) list) (biases: int list) =
        let value =
            Bounded.affine
                tape.Model
                []
                [ for struct (w, x) in products -> (tape.Value(w)).Value, tape.Value x ]
                [ for b in biases -> (tape.Value b).Value ]

        let ps =
            [| for struct (w, x) in products do
                   yield struct (w, tape.Value x)
                   yield struct (x, Bounded.exact (tape.Value w).Value)
               for b in biases -> struct (b, one) |]

        tape.Push(value, ps)

    let mul (tape: Tape) a b =
        let va, vb = tape.Value a, tape.Value b
        tape.Push(Bounded.mul tape.Model va vb, [| struct (a, vb); struct (b, va) |])

    let add (tape: Tape) a b =
        tape.Push(Bounded.add tape.Model (tape.Value a) (tape.Value b), [| struct (a, one); struct (b, one) |])

    let activate (tape: Tape) (activation: Activation) a =
        let m = tape.Model
        let va = tape.Value a
        let y = Bounded.activate m activation va

        let partial =
            match activation with
            | Activation.Tanh -> Bounded.sub m one (Bounded.mul m y y)
            | Activation.Sigmoid -> Bounded.mul m y (Bounded.sub m one y)
            | Activation.Relu ->
                if va.Value - 2.0 * va.Error > 0.0 then one
                elif va.Value + 2.0 * va.Error < 0.0 then Bounded.exact 0.0
                else half
            | _ -> one

        tape.Push(y, [| struct (a, partial) |])

    let oneMinus (tape: Tape) x =
        tape.Push(Bounded.oneMinus tape.Model (tape.Value x), [| struct (x, Bounded.exact -1.0) |])

    let convex (tape: Tape) z n h =
        let m = tape.Model
        let vz, vn, vh = tape.Value z, tape.Value n, tape.Value h

        tape.Push(
            Bounded.convex m vz vn vh,
            [| struct (z, Bounded.sub m vh vn); struct (n, Bounded.sub m one vz); struct (h, vz) |]
        )

    let clip (tape: Tape) (c: float) a =
        let va = tape.Value a
        let slack = 2.0 * va.Error + RoundingModel.conversionError tape.Model c

        let partial =
            if abs va.Value + slack < c then one
            elif abs va.Value - slack > c then Bounded.exact 0.0
            else half

        tape.Push(Bounded.clip tape.Model c va, [| struct (a, partial) |])

    let backward (tape: Tape) (seeds: struct (int * float) seq) =
        let m = tape.Model
        let n = tape.Count
        let terms = Array.init n (fun _ -> List<struct (Bounded * Bounded)>())

        // The upstream gradient is given in binary64; the implementation converts it to its format first.
        for struct (node, g) in seeds do
            terms[node].Add(struct (one, { Value = g; Error = RoundingModel.conversionError m g }))

        let adj = Array.zeroCreate n

        for i in n - 1 .. -1 .. 0 do
            let ts = terms[i]

            let a =
                if ts.Count = 0 then
                    Bounded.exact 0.0
                elif ts.Count = 1 && (let struct (p, _) = ts[0] in p.Error = 0.0 && (abs p.Value = 1.0 || p.Value = 0.0)) then
                    let struct (p, l) = ts[0]
                    { Value = p.Value * l.Value; Error = abs p.Value * l.Error }
                else
                    let mutable v, absSum, prop = 0.0, 0.0, 0.0

                    for struct (p, l) in ts do
                        let mp, ml = Bounded.magnitude p, Bounded.magnitude l
                        v <- v + p.Value * l.Value
                        absSum <- absSum + mp * ml
                        prop <- prop + p.Error * ml + mp * l.Error

                    { Value = v
                      Error = RoundingModel.gamma m (ts.Count + 2) * absSum + prop + float ts.Count * m.Underflow }

            adj[i] <- a

            if a.Value <> 0.0 || a.Error <> 0.0 then
                for struct (p, partial) in tape.Parents i do
                    terms[p].Add(struct (partial, a))

        adj
