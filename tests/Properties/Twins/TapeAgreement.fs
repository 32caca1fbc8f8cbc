/// Forward mode (dual numbers) against reverse mode (tape) in double arithmetic: the generic twin code differentiates
/// consistently before any enclosure is involved.
module RnnVerify.Properties.Twins.TapeAgreement

open Expecto
open FsCheck
open FsCheck.FSharp
open RnnVerify.Reference
open RnnVerify.Reference.Twins
open RnnVerify.Properties.Theorem
open RnnVerify.Properties.Twins.Generators

/// Relative agreement expected of vᵀ(Ju) and (vᵀJ)u in double: both are sums of the same products of O(1) partials in a
/// different order, a few hundred terms at most, so ≈ 10³·u·Σ|terms| ≤ 1e-12·scale; 1e-9 leaves room for cancellation.
let doubleAgreement = 1e-9

[<Tests>]
let tests =
    testList "Twins" [
        theorem "in double, vᵀ(J u) by dual numbers equals (vᵀ J)·u by the tape for every cell and option"
            (Prop.forAll (Arb.fromGen (Gen.zip case (Gen.zip (Gen.choose (0, 1 <<< 30)) (Gen.choose (0, 1 <<< 30)))))
                (fun (c, (seedU, seedV)) ->
                    let s = Scalar.float
                    let layers = Network.lift s c.Weights
                    let inputs = Network.inputs s c.Spec c.Steps c.Batch c.X c.SeqLens c.H0 c.C0
                    let ru = System.Random seedU
                    let rv = System.Random seedV
                    let rnd (r: System.Random) (a: 'a[]) = Array.map (fun _ -> r.NextDouble() * 2.0 - 1.0) a
                    let uLayers = layers |> Array.map (Step.map (fun _ -> ru.NextDouble() * 2.0 - 1.0))
                    let ux, uh, uc = rnd ru inputs.X, rnd ru inputs.H0, rnd ru inputs.C0
                    let fwd = ForwardMode.jvp s c.Spec layers inputs c.Window uLayers ux uh uc
                    let vy, vh, vc = rnd rv fwd.Y, rnd rv fwd.Hn, rnd rv fwd.Cn
                    let dot (a: float[]) (b: float[]) = Array.fold2 (fun acc p q -> acc + p * q) 0.0 a b
                    let vJu = dot vy (Array.map _.D fwd.Y) + dot vh (Array.map _.D fwd.Hn) + dot vc (Array.map _.D fwd.Cn)
                    let _, g = Bptt.vjp s c.Spec layers inputs c.Window vy vh vc
                    let layerDot (a: LayerParams<float>) (b: LayerParams<float>) = dot a.Wx b.Wx + dot a.Wh b.Wh + dot a.Bx b.Bx + dot a.Bh b.Bh + dot a.P b.P
                    let vJtu = dot g.Dx ux + dot g.Dh0 uh + dot g.Dc0 uc + Array.fold2 (fun acc a b -> acc + layerDot a b) 0.0 g.Layers uLayers
                    // Identity or relu gates with peepholes can grow doubly exponentially and overflow double in a few
                    // steps; such a case says nothing about the differentiation code (the Ball theorems cover it).
                    let finite = System.Double.IsFinite vJu && (fwd.Y |> Array.forall (fun d -> System.Double.IsFinite d.V))
                    finite ==> lazy
                        (let scale = 1.0 + abs vJu
                         if System.Double.IsNaN vJtu then failtestf "reverse mode gave NaN, forward %.17g" vJu
                         if abs (vJu - vJtu) > doubleAgreement * scale then
                             failtestf "forward %.17g, reverse %.17g" vJu vJtu)))
    ]
