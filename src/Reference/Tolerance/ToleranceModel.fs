namespace RnnVerify.Reference.Tolerance

open System
open RnnVerify.Reference
open RnnVerify.Cells

type ReferenceArithmetic =
    | Binary64 = 0
    | Ball = 1

[<Sealed>]
type ElementTolerance(reference: float[], radius: float[], allowed: float[], local: bool[]) =
    member _.Reference = reference
    member _.ReferenceRadius = radius
    member _.Allowed = allowed
    member _.Local = local
    member _.Length = reference.Length

    member _.Ratio(index: int, claimed: float) =
        if not (Double.IsFinite claimed) then
            infinity
        else
            let excess = max 0.0 (abs (claimed - reference[index]) - radius[index])
            if excess = 0.0 then 0.0 elif allowed[index] = 0.0 then infinity else excess / allowed[index]

    member this.Passes(index: int, claimed: float) = this.Ratio(index, claimed) <= 1.0

    member this.Worst(claimed: float[]) =
        if claimed.Length <> reference.Length then
            invalidArg (nameof claimed) (sprintf "claimed has length %d, expected %d" claimed.Length reference.Length)

        let mutable worst, at = 0.0, (if reference.Length = 0 then -1 else 0)

        for i in 0 .. claimed.Length - 1 do
            let r = this.Ratio(i, claimed[i])
            if r > worst then
                worst <- r
                at <- i

        struct (worst, at)

[<Sealed>]
type ForwardTolerance(y: ElementTolerance, hN: ElementTolerance, cN: ElementTolerance) =
    member _.Y = y
    member _.HN = hN
    member _.CN = cN

[<Sealed>]
type LayerGradientTolerance(wx: ElementTolerance, wh: ElementTolerance, bx: ElementTolerance, bh: ElementTolerance, p: ElementTolerance) =
    member _.Wx = wx
    member _.Wh = wh
    member _.Bx = bx
    member _.Bh = bh
    member _.P = p

[<Sealed>]
type GradientTolerance(x: ElementTolerance, h0: ElementTolerance, c0: ElementTolerance, weights: LayerGradientTolerance[]) =
    member _.X = x
    member _.H0 = h0
    member _.C0 = c0
    member _.Weights = weights

module private Facade =
    let referenceModel = RoundingModel.standard ClaimedDtype.Float64

    let element (model: RoundingModel) (t: TensorBound) (r: TensorBound) =
        ElementTolerance(
            t.Value,
            r.Error |> Array.map (fun e -> referenceModel.Safety * e),
            t.Error |> Array.map (fun e -> model.Safety * e),
            t.Local
        )

    let runs (weights: NetworkWeights) timeSteps batch (x: float[]) (seqLens: int[]) (h0: float[]) (c0: float[]) (claimedY: float[]) feeding =
        let spec = weights.Spec

        let expect name (a: float[]) n =
            if not (isNull a) && a.Length <> n then
                invalidArg name (sprintf "%s has length %d, expected %d" name a.Length n)

        if isNull x then nullArg (nameof x)
        let states = spec.NumLayers * spec.Directions * batch * spec.HiddenSize
        expect (nameof x) x (timeSteps * batch * spec.InputSize)
        expect (nameof h0) h0 states
        expect (nameof c0) c0 states
        expect (nameof claimedY) claimedY (timeSteps * batch * spec.Directions * spec.HiddenSize)

        if not (isNull seqLens) && (seqLens.Length <> batch || seqLens |> Array.exists (fun l -> l < 0 || l > timeSteps)) then
            invalidArg (nameof seqLens) (sprintf "seqLens must have %d entries in [0, %d]" batch timeSteps)

        // A function, so that each caller records only the runs it needs and one tape at a time.
        fun m -> ForwardBound.compute m feeding weights timeSteps batch x seqLens h0 c0 claimedY

    /// Midpoint rounded to binary64 and a radius rounded up that covers the ball and that rounding.
    let ofBall (b: RnnVerify.Reference.Ball) =
        let m = RnnVerify.Reference.Conversions.midToFloat b
        let offset = RnnVerify.Reference.Dyadic.abs (RnnVerify.Reference.Dyadic.sub b.Mid (RnnVerify.Reference.Dyadic.ofFloat m))
        let r = RnnVerify.Reference.Dyadic.toFloat b.Rad + RnnVerify.Reference.Dyadic.toFloat offset
        m, r * (1.0 + System.Math.ScaleB(1.0, -50)) + System.Double.Epsilon

    let ballElement (model: RoundingModel) (t: TensorBound) (balls: RnnVerify.Reference.Ball[]) =
        let pairs = balls |> Array.map ofBall
        ElementTolerance(Array.map fst pairs, Array.map snd pairs, t.Error |> Array.map (fun e -> model.Safety * e), t.Local)

[<AbstractClass; Sealed>]
type ToleranceModel =
    static member Forward
        (
            weights: NetworkWeights,
            timeSteps: int,
            batch: int,
            x: float[],
            seqLens: int[],
            h0: float[],
            c0: float[],
            claimedY: float[],
            model: RoundingModel,
            feeding: Feeding,
            reference: ReferenceArithmetic
        ) =
        let record = Facade.runs weights timeSteps batch x seqLens h0 c0 claimedY feeding
        // Only the bounds are kept: the tapes are dropped as soon as their tensors are read.
        let bounds (r: ForwardRun) = r.Y, r.HN, r.CN
        let y, hN, cN = bounds (record model)

        match reference with
        | ReferenceArithmetic.Binary64 ->
            let element = Facade.element model
            let y64, hN64, cN64 = bounds (record Facade.referenceModel)
            ForwardTolerance(element y y64, element hN hN64, element cN cN64)
        | _ ->
            // The reference at 128 bits in the fixed-width ball (the same enclosure guarantee as BallScalar.at 128, faster).
            let yRef, hNRef, cNRef =
                let yB, hNB, cNB =
                    FedReference.forward128 feeding weights timeSteps batch x seqLens h0 c0 claimedY

                let back = Array.map RnnVerify.Reference.Fast.Ball128.toBall
                back yB, back hNB, back cNB

            let element = Facade.ballElement model
            ForwardTolerance(element y yRef, element hN hNRef, element cN cNRef)

    static member Forward
        (
            weights: NetworkWeights,
            timeSteps: int,
            batch: int,
            x: float[],
            seqLens: int[],
            h0: float[],
            c0: float[],
            claimedY: float[],
            model: RoundingModel,
            feeding: Feeding
        ) =
        ToleranceModel.Forward(weights, timeSteps, batch, x, seqLens, h0, c0, claimedY, model, feeding, ReferenceArithmetic.Ball)

    static member Forward
        (
            weights: NetworkWeights,
            timeSteps: int,
            batch: int,
            x: float[],
            seqLens: int[],
            h0: float[],
            c0: float[],
            claimedY: float[],
            dtype: ClaimedDtype
        ) =
        ToleranceModel.Forward(weights, timeSteps, batch, x, seqLens, h0, c0, claimedY, RoundingModel.standard dtype, Feeding.ClaimedStates)

    static member Backward
        (
            weights: NetworkWeights,
            timeSteps: int,
            batch: int,
            x: float[],
            seqLens: int[],
            h0: float[],
            c0: float[],
            claimedY: float[],
            dy: float[],
            dhN: float[],
            dcN: float[],
            model: RoundingModel,
            feeding: Feeding
        ) =
        let record = Facade.runs weights timeSteps batch x seqLens h0 c0 claimedY feeding
        // One tape at a time: the claimed format's bound, then the float64 model's radius.
        let g = BackwardBound.compute (record model) dy dhN dcN
        let r = BackwardBound.compute (record Facade.referenceModel) dy dhN dcN
        let element = Facade.element model

        GradientTolerance(
            element g.X r.X,
            element g.H0 r.H0,
            element g.C0 r.C0,
            Array.map2
                (fun (a: LayerGradientBound) (b: LayerGradientBound) ->
                    LayerGradientTolerance(element a.Wx b.Wx, element a.Wh b.Wh, element a.Bx b.Bx, element a.Bh b.Bh, element a.P b.P))
                g.Weights
                r.Weights
        )

    static member Backward
        (
            weights: NetworkWeights,
            timeSteps: int,
            batch: int,
            x: float[],
            seqLens: int[],
            h0: float[],
            c0: float[],
            claimedY: float[],
            dy: float[],
            dhN: float[],
            dcN: float[],
            dtype: ClaimedDtype
        ) =
        ToleranceModel.Backward(
            weights, timeSteps, batch, x, seqLens, h0, c0, claimedY, dy, dhN, dcN, RoundingModel.standard dtype, Feeding.ClaimedStates
        )
