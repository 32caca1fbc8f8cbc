namespace RnnVerify.Reference.Tolerance

open System
open RnnVerify.Cells

[<Struct>]
type Bounded = { Value: float; Error: float }

module Bounded =
    let exact v = { Value = v; Error = 0.0 }

    let magnitude (b: Bounded) = abs b.Value + 2.0 * b.Error

    let affine (model: RoundingModel) (weights: (float[] * int * Bounded[]) list) (extra: (float * Bounded) list) (biases: float list) =
        let mutable value = 0.0
        let mutable absSum = 0.0
        let mutable propagated = 0.0
        let mutable n = 0

        for (w, offset, xs) in weights do
            for j in 0 .. xs.Length - 1 do
                let wj = w[offset + j]
                let x = xs[j]
                value <- value + wj * x.Value
                absSum <- absSum + abs wj * magnitude x
                propagated <- propagated + abs wj * x.Error
                n <- n + 1

        for (wj, x) in extra do
            value <- value + wj * x.Value
            absSum <- absSum + abs wj * magnitude x
            propagated <- propagated + abs wj * x.Error
            n <- n + 1

        for b in biases do
            value <- value + b
            absSum <- absSum + abs b
            n <- n + 1

        { Value = value
          Error = RoundingModel.gamma model (n + 2) * absSum + propagated + float n * model.Underflow }

    let mul (model: RoundingModel) (a: Bounded) (b: Bounded) =
        let ma, mb = magnitude a, magnitude b

        { Value = a.Value * b.Value
          Error = a.Error * mb + ma * b.Error + model.UnitRoundoff * ma * mb + model.Underflow }

    let add (model: RoundingModel) (a: Bounded) (b: Bounded) =
        { Value = a.Value + b.Value
          Error = a.Error + b.Error + model.UnitRoundoff * (magnitude a + magnitude b) }

    let oneMinus (model: RoundingModel) (x: Bounded) =
        let v = 1.0 - x.Value
        let m = abs v + 2.0 * x.Error

        { Value = v
          Error =
            x.Error
            + (model.ActivationRelative + 1.0) * model.UnitRoundoff * m
            + model.ActivationAbsolute * model.UnitRoundoff }

    let convex (model: RoundingModel) (z: Bounded) (n: Bounded) (h: Bounded) =
        let mz = magnitude z
        let m1z = abs (1.0 - z.Value) + 2.0 * z.Error
        let mn, mh = magnitude n, magnitude h

        { Value = (1.0 - z.Value) * n.Value + z.Value * h.Value
          Error =
            m1z * n.Error
            + mz * h.Error
            + z.Error * (mh + mn)
            + 3.0 * model.UnitRoundoff * (mn + mh)
            + 2.0 * model.Underflow }

    let clip (model: RoundingModel) (c: float) (a: Bounded) =
        { Value = Math.Clamp(a.Value, -c, c)
          Error = a.Error + RoundingModel.conversionError model c }

    let apply (activation: Activation) (x: float) =
        match activation with
        | Activation.Identity -> x
        | Activation.Tanh -> Math.Tanh x
        | Activation.Sigmoid -> 1.0 / (1.0 + Math.Exp(-x))
        | Activation.Relu -> Math.Max(0.0, x)
        | _ -> invalidArg (nameof activation) (sprintf "unknown activation %A" activation)

    let lipschitz (activation: Activation) (lo: float) (hi: float) =
        // The point of [lo, hi] nearest 0, where 1 − tanh² and σ(1 − σ) (even, decreasing in |ξ|) are largest.
        let nearest = if lo <= 0.0 && hi >= 0.0 then 0.0 else min (abs lo) (abs hi)

        match activation with
        | Activation.Identity -> 1.0
        | Activation.Relu -> if hi < 0.0 then 0.0 else 1.0
        | Activation.Tanh ->
            let t = Math.Tanh nearest
            1.0 - t * t
        | Activation.Sigmoid ->
            let s = 1.0 / (1.0 + Math.Exp nearest)
            s * (1.0 - s)
        | _ -> invalidArg (nameof activation) (sprintf "unknown activation %A" activation)

    let activate (model: RoundingModel) (activation: Activation) (a: Bounded) =
        let lo, hi = a.Value - 2.0 * a.Error, a.Value + 2.0 * a.Error
        let l = lipschitz activation lo hi
        let v = apply activation a.Value
        let propagated = l * a.Error

        let own =
            match activation with
            | Activation.Tanh
            | Activation.Sigmoid ->
                let m = abs v + 2.0 * l * a.Error
                model.ActivationRelative * model.UnitRoundoff * m
                + model.ActivationAbsolute * model.UnitRoundoff
                + model.Underflow
            | _ -> 0.0

        { Value = v; Error = propagated + own }

    let neg (x: Bounded) = { x with Value = -x.Value }

    let sub (model: RoundingModel) (a: Bounded) (b: Bounded) = add model a (neg b)
