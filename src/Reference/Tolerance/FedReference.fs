namespace RnnVerify.Reference.Tolerance

open RnnVerify.Cells
open RnnVerify.Reference
open RnnVerify.Reference.Twins
open RnnVerify.Reference.Fast

module FedReference =
    /// The fed recursion with the step of each layer and direction from stepOf layer direction (applied once per pair).
    let private run
        (s: Scalar<'T>)
        (stepOf: int -> int -> 'T[] -> 'T[] -> 'T[] -> StepResult<'T>)
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
        let states = layers * dirs * batch * hidden
        let lenOf b = if isNull seqLens then timeSteps else seqLens[b]
        let lift (a: float[]) n = if isNull a then Array.create n s.Zero else Array.map s.OfFloat a
        let h0s, c0s = lift h0 states, (if isLstm then lift c0 states else Array.empty)
        let hN = Array.create states s.Zero
        let cN = if isLstm then Array.create states s.Zero else Array.empty
        let mutable layerIn = lift x x.Length
        let mutable inSize = spec.InputSize
        let mutable y = Array.empty

        for layer in 0 .. layers - 1 do
            let top = layer = layers - 1
            let fed = top && feeding = Feeding.ClaimedStates && not (isNull claimedY)
            // Time-aligned outputs of this layer (what layer + 1 reads); ProcessingOrder reorders only the top layer's y.
            let out = Array.create (timeSteps * batch * yWidth) s.Zero
            let reorder = top && dirs = 2 && spec.ReverseOrder = ReverseOutputOrder.ProcessingOrder
            let userY = if reorder then Array.create (timeSteps * batch * yWidth) s.Zero else out
            let carry = spec.Padding = PaddingReading.CarryLast

            for dir in 0 .. dirs - 1 do
                let step = stepOf layer dir

                for b in 0 .. batch - 1 do
                    let len = lenOf b
                    let at = ((layer * dirs + dir) * batch + b) * hidden
                    let first = Array.sub h0s at hidden
                    let mutable h = first
                    let mutable c = if isLstm then Array.sub c0s at hidden else Array.empty
                    let mutable last = h
                    let slotOf t = (t * batch + b) * yWidth + dir * hidden
                    let userSlot t k = if dir = 1 && reorder then k else t

                    for k in 0 .. len - 1 do
                        let t = if dir = 0 then k else len - 1 - k
                        let r = step (Array.sub layerIn ((t * batch + b) * inSize) inSize) h c
                        Array.blit r.H 0 out (slotOf t) hidden
                        if reorder then Array.blit r.H 0 userY (slotOf (userSlot t k)) hidden
                        last <- r.H
                        c <- r.C
                        h <- if fed then Array.init hidden (fun j -> s.OfFloat claimedY[slotOf (userSlot t k) + j]) else r.H

                    if carry then
                        // The reverse direction processes the padded steps first: its carried state there is still h0.
                        let padded = if dir = 1 then first else last

                        for t in len .. timeSteps - 1 do
                            Array.blit padded 0 out (slotOf t) hidden
                            // Under ProcessingOrder the slots k >= len come after the last processed step.
                            if reorder then Array.blit (if dir = 1 then last else padded) 0 userY (slotOf t) hidden

                    Array.blit last 0 hN at hidden
                    if isLstm then Array.blit c 0 cN at hidden

            layerIn <- out
            inSize <- yWidth
            y <- userY

        y, hN, cN

    let forward (s: Scalar<'T>) feeding (weights: NetworkWeights) timeSteps batch x seqLens h0 c0 claimedY =
        let stepOf layer dir = Step.run s weights.Spec (Step.lift s weights.Spec layer weights[layer, dir])
        run s stepOf feeding weights timeSteps batch x seqLens h0 c0 claimedY

    let forward128 feeding (weights: NetworkWeights) timeSteps batch x seqLens h0 c0 claimedY =
        let stepOf layer dir = Step128.run weights.Spec (Step128.prepare weights.Spec layer weights[layer, dir])
        run Ball128Scalar.instance stepOf feeding weights timeSteps batch x seqLens h0 c0 claimedY
