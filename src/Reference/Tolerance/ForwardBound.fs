namespace RnnVerify.Reference.Tolerance

open RnnVerify.Cells

type TensorBound =
    { Value: float[]
      Error: float[]
      Local: bool[] }

type Feeding =
    | ClaimedStates = 0
    | ReferenceStates = 1

type ForwardRun =
    { Tape: Tape
      Y: TensorBound
      HN: TensorBound
      CN: TensorBound
      YNodes: int[]
      HNNodes: int[]
      CNNodes: int[]
      XNodes: int[]
      H0Nodes: int[]
      C0Nodes: int[]
      Weights: WeightNodes[] }

module ForwardBound =
    let private tensor n =
        { Value = Array.zeroCreate n
          Error = Array.zeroCreate n
          Local = Array.zeroCreate n }

    let private put (tape: Tape) (t: TensorBound) (nodes: int[]) i node local =
        nodes[i] <- node

        if node >= 0 then
            let b = tape.Value node
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
        let tape = Tape(model)
        let spec = weights.Spec
        let hidden, dirs, layers = spec.HiddenSize, spec.Directions, spec.NumLayers
        let isLstm = spec.Kind = CellKind.Lstm
        let yWidth = dirs * hidden
        let states = layers * dirs * batch * hidden
        let y, yNodes = tensor (timeSteps * batch * yWidth), Array.create (timeSteps * batch * yWidth) -1
        let hN, hNNodes = tensor states, Array.create states -1
        let cN, cNNodes = tensor (if isLstm then states else 0), Array.create (if isLstm then states else 0) -1
        let lenOf b = if isNull seqLens then timeSteps else seqLens[b]
        // Initial states are given in binary64; the implementation holds them converted to its format, which is all the
        // error a copied state (h_n = h0 of a zero-length entry) may carry. (Affine terms count the conversion again: harmless.)
        let leaves (s: float[]) =
            Array.init states (fun i ->
                let v = if isNull s then 0.0 else s[i]
                Tape.leaf tape { Value = v; Error = RoundingModel.conversionError model v })
        let xNodes = x |> Array.map (Bounded.exact >> Tape.leaf tape)
        let h0Nodes = leaves h0
        let c0Nodes = if isLstm then leaves c0 else Array.empty
        let weightNodes = [| for layer in 0 .. layers - 1 do
                                 for dir in 0 .. dirs - 1 -> StepBound.weightNodes tape weights[layer, dir] |]
        let zero = Tape.leaf tape (Bounded.exact 0.0)

        // Layer input node per time step and batch entry.
        let mutable layerIn =
            Array.init timeSteps (fun t -> Array.init batch (fun b -> Array.sub xNodes ((t * batch + b) * spec.InputSize) spec.InputSize))

        for layer in 0 .. layers - 1 do
            let last = layer = layers - 1
            let fed = last && feeding = Feeding.ClaimedStates && not (isNull claimedY)
            // Time-aligned outputs of this layer (what layer + 1 reads); ProcessingOrder reorders only the top layer's y.
            let out = Array.init timeSteps (fun _ -> Array.init batch (fun _ -> Array.create yWidth zero))
            let carry = spec.Padding = PaddingReading.CarryLast

            for dir in 0 .. dirs - 1 do
                let w = weightNodes[layer * dirs + dir]
                let slot = layer * dirs + dir
                let reorder = dir = 1 && spec.ReverseOrder = ReverseOutputOrder.ProcessingOrder

                for b in 0 .. batch - 1 do
                    let len = lenOf b
                    let stateAt (nodes: int[]) = Array.init hidden (fun j -> nodes[(slot * batch + b) * hidden + j])
                    let first = stateAt h0Nodes
                    let mutable h = first
                    let mutable c = if isLstm then stateAt c0Nodes else Array.create hidden zero
                    let mutable lastOut = h

                    for k in 0 .. len - 1 do
                        let t = if dir = 0 then k else len - 1 - k
                        let hNext, cNext = StepBound.step tape spec w (layerIn[t].[b]) h c
                        let ySlot = if reorder then k else t

                        for j in 0 .. hidden - 1 do
                            out[t].[b].[dir * hidden + j] <- hNext[j]
                            if last then put tape y yNodes ((ySlot * batch + b) * yWidth + dir * hidden + j) hNext[j] fed

                        lastOut <- hNext
                        c <- cNext

                        h <-
                            if fed then
                                Array.init hidden (fun j -> Tape.fed tape claimedY[(ySlot * batch + b) * yWidth + dir * hidden + j] hNext[j])
                            else
                                hNext

                    // Padded steps t >= len: zeros, or the carried state. The reverse direction processes them first, so its
                    // carried state there is h0; under ProcessingOrder the user-visible slots k >= len follow the last processed
                    // step and hold the final state.
                    for t in len .. timeSteps - 1 do
                        for j in 0 .. hidden - 1 do
                            out[t].[b].[dir * hidden + j] <- if carry then (if dir = 1 then first[j] else lastOut[j]) else zero

                            if last then
                                let i = (t * batch + b) * yWidth + dir * hidden + j

                                if not carry then put tape y yNodes i (-1) (fed && len > 0)
                                elif dir = 1 && not reorder then put tape y yNodes i first[j] false
                                else put tape y yNodes i lastOut[j] (fed && len > 0)

                    for j in 0 .. hidden - 1 do
                        put tape hN hNNodes ((slot * batch + b) * hidden + j) lastOut[j] (fed && len > 0)
                        if isLstm then put tape cN cNNodes ((slot * batch + b) * hidden + j) c[j] false

            layerIn <- out

        { Tape = tape
          Y = y
          HN = hN
          CN = cN
          YNodes = yNodes
          HNNodes = hNNodes
          CNNodes = cNNodes
          XNodes = xNodes
          H0Nodes = h0Nodes
          C0Nodes = c0Nodes
          Weights = weightNodes }
