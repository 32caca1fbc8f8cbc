namespace RnnVerify.Reference

open System
open RnnVerify.Cells
open RnnVerify.Reference.Twins

[<Sealed>]
type ReferenceResult internal (y: Ball[], hn: Ball[], cn: Ball[]) =
    member _.Y = y
    member _.HN = hn
    member _.CN = cn

[<Sealed>]
type ReferenceStep internal (h: Ball[], c: Ball[], gates: Ball[]) =
    member _.H = h
    member _.C = c
    member _.Gates = gates

[<Sealed>]
type ReferenceLayerGradients internal (g: LayerParams<Ball>) =
    member _.Wx = g.Wx
    member _.Wh = g.Wh
    member _.Bx = g.Bx
    member _.Bh = g.Bh
    member _.P: Ball[] = if g.P.Length = 0 then null else g.P

[<Sealed>]
type ReferenceGradients internal (outputs: ReferenceResult, loss: Ball option, g: NetworkGradients<Ball>) =
    member _.Outputs = outputs
    member _.Loss: Ball = match loss with Some l -> l | None -> Unchecked.defaultof<Ball>
    member _.DX = g.Dx
    member _.DH0 = g.Dh0
    member _.DC0 = g.Dc0
    member _.Layers = g.Layers |> Array.map ReferenceLayerGradients
    member _.OutputWy = match g.Output with Some o -> o.Wy | None -> [||]
    member _.OutputBy = match g.Output with Some o -> o.By | None -> [||]

[<AbstractClass; Sealed>]
type ReferenceNetwork =
    static member private Scalar(precisionBits: int) =
        if precisionBits < 53 then
            raise (ArgumentOutOfRangeException("precisionBits", precisionBits, "expected ≥ 53"))
        BallScalar.at precisionBits

    static member private Prepare(weights: NetworkWeights, timeSteps, batch, x: float[], seqLens: int[], h0: float[], c0: float[], s) =
        ArgumentNullException.ThrowIfNull weights
        ArgumentNullException.ThrowIfNull x
        let lift (v: float[]) = if isNull v || v.Length = 0 then null else Array.map Ball.ofFloat v
        let spec = weights.Spec
        let layers = Network.lift s weights
        let inputs = Network.inputs s spec timeSteps batch (Array.map Ball.ofFloat x) seqLens (lift h0) (lift c0)
        spec, layers, inputs

    static member Forward(weights: NetworkWeights, timeSteps, batch, x, seqLens, h0, c0, precisionBits) =
        let s = ReferenceNetwork.Scalar precisionBits
        let spec, layers, inputs = ReferenceNetwork.Prepare(weights, timeSteps, batch, x, seqLens, h0, c0, s)
        let out = Network.forward s spec layers inputs 0
        ReferenceResult(out.Y, out.Hn, out.Cn)

    static member Step(spec: CellSpec, layer: int, weights: LayerWeights, x: Ball[], hPrev: Ball[], cPrev: Ball[], precisionBits) =
        ArgumentNullException.ThrowIfNull spec
        if layer < 0 || layer >= spec.NumLayers then
            raise (ArgumentOutOfRangeException("layer", layer, sprintf "expected 0..%d" (spec.NumLayers - 1)))
        let s = ReferenceNetwork.Scalar precisionBits
        let w = Step.lift s spec layer weights
        let check name (v: Ball[]) n what =
            if isNull v || v.Length <> n then
                raise (ArgumentException(sprintf "%s has length %d, expected %s = %d" name (if isNull v then 0 else v.Length) what n, name))
        check "x" x w.InputSize "layerInputSize"
        check "hPrev" hPrev w.HiddenSize "hiddenSize"
        let c = if spec.Kind = CellKind.Lstm then (check "cPrev" cPrev w.HiddenSize "hiddenSize"; cPrev) else [||]
        let r = Step.run s spec w x hPrev c
        ReferenceStep(r.H, r.C, r.Gates)

    static member Step(spec: CellSpec, layer: int, weights: LayerWeights, x: float[], hPrev: float[], cPrev: float[], precisionBits) =
        let lift (v: float[]) = if isNull v then null else Array.map Ball.ofFloat v
        ReferenceNetwork.Step(spec, layer, weights, lift x, lift hPrev, lift cPrev, precisionBits)

    static member Backward(weights: NetworkWeights, timeSteps, batch, x, seqLens, h0, c0, dy: float[], dhN: float[], dcN: float[], window, precisionBits) =
        if window < 0 then raise (ArgumentOutOfRangeException("window", window, "expected ≥ 0 (0: no truncation)"))
        let s = ReferenceNetwork.Scalar precisionBits
        let spec, layers, inputs = ReferenceNetwork.Prepare(weights, timeSteps, batch, x, seqLens, h0, c0, s)
        let states = spec.NumLayers * spec.Directions * batch * spec.HiddenSize
        let seed name (v: float[]) n what =
            if isNull v || v.Length = 0 then [||]
            elif v.Length <> n then raise (ArgumentException(sprintf "%s has length %d, expected %s = %d" name v.Length what n, name))
            else Array.map Ball.ofFloat v
        let dy = seed "dy" dy (timeSteps * batch * spec.Directions * spec.HiddenSize) "steps·batch·directions·hiddenSize"
        let dhN = seed "dhN" dhN states "numLayers·directions·batch·hiddenSize"
        let dcN = if spec.Kind = CellKind.Lstm then seed "dcN" dcN states "numLayers·directions·batch·hiddenSize" else [||]
        let out, g = Bptt.vjp s spec layers inputs window dy dhN dcN
        ReferenceGradients(ReferenceResult(out.Y, out.Hn, out.Cn), None, g)

    static member LossGradient(weights: NetworkWeights, outputSize, wy: float[], by: float[], psi, divergence, timeSteps, batch, x, seqLens, h0, c0, targets: float[], window, precisionBits) =
        if window < 0 then raise (ArgumentOutOfRangeException("window", window, "expected ≥ 0 (0: no truncation)"))
        let s = ReferenceNetwork.Scalar precisionBits
        let spec, layers, inputs = ReferenceNetwork.Prepare(weights, timeSteps, batch, x, seqLens, h0, c0, s)
        let width = spec.Directions * spec.HiddenSize
        let check name (v: float[]) n what =
            if isNull v || v.Length <> n then
                raise (ArgumentException(sprintf "%s has length %d, expected %s = %d" name (if isNull v then 0 else v.Length) what n, name))
        check "wy" wy (outputSize * width) "outputSize·directions·hiddenSize"
        check "by" by outputSize "outputSize"
        check "targets" targets (timeSteps * batch * outputSize) "steps·batch·outputSize"
        let output = { OutputSize = outputSize; Wy = Array.map Ball.ofFloat wy; By = Array.map Ball.ofFloat by; Psi = psi }
        let loss, out, g = Bptt.lossGradient s spec layers output inputs window divergence (Array.map Ball.ofFloat targets)
        ReferenceGradients(ReferenceResult(out.Y, out.Hn, out.Cn), Some loss, g)

    static member Midpoints(balls: Ball[]) = Array.map Conversions.midToFloat balls

    static member Radii(balls: Ball[]) =
        balls
        |> Array.map (fun b ->
            let d = Dyadic.toFloat (Dyadic.roundUp 53 b.Rad)
            if Double.IsFinite d && Dyadic.compare (Dyadic.ofFloat d) b.Rad < 0 then Math.BitIncrement d else d)

    static member ToDoubles(balls: Ball[]) =
        balls
        |> Array.mapi (fun i b ->
            match Conversions.toFloat RoundingMode.Nearest b with
            | Ok d -> d
            | Error _ -> raise (InvalidOperationException(sprintf "element %d (%O) straddles a rounding boundary of double; recompute at a higher precision" i b)))

    static member ToSingles(balls: Ball[]) =
        balls
        |> Array.mapi (fun i b ->
            match Conversions.toFloat32 RoundingMode.Nearest b with
            | Ok d -> d
            | Error _ -> raise (InvalidOperationException(sprintf "element %d (%O) straddles a rounding boundary of float32; recompute at a higher precision" i b)))
