namespace RnnVerify.Reference

[<Struct>]
type Dual<'T> = { V: 'T; D: 'T }

module Dual =
    let make v d = { V = v; D = d }

    let scalar (s: Scalar<'T>) : Scalar<Dual<'T>> =
        let constant v = { V = v; D = s.Zero }
        {
            OfFloat = fun x -> constant (s.OfFloat x)
            Zero = constant s.Zero
            One = constant s.One
            Add = fun a b -> { V = s.Add a.V b.V; D = s.Add a.D b.D }
            Sub = fun a b -> { V = s.Sub a.V b.V; D = s.Sub a.D b.D }
            Mul = fun a b -> { V = s.Mul a.V b.V; D = s.Dot [| a.D; a.V |] [| b.V; b.D |] }
            Div =
                fun a b ->
                    let q = s.Div a.V b.V
                    { V = q; D = s.Div (s.Sub a.D (s.Mul q b.D)) b.V }
            Neg = fun a -> { V = s.Neg a.V; D = s.Neg a.D }
            Dot =
                fun xs ys ->
                    let v = s.Dot (Array.map _.V xs) (Array.map _.V ys)
                    let d = s.Dot (Array.append (Array.map _.D xs) (Array.map _.V xs)) (Array.append (Array.map _.V ys) (Array.map _.D ys))
                    { V = v; D = d }
            Tanh =
                fun a ->
                    let t = s.Tanh a.V
                    { V = t; D = s.Mul (s.Sub s.One (s.Mul t t)) a.D }
            Sigmoid =
                fun a ->
                    let y = s.Sigmoid a.V
                    { V = y; D = s.Mul (s.Mul y (s.Sub s.One y)) a.D }
            Exp =
                fun a ->
                    let e = s.Exp a.V
                    { V = e; D = s.Mul e a.D }
            Log = fun a -> { V = s.Log a.V; D = s.Div a.D a.V }
            Relu = fun a -> { V = s.Relu a.V; D = s.Mul (s.ReluSlope a.V) a.D }
            ReluSlope = fun a -> constant (s.ReluSlope a.V)
            Clip = fun c a -> { V = s.Clip c a.V; D = s.Mul (s.ClipSlope c a.V) a.D }
            ClipSlope = fun c a -> constant (s.ClipSlope c a.V)
            Detach = fun a -> constant (s.Detach a.V)
            Approx = fun a -> s.Approx a.V
        }
