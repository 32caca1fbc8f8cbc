/// Theorems about src/Reference/Elementary.fs: identities hold as ball overlaps/containments, monotonicity, precision,
/// and agreement of the correctly rounded double with Math.Exp/Math.Tanh/Math.Sqrt.
module RnnVerify.Properties.Reference.ElementaryTheorems

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open RnnVerify.Reference
open RnnVerify.Properties.Theorem
open RnnVerify.Properties.Reference.Support

/// An exact argument in [−bound, bound]: a random double folded into the range.
let private arg bound (NormalFloat x) = Ball.ofFloat (fold bound x)

/// Relative radius bound for an exact argument at precision p: 2^(6−p) (the working precision carries ≥ 2·log2 p + 10 guard
/// bits, leaving a few units of 2^−p from the final rounding and the error propagated through the last operations).
let private relativeBound p = Math.Pow(2.0, float (6 - p))

/// ulps between two doubles of the same sign (0 when equal).
let private ulpDistance (a: float) (b: float) =
    if Double.IsNaN a || Double.IsNaN b then Int64.MaxValue
    elif a = b then 0L
    elif Math.Sign a <> Math.Sign b then Int64.MaxValue
    else abs (BitConverter.DoubleToInt64Bits a - BitConverter.DoubleToInt64Bits b)

/// The correctly rounded double of f at x, recomputing at a higher precision when the ball straddles a rounding boundary.
let private rounded (f: int -> Ball -> Ball) x =
    let rec go p =
        match Conversions.toFloat Nearest (f p x) with
        | Ok d -> d
        | Error _ when p < 4096 -> go (2 * p)
        | Error e -> failwithf "could not round at %d bits: %A" p e
    go 64

let private functions: (string * (int -> Ball -> Ball) * float) list =
    [ "exp", Elementary.exp, 700.0; "tanh", Elementary.tanh, 1000.0; "sigmoid", Elementary.sigmoid, 1000.0
      "expm1", Elementary.expm1, 700.0 ]

[<Tests>]
let tests =
    testList "Reference elementary functions" [
        theorem "tanh x and 2σ(2x) − 1 overlap for |x| ≤ 50 at any precision 53..1024"
            (fun x (DoNotSize p: DoNotSize<int>) ->
                let p, x = precisionOf p, arg 50.0 x
                let lhs = Elementary.tanh p x
                let rhs = Ball.sub p (Ball.mulPow2 (Elementary.sigmoid p (Ball.mulPow2 x 1)) 1) Ball.one
                Ball.overlaps lhs rhs |> Prop.label (sprintf "x = %s: %s vs %s" (show x) (show lhs) (show rhs)))
        theorem "exp(a + b) and exp a · exp b overlap for |a|, |b| ≤ 300 at any precision 53..1024"
            (fun a b (DoNotSize p: DoNotSize<int>) ->
                let p, a, b = precisionOf p, arg 300.0 a, arg 300.0 b
                let lhs = Elementary.exp p (Ball.add p a b)
                let rhs = Ball.mul p (Elementary.exp p a) (Elementary.exp p b)
                Ball.overlaps lhs rhs |> Prop.label (sprintf "%s vs %s" (show lhs) (show rhs)))
        theorem "exp(log x) ∋ x for every positive double x at any precision 53..1024"
            (fun (NormalFloat x) (DoNotSize p: DoNotSize<int>) ->
                let x = if x = 0.0 then 1.0 else abs x
                let p = precisionOf p
                let y = Elementary.exp p (Elementary.log p (Ball.ofFloat x))
                Ball.contains y (Dyadic.ofFloat x) |> Prop.label (sprintf "x = %.17g: %s" x (show y)))
        theorem "σ(x) + σ(−x) ∋ 1 for |x| ≤ 1000 at any precision 53..1024"
            (fun x (DoNotSize p: DoNotSize<int>) ->
                let p, x = precisionOf p, arg 1000.0 x
                let s = Ball.add p (Elementary.sigmoid p x) (Elementary.sigmoid p (Ball.neg x))
                Ball.contains s Dyadic.one |> Prop.label (show s))
        theorem "log(x·y) and log x + log y overlap for positive doubles, at any precision 53..1024"
            (fun (NormalFloat x) (NormalFloat y) (DoNotSize p: DoNotSize<int>) ->
                let x, y = (if x = 0.0 then 2.0 else abs x), (if y = 0.0 then 0.5 else abs y)
                let p = precisionOf p
                let lhs = Elementary.log p (Ball.mul Precision.exact (Ball.ofFloat x) (Ball.ofFloat y))
                let rhs = Ball.add p (Elementary.log p (Ball.ofFloat x)) (Elementary.log p (Ball.ofFloat y))
                Ball.overlaps lhs rhs |> Prop.label (sprintf "%s vs %s" (show lhs) (show rhs)))
        theorem "√x squared contains x, and √x equals Math.Sqrt (correctly rounded) for every non-negative double"
            (fun (NormalFloat x) (DoNotSize p: DoNotSize<int>) ->
                let x = abs x
                let s = Elementary.sqrt (precisionOf p) (Ball.ofFloat x)
                let d = rounded Elementary.sqrt (Ball.ofFloat x)
                (Ball.contains (Ball.mul Precision.exact s s) (Dyadic.ofFloat x) && d = Math.Sqrt x)
                |> Prop.label (sprintf "x = %.17g: √x ball %s, rounded %.17g, Math.Sqrt %.17g" x (show s) d (Math.Sqrt x)))
        for name, f, bound in functions do
            theorem (sprintf "%s is monotone: x ≤ y ⇒ lower %s(x) ≤ upper %s(y), |x|, |y| ≤ %g" name name name bound)
                (fun x y (DoNotSize p: DoNotSize<int>) ->
                    let p, x, y = precisionOf p, arg bound x, arg bound y
                    let x, y = if Dyadic.compare x.Mid y.Mid <= 0 then x, y else y, x
                    Dyadic.compare (Ball.lower (f p x)) (Ball.upper (f p y)) <= 0)
            theorem (sprintf "%s of an exact argument |x| ≤ %g has radius ≥ 0 and relative radius ≤ 2^(6−p) at p = 53..1024" name bound)
                (fun x (DoNotSize p: DoNotSize<int>) ->
                    let p, x = precisionOf p, arg bound x
                    let y = f p x
                    let rel = Ball.relativeRadius y
                    (Dyadic.sign y.Rad >= 0 && (rel <= relativeBound p || Dyadic.sign y.Mid = 0 && Ball.isExact y))
                    |> Prop.label (sprintf "x = %s, p = %d: %s, relative %.17g" (show x) p (show y) rel))
            // Not rad_q ≤ rad_p outright: the final rounding error is data-dependent (σ(59) ≈ 1 − 2^−85 rounds to 1 at 53 bits
            // with error 2^−85, far below 2^−53, while at 61 bits the error is whatever the 61st bit leaves). The slack is the
            // accuracy bound at q: the radius at q never exceeds the larger of the radius at p and 2^(6−q)·|f|.
            theorem (sprintf "%s: the radius shrinks as the precision grows (p + 8 ≤ q ⇒ rad_q ≤ max(rad_p, 2^(6−q)·|mid|))" name)
                (fun x (DoNotSize p: DoNotSize<int>) (d: byte) ->
                    let p, x = precisionOf p, arg bound x
                    let q = p + 8 + int d
                    let yq, yp = f q x, f p x
                    let slack = Dyadic.mulPow2 (Dyadic.abs yq.Mid) (6 - q)
                    (Dyadic.compare yq.Rad yp.Rad <= 0 || Dyadic.compare yq.Rad slack <= 0)
                    |> Prop.label (sprintf "p = %d: %s, q = %d: %s" p (show yp) q (show yq)))
            theorem (sprintf "%s of a wide ball contains %s (64 bits more precise) at end points and an inner point of the ball" name name)
                (fun x (NormalFloat r) (k: byte) (DoNotSize p: DoNotSize<int>) ->
                    let p, x = precisionOf p % 300 + 53, arg (bound / 2.0) x
                    let b = Ball.create x.Mid (Dyadic.mulPow2 (Dyadic.abs (Dyadic.ofFloat (fold 4.0 r))) -(int k % 40))
                    let wide = f p b
                    [ Ball.lower b; Ball.upper b; Dyadic.add b.Mid (Dyadic.mulPow2 b.Rad -1) ]
                    // The value at the point, 64 bits more precise, must lie in the wide ball (its own radius is compared by the
                    // exact-argument theorems; requiring its whole ball inside would fail whenever both round to the same number).
                    // The precision is raised until the point's absolute accuracy is 64 bits finer than the wide radius.
                    |> List.forall (fun t ->
                        let y = f p (Ball.exact t)
                        let q =
                            if Dyadic.sign wide.Rad = 0 || Dyadic.sign y.Mid = 0 then p + 64
                            else min 4000 (max (p + 64) (Dyadic.magnitude y.Mid - Dyadic.magnitude wide.Rad + 64))
                        Ball.contains wide (f q (Ball.exact t)).Mid)
                    |> Prop.label (sprintf "ball %s: %s" (show b) (show wide)))
        theorem "toFloat Nearest of exp and tanh agrees with Math.Exp and Math.Tanh within 1 ulp at 10 arguments in [−40, 40] per case"
            (fun (seed: int) ->
                let rng = Random(seed)
                [ for _ in 1..10 -> (rng.NextDouble() * 80.0 - 40.0) ]
                |> List.forall (fun x ->
                    let e, t = rounded Elementary.exp (Ball.ofFloat x), rounded Elementary.tanh (Ball.ofFloat x)
                    (ulpDistance e (Math.Exp x) <= 1L && ulpDistance t (Math.Tanh x) <= 1L)
                    || failwithf "x = %.17g: exp %.17g vs Math.Exp %.17g, tanh %.17g vs Math.Tanh %.17g" x e (Math.Exp x) t (Math.Tanh x)))
        test "small and huge arguments give narrow balls: tanh, σ, exp, expm1, log at 1e-300 and ±1e6" {
            for name, y in
                [ "tanh 1e-300", Elementary.tanh 128 (Ball.ofFloat 1e-300)
                  "expm1 1e-300", Elementary.expm1 128 (Ball.ofFloat 1e-300)
                  "σ(−1e6)", Elementary.sigmoid 128 (Ball.ofFloat -1e6)
                  "σ(1e6)", Elementary.sigmoid 128 (Ball.ofFloat 1e6)
                  "tanh(−1e6)", Elementary.tanh 128 (Ball.ofFloat -1e6)
                  "exp(−1e6)", Elementary.exp 128 (Ball.ofFloat -1e6)
                  "log 1e-300", Elementary.log 128 (Ball.ofFloat 1e-300)
                  "log(1 + 2^-52)", Elementary.log 128 (Ball.ofFloat (1.0 + Math.Pow(2.0, -52))) ] do
                if not (Ball.relativeRadius y < pown 2.0 -120) then failtestf "%s = %s" name (show y)
            // tanh x = x − x³/3 + …, so tanh x ∈ (x − x³, x) at x = 1e-300: the ball must reach into that interval.
            let x = Dyadic.ofFloat 1e-300
            let t = Elementary.tanh 128 (Ball.ofFloat 1e-300)
            if not (Dyadic.compare (Ball.lower t) x < 0 && Dyadic.compare (Ball.upper t) (Dyadic.sub x (Dyadic.mul x (Dyadic.mul x x))) > 0) then
                failtestf "tanh 1e-300 = %s" (show t)
        }
        test "precision Precision.exact is rejected by transcendental functions" {
            Expect.throwsT<ArgumentException> (fun () -> Elementary.exp Precision.exact Ball.one |> ignore) "exp at exact"
        }
    ]
