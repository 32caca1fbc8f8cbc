namespace RnnVerify.Reference

open RnnVerify.Cells

type Scalar<'T> =
    {
        OfFloat: float -> 'T
        Zero: 'T
        One: 'T
        Add: 'T -> 'T -> 'T
        Sub: 'T -> 'T -> 'T
        Mul: 'T -> 'T -> 'T
        Div: 'T -> 'T -> 'T
        Neg: 'T -> 'T
        Dot: 'T[] -> 'T[] -> 'T
        Tanh: 'T -> 'T
        Sigmoid: 'T -> 'T
        Exp: 'T -> 'T
        Log: 'T -> 'T
        Relu: 'T -> 'T
        ReluSlope: 'T -> 'T
        Clip: float -> 'T -> 'T
        ClipSlope: float -> 'T -> 'T
        Detach: 'T -> 'T
        Approx: 'T -> float
    }

module Scalar =
    let float: Scalar<float> =
        {
            OfFloat = id
            Zero = 0.0
            One = 1.0
            Add = (+)
            Sub = (-)
            Mul = (*)
            Div = (/)
            Neg = (~-)
            Dot =
                fun xs ys ->
                    let mutable acc = 0.0
                    for i in 0 .. xs.Length - 1 do
                        acc <- acc + xs[i] * ys[i]
                    acc
            Tanh = tanh
            Sigmoid = fun a -> if a >= 0.0 then 1.0 / (1.0 + exp -a) else (let e = exp a in e / (1.0 + e))
            Exp = exp
            Log = log
            Relu = fun a -> if a > 0.0 then a else 0.0
            ReluSlope = fun a -> if a > 0.0 then 1.0 else 0.0
            Clip = fun c a -> if a > c then c elif a < -c then -c else a
            ClipSlope = fun c a -> if abs a > c then 0.0 else 1.0
            Detach = id
            Approx = id
        }

    let activate (s: Scalar<'T>) (act: Activation) (a: 'T) : 'T =
        match act with
        | Activation.Identity -> a
        | Activation.Tanh -> s.Tanh a
        | Activation.Sigmoid -> s.Sigmoid a
        | Activation.Relu -> s.Relu a
        | other -> invalidArg (nameof act) (sprintf "unknown activation %A" other)

    let activationSlope (s: Scalar<'T>) (act: Activation) (a: 'T) (y: 'T) : 'T =
        match act with
        | Activation.Identity -> s.One
        | Activation.Tanh -> s.Sub s.One (s.Mul y y)
        | Activation.Sigmoid -> s.Mul y (s.Sub s.One y)
        | Activation.Relu -> s.ReluSlope a
        | other -> invalidArg (nameof act) (sprintf "unknown activation %A" other)

    let addArrays (s: Scalar<'T>) (a: 'T[]) (b: 'T[]) : 'T[] = Array.map2 s.Add a b
