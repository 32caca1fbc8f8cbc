namespace RnnVerify.Reference.Twins

open System
open RnnVerify.Cells
open RnnVerify.Reference

type NetworkInputs<'T> =
    {
        Steps: int
        Batch: int
        X: 'T[]
        SeqLens: int[]
        H0: 'T[]
        C0: 'T[]
    }

type NetworkOutputs<'T> = { Y: 'T[]; Hn: 'T[]; Cn: 'T[] }

module Network =
    let private fail (name: string) message = raise (ArgumentException(message, name))

    let liftWith (prepare: CellSpec -> int -> LayerWeights -> 'L) (weights: NetworkWeights) : 'L[] =
        ArgumentNullException.ThrowIfNull weights
        let spec = weights.Spec
        let expected = spec.NumLayers * spec.Directions
        if weights.Layers.Count <> expected then
            fail "weights" (sprintf "weights has %d layers, expected numLayers·directions = %d" weights.Layers.Count expected)
        Array.init expected (fun k -> prepare spec (k / spec.Directions) weights.Layers[k])

    let lift (s: Scalar<'T>) (weights: NetworkWeights) : LayerParams<'T>[] = liftWith (Step.lift s) weights

    let inputs (s: Scalar<'T>) (spec: CellSpec) steps batch (x: 'T[]) (seqLens: int[]) (h0: 'T[]) (c0: 'T[]) =
        if steps < 0 then fail "steps" (sprintf "steps is %d, expected ≥ 0" steps)
        if batch < 1 then fail "batch" (sprintf "batch is %d, expected ≥ 1" batch)
        if isNull x || x.Length <> steps * batch * spec.InputSize then
            fail "x" (sprintf "x has length %d, expected steps·batch·inputSize = %d" (if isNull x then 0 else x.Length) (steps * batch * spec.InputSize))
        let stateLength = spec.NumLayers * spec.Directions * batch * spec.HiddenSize
        let state name (v: 'T[]) =
            match v with
            | null -> Array.create stateLength s.Zero
            | v when v.Length = stateLength -> v
            | v -> fail name (sprintf "%s has length %d, expected numLayers·directions·batch·hiddenSize = %d" name v.Length stateLength)
        let lens =
            match seqLens with
            | null -> Array.create batch steps
            | l when l.Length <> batch -> fail "seqLens" (sprintf "seqLens has length %d, expected batch = %d" l.Length batch)
            | l ->
                l |> Array.iteri (fun b n -> if n < 0 || n > steps then fail "seqLens" (sprintf "seqLens[%d] = %d, expected 0..%d" b n steps))
                l
        { Steps = steps; Batch = batch; X = x; SeqLens = lens; H0 = state "h0" h0
          C0 = (if spec.Kind = CellKind.Lstm then state "c0" c0 else [||]) }

    let forwardWith (s: Scalar<'T>) (spec: CellSpec) (step: int -> 'T[] -> 'T[] -> 'T[] -> StepResult<'T>) (inputs: NetworkInputs<'T>) (cut: int) =
        let T, B, H, D = inputs.Steps, inputs.Batch, spec.HiddenSize, spec.Directions
        let isLstm = spec.Kind = CellKind.Lstm
        let hn = Array.create (spec.NumLayers * D * B * H) s.Zero
        let cn = if isLstm then Array.create (spec.NumLayers * D * B * H) s.Zero else [||]
        let mutable layerIn = inputs.X
        let mutable inSize = spec.InputSize
        let carry = spec.Padding = PaddingReading.CarryLast
        let reorder = D = 2 && spec.ReverseOrder = ReverseOutputOrder.ProcessingOrder
        let mutable userY = [||]
        for l in 0 .. spec.NumLayers - 1 do
            // Time-aligned outputs of this layer: what layer l + 1 reads.
            let y = Array.create (T * B * D * H) s.Zero
            let top = l = spec.NumLayers - 1
            let yUser = if top && reorder then Array.create (T * B * D * H) s.Zero else y
            for d in 0 .. D - 1 do
                let run = step (l * D + d)
                for b in 0 .. B - 1 do
                    let n = inputs.SeqLens[b]
                    let stateAt = ((l * D + d) * B + b) * H
                    let mutable h = Array.sub inputs.H0 stateAt H
                    let mutable c = if isLstm then Array.sub inputs.C0 stateAt H else [||]
                    let write (target: 'T[]) t (v: 'T[]) = Array.blit v 0 target ((t * B + b) * D * H + d * H) H
                    // Padded steps of the reverse direction come first in processing order: the carried state is h0.
                    if carry && d = 1 then
                        for t in n .. T - 1 do write y t h
                    for k in 0 .. n - 1 do
                        if cut > 0 && k = cut then
                            h <- Array.map s.Detach h
                            c <- Array.map s.Detach c
                        let t = if d = 0 then k else n - 1 - k
                        let r = run (Array.sub layerIn ((t * B + b) * inSize) inSize) h c
                        h <- r.H
                        c <- r.C
                        write y t h
                        if d = 1 && top && reorder then write yUser k h
                    if carry && d = 0 then
                        for t in n .. T - 1 do write y t h
                    if carry && d = 1 && top && reorder then
                        for k in n .. T - 1 do write yUser k h
                    if d = 0 && top && reorder then
                        for t in 0 .. T - 1 do Array.blit y ((t * B + b) * D * H) yUser ((t * B + b) * D * H) H
                    Array.blit h 0 hn stateAt H
                    if isLstm then Array.blit c 0 cn stateAt H
            layerIn <- y
            inSize <- D * H
            userY <- yUser
        { Y = userY; Hn = hn; Cn = cn }

    let forward (s: Scalar<'T>) (spec: CellSpec) (layers: LayerParams<'T>[]) (inputs: NetworkInputs<'T>) (cut: int) =
        forwardWith s spec (fun k -> Step.run s spec layers[k]) inputs cut
