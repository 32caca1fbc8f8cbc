namespace RnnVerify.Reference

open System.Collections.Generic

[<Struct>]
type Var<'T> = { Value: 'T; Id: int }

[<Sealed>]
type Tape<'T>(s: Scalar<'T>) =
    let parents = List<int[]>()
    let partials = List<'T[]>()
    member _.Scalar = s
    member _.Parents = parents
    member _.Partials = partials

    member _.Push(ps: int[], ds: 'T[]) =
        parents.Add ps
        partials.Add ds
        parents.Count - 1

[<Sealed>]
type Adjoints<'T>(zero: 'T, values: 'T voption[]) =
    member _.Get(id: int) =
        if id < 0 || id >= values.Length then zero
        else
            match values[id] with
            | ValueSome v -> v
            | ValueNone -> zero

module Tape =
    let create (s: Scalar<'T>) = Tape<'T>(s)
    let constant (value: 'T) = { Value = value; Id = -1 }
    let leaf (tape: Tape<'T>) (value: 'T) = { Value = value; Id = tape.Push([||], [||]) }
    let length (tape: Tape<'T>) = tape.Parents.Count

    /// Records value with the given (parent, partial) pairs, dropping constant parents.
    let private record (tape: Tape<'T>) (value: 'T) (deps: (Var<'T> * 'T)[]) =
        let live = deps |> Array.filter (fun (v, _) -> v.Id >= 0)
        if live.Length = 0 then { Value = value; Id = -1 }
        else { Value = value; Id = tape.Push(Array.map (fun (v, _) -> v.Id) live, Array.map snd live) }

    let scalar (tape: Tape<'T>) : Scalar<Var<'T>> =
        let s = tape.Scalar
        let rec1 = record tape
        let unary (f: 'T -> 'T) (slope: 'T -> 'T -> 'T) (a: Var<'T>) =
            let y = f a.Value
            if a.Id < 0 then constant y else rec1 y [| a, slope a.Value y |]
        {
            OfFloat = fun x -> constant (s.OfFloat x)
            Zero = constant s.Zero
            One = constant s.One
            Add = fun a b -> rec1 (s.Add a.Value b.Value) [| a, s.One; b, s.One |]
            Sub = fun a b -> rec1 (s.Sub a.Value b.Value) [| a, s.One; b, s.Neg s.One |]
            Mul = fun a b -> rec1 (s.Mul a.Value b.Value) [| a, b.Value; b, a.Value |]
            Div =
                fun a b ->
                    let q = s.Div a.Value b.Value
                    if a.Id < 0 && b.Id < 0 then constant q
                    else rec1 q [| a, s.Div s.One b.Value; b, s.Neg(s.Div q b.Value) |]
            Neg = fun a -> rec1 (s.Neg a.Value) [| a, s.Neg s.One |]
            Dot =
                fun xs ys ->
                    let xv = Array.map (fun (v: Var<'T>) -> v.Value) xs
                    let yv = Array.map (fun (v: Var<'T>) -> v.Value) ys
                    let value = s.Dot xv yv
                    rec1 value (Array.append (Array.map2 (fun x y -> x, y) xs yv) (Array.map2 (fun y x -> y, x) ys xv))
            Tanh = unary s.Tanh (fun _ y -> s.Sub s.One (s.Mul y y))
            Sigmoid = unary s.Sigmoid (fun _ y -> s.Mul y (s.Sub s.One y))
            Exp = unary s.Exp (fun _ y -> y)
            Log = unary s.Log (fun a _ -> s.Div s.One a)
            Relu = unary s.Relu (fun a _ -> s.ReluSlope a)
            ReluSlope = fun a -> constant (s.ReluSlope a.Value)
            Clip = fun c a -> unary (s.Clip c) (fun a _ -> s.ClipSlope c a) a
            ClipSlope = fun c a -> constant (s.ClipSlope c a.Value)
            Detach = fun a -> constant (s.Detach a.Value)
            Approx = fun a -> s.Approx a.Value
        }

    let backward (tape: Tape<'T>) (seeds: seq<Var<'T> * 'T>) : Adjoints<'T> =
        let s = tape.Scalar
        let n = tape.Parents.Count
        let adj: 'T voption[] = Array.create n ValueNone
        let accumulate i (v: 'T) =
            adj[i] <-
                match adj[i] with
                | ValueSome a -> ValueSome(s.Add a v)
                | ValueNone -> ValueSome v
        for v, d in seeds do
            if v.Id >= 0 then accumulate v.Id d
        for i in n - 1 .. -1 .. 0 do
            match adj[i] with
            | ValueNone -> ()
            | ValueSome a ->
                let ps = tape.Parents[i]
                let ds = tape.Partials[i]
                for k in 0 .. ps.Length - 1 do
                    accumulate ps[k] (s.Mul a ds[k])
        Adjoints<'T>(s.Zero, adj)

    let adjoint (adjoints: Adjoints<'T>) (v: Var<'T>) = adjoints.Get v.Id
