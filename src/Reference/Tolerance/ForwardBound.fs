namespace RnnVerify.Reference.Tolerance

open RnnVerify.Cells

type TensorBound =
    { Value: float[]
      Error: float[]
      Local: bool[] }

type Feeding =
    | ClaimedStates = 0
    | ReferenceStates = 1

module ForwardBound =
    let private tensor n =
        { Value = Array.zeroCreate n
          Error = Array.zeroCreate n
          Local = Array.zeroCreate n }

    let private put (t: TensorBound) i (b: Bounded) local =
        t.Value[i] <- b.Value
        t.Error[i] <- b.Error
        t.Local[i] <- local

    let compute
        (model: RoundingModel)
        (feeding: Feeding)
        (weights: NetworkWeights)
        (timeSteps: int)
        (batch: int)
        (x: float[])
        (seqLens: int[])
        (h0: float[])
        (c0: float[])
        (claimedY: float[])
        =
        let spec = weights.Spec
        let hidden, dirs, layers = spec.HiddenSize, spec.Directions, spec.NumLayers
        let isLstm = spec.Kind = CellKind.Lstm
        let yWidth = dirs * hidden
        let y = tensor (timeSteps * batch * yWidth)
        let hN = tensor (layers * dirs * batch * hidden)
        let cN = tensor (if isLstm then layers * dirs * batch * hidden else 0)
        let lenOf b = if isNull seqLens then timeSteps else seqLens[b]
        let init (s: float[]) slot b = Array.init hidden (fun j -> Bounded.exact (if isNull s then 0.0 else s[(slot * batch + b) * hidden + j]))

        // Layer input per time step and batch entry, as Bounded (the first layer's x is exact data).
        let mutable layerIn =
            Array.init timeSteps (fun t ->
                Array.init batch (fun b -> Array.init spec.InputSize (fun k -> Bounded.exact x[(t * batch + b) * spec.InputSize + k])))

        for layer in 0 .. layers - 1 do
            let last = layer = layers - 1
            let fed = last && feeding = Feeding.ClaimedStates && not (isNull claimedY)
            // Outputs of this layer per time step (reference recursion, both directions), the next layer's input.
            let out = Array.init timeSteps (fun _ -> Array.init batch (fun _ -> Array.create yWidth (Bounded.exact 0.0)))

            for dir in 0 .. dirs - 1 do
                let w = weights[layer, dir]
                let slot = layer * dirs + dir

                for b in 0 .. batch - 1 do
                    let len = lenOf b
                    let mutable h = init h0 slot b
                    let mutable c = init c0 slot b
                    let mutable lastOut = h
                    let written = Array.zeroCreate timeSteps

                    for k in 0 .. len - 1 do
                        let t = if dir = 0 then k else len - 1 - k
                        let hNext, cNext = StepBound.step model spec w (layerIn[t].[b]) h c
                        let ySlot = if dir = 1 && spec.ReverseOrder = ReverseOutputOrder.ProcessingOrder then k else t
                        written[ySlot] <- true

                        for j in 0 .. hidden - 1 do
                            out[ySlot].[b].[dir * hidden + j] <- hNext[j]
                            if last then put y ((ySlot * batch + b) * yWidth + dir * hidden + j) hNext[j] fed

                        lastOut <- hNext
                        c <- cNext

                        h <-
                            if fed then
                                Array.init hidden (fun j -> Bounded.exact claimedY[(ySlot * batch + b) * yWidth + dir * hidden + j])
                            else
                                hNext

                    // Padded steps: zeros, or the last state carried.
                    for t in 0 .. timeSteps - 1 do
                        if not written[t] then
                            for j in 0 .. hidden - 1 do
                                let v =
                                    if spec.Padding = PaddingReading.CarryLast then lastOut[j] else Bounded.exact 0.0

                                out[t].[b].[dir * hidden + j] <- v
                                if last then put y ((t * batch + b) * yWidth + dir * hidden + j) v (fed && len > 0)

                    for j in 0 .. hidden - 1 do
                        put hN ((slot * batch + b) * hidden + j) lastOut[j] (fed && len > 0)
                        if isLstm then put cN ((slot * batch + b) * hidden + j) c[j] false

            layerIn <- out

        y, hN, cN
