namespace RnnVerify.Reference.Twins

open RnnVerify.Cells
open RnnVerify.Reference

type OutputParams<'T> = { OutputSize: int; Wy: 'T[]; By: 'T[]; Psi: Activation }

type Divergence =
    | SquaredError
    | SoftmaxCrossEntropy

module Output =
    let map (f: 'T -> 'U) (p: OutputParams<'T>) : OutputParams<'U> =
        { OutputSize = p.OutputSize; Wy = Array.map f p.Wy; By = Array.map f p.By; Psi = p.Psi }

    let apply (s: Scalar<'T>) (p: OutputParams<'T>) steps batch (y: 'T[]) =
        let o = p.OutputSize
        let width = if steps * batch = 0 then 0 else y.Length / (steps * batch)
        Array.init (steps * batch * o) (fun idx ->
            let tb, k = idx / o, idx % o
            let row = Array.append (Array.sub p.Wy (k * width) width) [| p.By[k] |]
            Scalar.activate s p.Psi (s.Dot row (Array.append (Array.sub y (tb * width) width) [| s.One |])))

    let divergence (s: Scalar<'T>) (div: Divergence) (o: 'T[]) (d: 'T[]) =
        match div with
        | SquaredError ->
            let e = Array.map2 s.Sub o d
            s.Mul (s.OfFloat 0.5) (s.Dot e e)
        | SoftmaxCrossEntropy ->
            // Shift by m = the (detached) logit with the largest estimate: exp(o_k − m) ≤ ≈ 1 for every k and one term is ≈ 1.
            let approx = Array.map s.Approx o
            let top = Array.fold (fun best k -> if approx[k] > approx[best] then k else best) 0 [| 0 .. o.Length - 1 |]
            let shift = s.Detach o[top]
            let lse = s.Add shift (s.Log(o |> Array.map (fun v -> s.Exp(s.Sub v shift)) |> Array.reduce s.Add))
            s.Dot d (Array.map (fun v -> s.Sub lse v) o)

    let loss (s: Scalar<'T>) (div: Divergence) outputSize (seqLens: int[]) (o: 'T[]) (targets: 'T[]) =
        let batch = seqLens.Length
        let mutable acc = s.Zero
        for b in 0 .. batch - 1 do
            for t in 0 .. seqLens[b] - 1 do
                let at = (t * batch + b) * outputSize
                acc <- s.Add acc (divergence s div (Array.sub o at outputSize) (Array.sub targets at outputSize))
        acc
