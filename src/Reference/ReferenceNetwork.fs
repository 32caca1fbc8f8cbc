namespace RnnVerify.Reference

open System
open RnnVerify.Cells
open RnnVerify.Reference.Twins
open RnnVerify.Reference.Fast

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

/// The prepared Ball128 weights (Step128.prepare) of the last step call per LayerWeights object, with a copy of the doubles
/// they were prepared from: a repeated step with unchanged weights (compared element by element) reuses them instead of
/// lifting and splitting G·H·(In + H + 2) values again.
type private LiftedWeights(spec: CellSpec, layer: int, source: float[][], prepared: Layer128) =
    static member Arrays(w: LayerWeights) = [| w.Wx; w.Wh; w.Bx; w.Bh; (if isNull w.P then [||] else w.P) |]
    member _.Prepared = prepared

    member _.Matches(s: CellSpec, l: int, w: LayerWeights) =
        obj.Equals(spec, s) && layer = l
        && Array.forall2 (fun (a: float[]) (b: float[]) -> MemoryExtensions.SequenceEqual(ReadOnlySpan a, ReadOnlySpan b)) source (LiftedWeights.Arrays w)

module private LiftCache =
    let table = System.Runtime.CompilerServices.ConditionalWeakTable<LayerWeights, LiftedWeights>()

    let lift (spec: CellSpec) (layer: int) (w: LayerWeights) =
        match table.TryGetValue w with
        | true, cached when cached.Matches(spec, layer, w) -> cached
        | _ ->
            let cached = LiftedWeights(spec, layer, LiftedWeights.Arrays w |> Array.map Array.copy, Step128.prepare spec layer w)
            table.AddOrUpdate(w, cached)
            cached

[<AbstractClass; Sealed>]
type ReferenceNetwork =
    /// The precision served by the fixed-width Ball128 (forward and step).
    static member internal FastBits = 128

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

    /// One step in Ball128 with the gate rows' pre-activations from WeightRows128 (Step128.run; inputs already checked).
    static member private Step128(spec: CellSpec, layer: int, weights: LayerWeights, x: Ball128[], hPrev: Ball128[], cPrev: Ball128[]) =
        let r = Step128.run spec (LiftCache.lift spec layer weights).Prepared x hPrev cPrev
        let back = Array.map Ball128.toBall
        ReferenceStep(back r.H, back r.C, back r.Gates)

    static member Forward(weights: NetworkWeights, timeSteps, batch, x: float[], seqLens, h0: float[], c0: float[], precisionBits) =
        let s = ReferenceNetwork.Scalar precisionBits
        if precisionBits = ReferenceNetwork.FastBits then
            // The fixed-width ball: the same enclosure guarantee, far cheaper than BigInteger balls (docs/performance.md).
            ArgumentNullException.ThrowIfNull weights
            ArgumentNullException.ThrowIfNull x
            let f = Ball128Scalar.instance
            let lift (v: float[]) = if isNull v || v.Length = 0 then null else Array.map Ball128.ofFloat v
            let spec = weights.Spec
            let layers = Network.liftWith Step128.prepare weights
            let inputs = Network.inputs f spec timeSteps batch (Array.map Ball128.ofFloat x) seqLens (lift h0) (lift c0)
            let out = Network.forwardWith f spec (fun k -> Step128.run spec layers[k]) inputs 0
            let back = Array.map Ball128.toBall
            ReferenceResult(back out.Y, back out.Hn, back out.Cn)
        else
            let spec, layers, inputs = ReferenceNetwork.Prepare(weights, timeSteps, batch, x, seqLens, h0, c0, s)
            let out = Network.forward s spec layers inputs 0
            ReferenceResult(out.Y, out.Hn, out.Cn)

    static member Step(spec: CellSpec, layer: int, weights: LayerWeights, x: Ball[], hPrev: Ball[], cPrev: Ball[], precisionBits) =
        ArgumentNullException.ThrowIfNull spec
        if layer < 0 || layer >= spec.NumLayers then
            raise (ArgumentOutOfRangeException("layer", layer, sprintf "expected 0..%d" (spec.NumLayers - 1)))
        let s = ReferenceNetwork.Scalar precisionBits
        let inputSize, hiddenSize = spec.LayerInputSize layer, spec.HiddenSize
        let check name (v: Ball[]) n what =
            if isNull v || v.Length <> n then
                raise (ArgumentException(sprintf "%s has length %d, expected %s = %d" name (if isNull v then 0 else v.Length) what n, name))
        let lstm = spec.Kind = CellKind.Lstm
        if precisionBits = ReferenceNetwork.FastBits then
            check "x" x inputSize "layerInputSize"
            check "hPrev" hPrev hiddenSize "hiddenSize"
            if lstm then check "cPrev" cPrev hiddenSize "hiddenSize"
            let lift = Array.map Ball128.ofBall
            ReferenceNetwork.Step128(spec, layer, weights, lift x, lift hPrev, (if lstm then lift cPrev else [||]))
        else
            let w = Step.lift s spec layer weights
            check "x" x inputSize "layerInputSize"
            check "hPrev" hPrev hiddenSize "hiddenSize"
            let c = if lstm then (check "cPrev" cPrev hiddenSize "hiddenSize"; cPrev) else [||]
            let r = Step.run s spec w x hPrev c
            ReferenceStep(r.H, r.C, r.Gates)

    static member Step(spec: CellSpec, layer: int, weights: LayerWeights, x: float[], hPrev: float[], cPrev: float[], precisionBits) =
        if precisionBits = ReferenceNetwork.FastBits && not (isNull spec) && layer >= 0 && layer < spec.NumLayers then
            // The doubles straight into Ball128 (exact), without a BigInteger Ball in between.
            let check name (v: float[]) n what =
                if isNull v || v.Length <> n then
                    raise (ArgumentException(sprintf "%s has length %d, expected %s = %d" name (if isNull v then 0 else v.Length) what n, name))
            check "x" x (spec.LayerInputSize layer) "layerInputSize"
            check "hPrev" hPrev spec.HiddenSize "hiddenSize"
            let lstm = spec.Kind = CellKind.Lstm
            if lstm then check "cPrev" cPrev spec.HiddenSize "hiddenSize"
            let lift = Array.map Ball128.ofFloat
            ReferenceNetwork.Step128(spec, layer, weights, lift x, lift hPrev, (if lstm then lift cPrev else [||]))
        else
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
