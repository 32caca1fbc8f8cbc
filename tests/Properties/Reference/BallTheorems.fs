/// Theorems about src/Reference/Ball.fs: enclosure of + − × ÷ and exactness at Precision.exact, checked against exact
/// rationals computed here from the doubles' bit patterns.
module RnnVerify.Properties.Reference.BallTheorems

open System
open System.Numerics
open Expecto
open FsCheck
open FsCheck.FSharp
open RnnVerify.Reference
open RnnVerify.Properties.Theorem
open RnnVerify.Properties.Reference.Support

/// A ball with a double midpoint and a radius |r|·2^−k (k in 0..80), and three of its points: both ends and one inside.
let private ballOf (NormalFloat m) (NormalFloat r) (k: byte) =
    let rad = Dyadic.mulPow2 (Dyadic.abs (Dyadic.ofFloat r)) -(int k % 81)
    let b = Ball.create (Dyadic.ofFloat m) rad
    b, [ Ball.lower b; Ball.upper b; Dyadic.add b.Mid (Dyadic.mulPow2 rad -2) ]

let private binary name (op: int -> Ball -> Ball -> Ball) (exact: _ -> _ -> BigInteger * BigInteger) =
    theorem (sprintf "Ball.%s at any precision 53..1024 contains the exact result for every pair of points of its arguments" name)
        (fun m1 r1 (k1: byte) m2 r2 (k2: byte) (DoNotSize p: DoNotSize<int>) ->
            let x, xs = ballOf m1 r1 k1
            let y, ys = ballOf m2 r2 k2
            let z = op (precisionOf p) x y
            (Dyadic.sign z.Rad >= 0
             && xs |> List.forall (fun a -> ys |> List.forall (fun b -> ballContainsQ z (exact (rationalOfDyadic a) (rationalOfDyadic b)))))
            |> Prop.label (sprintf "x = %s, y = %s, result %s" (show x) (show y) (show z)))

[<Tests>]
let tests =
    testList "Reference ball arithmetic" [
        binary "add" Ball.add addQ
        binary "sub" Ball.sub subQ
        binary "mul" Ball.mul mulQ
        theorem "Ball.div at any precision 53..1024 contains the exact quotient for every pair of points when the divisor excludes 0"
            (fun m1 r1 (k1: byte) (NormalFloat m2) (DoNotSize p: DoNotSize<int>) ->
                let x, xs = ballOf m1 r1 k1
                let m2 = if m2 = 0.0 then 1.0 else m2
                // Divisor radius |m2|/2^(1+k): never contains 0.
                let y = Ball.create (Dyadic.ofFloat m2) (Dyadic.mulPow2 (Dyadic.abs (Dyadic.ofFloat m2)) -(1 + int k1 % 60))
                let ys = [ Ball.lower y; Ball.upper y; y.Mid ]
                let z = Ball.div (precisionOf p) x y
                xs |> List.forall (fun a -> ys |> List.forall (fun b -> ballContainsQ z (divQ (rationalOfDyadic a) (rationalOfDyadic b))))
                |> Prop.label (sprintf "x = %s, y = %s, result %s" (show x) (show y) (show z)))
        theorem "at Precision.exact, x + y, x − y and x·y of doubles are exact (radius 0) and equal the rational results"
            (fun (NormalFloat a) (NormalFloat b) ->
                let x, y = Ball.ofFloat a, Ball.ofFloat b
                let qa, qb = rationalOfFloat a, rationalOfFloat b
                let isExactly (z: Ball) q = Ball.isExact z && cmpQ (rationalOfDyadic z.Mid) q = 0
                isExactly (Ball.add Precision.exact x y) (addQ qa qb)
                && isExactly (Ball.sub Precision.exact x y) (subQ qa qb)
                && isExactly (Ball.mul Precision.exact x y) (mulQ qa qb))
        theorem "an Elman-like linear recursion h ← w·h + u·x_t from doubles evaluated at Precision.exact equals the rational recursion"
            (fun (NormalFloat w) (NormalFloat u) (xs: NormalFloat list) ->
                let xs = xs |> List.truncate 12 |> List.map (fun (NormalFloat v) -> v)
                let ball = xs |> List.fold (fun h x -> Ball.add Precision.exact (Ball.mul Precision.exact (Ball.ofFloat w) h) (Ball.mul Precision.exact (Ball.ofFloat u) (Ball.ofFloat x))) Ball.zero
                let exact = xs |> List.fold (fun h x -> addQ (mulQ (rationalOfFloat w) h) (mulQ (rationalOfFloat u) (rationalOfFloat x))) (Numerics.BigInteger.Zero, Numerics.BigInteger.One)
                Ball.isExact ball && cmpQ (rationalOfDyadic ball.Mid) exact = 0)
        theorem "Ball.dot at Precision.exact equals the exact sum of products; at 53..1024 bits it contains it"
            (fun (pairs: (NormalFloat * NormalFloat) list) (DoNotSize p: DoNotSize<int>) ->
                let pairs = List.truncate 16 pairs
                let xs = pairs |> List.map (fst >> fun (NormalFloat v) -> Ball.ofFloat v) |> Array.ofList
                let ys = pairs |> List.map (snd >> fun (NormalFloat v) -> Ball.ofFloat v) |> Array.ofList
                let exact =
                    pairs |> List.fold (fun s (NormalFloat a, NormalFloat b) -> addQ s (mulQ (rationalOfFloat a) (rationalOfFloat b))) (Numerics.BigInteger.Zero, Numerics.BigInteger.One)
                let d0 = Ball.dot Precision.exact xs ys
                Ball.isExact d0 && cmpQ (rationalOfDyadic d0.Mid) exact = 0 && ballContainsQ (Ball.dot (precisionOf p) xs ys) exact)
        theorem "abs, max, relu and neg contain the exact result at every end point and inner point"
            (fun m1 r1 (k1: byte) m2 r2 (k2: byte) ->
                let x, xs = ballOf m1 r1 k1
                let y, ys = ballOf m2 r2 k2
                let inside (z: Ball) (v: Dyadic) = Ball.contains z v
                xs |> List.forall (fun a ->
                    inside (Ball.abs x) (Dyadic.abs a) && inside (Ball.neg x) (Dyadic.neg a)
                    && inside (Ball.relu x) (if Dyadic.sign a > 0 then a else Dyadic.zero)
                    && ys |> List.forall (fun b -> inside (Ball.max x y) (if Dyadic.compare a b >= 0 then a else b))))
        test "division by a ball containing zero throws DivideByZeroException" {
            Expect.throwsT<DivideByZeroException> (fun () -> Ball.div 128 Ball.one (Ball.create Dyadic.one Dyadic.one) |> ignore) "divisor [0, 2]"
        }
        test "a tiny addend far below the precision is still enclosed (1 + 2^-100000 at 128 bits)" {
            let z = Ball.add 128 Ball.one (Ball.exact (Dyadic.pow2 -100000))
            Expect.isTrue (Ball.contains z (Dyadic.add Dyadic.one (Dyadic.pow2 -100000))) (show z)
            Expect.isTrue (Ball.relativeRadius z < pown 2.0 -120) (show z)
        }
    ]
