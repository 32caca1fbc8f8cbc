namespace RnnVerify.Reference.Tolerance

open RnnVerify.Cells

module StepBound =
    /// Pre-activation of gate row `row`: W_x[row]·x + W_h[row]·h + b_x[row] + b_h[row] (+ peephole term), clipped when asked.
    let private pre model (spec: CellSpec) (w: LayerWeights) (x: Bounded[]) (h: Bounded[]) extra row =
        let inSize, hidden = x.Length, h.Length
        let a = Bounded.affine model [ (w.Wx, row * inSize, x); (w.Wh, row * hidden, h) ] extra [ w.Bx[row]; w.Bh[row] ]
        if spec.Clip.HasValue then Bounded.clip model spec.Clip.Value a else a

    let private clipped model (spec: CellSpec) (a: Bounded) =
        if spec.Clip.HasValue then Bounded.clip model spec.Clip.Value a else a

    let private elman model (spec: CellSpec) (w: LayerWeights) x (h: Bounded[]) =
        let phi = spec.EffectiveActivations[0]
        Array.init h.Length (fun j -> pre model spec w x h [] j |> Bounded.activate model phi)

    let private lstm model (spec: CellSpec) (w: LayerWeights) x (h: Bounded[]) (c: Bounded[]) =
        let hidden = h.Length
        let acts = spec.EffectiveActivations
        let fAct, gAct, hAct = acts[0], acts[1], acts[2]
        let peep (k: int) j = match w.P with | null -> [] | p when spec.Peepholes -> [ (p[k * hidden + j], c[j]) ] | _ -> []
        let newC = Array.zeroCreate hidden
        let newH = Array.zeroCreate hidden

        for j in 0 .. hidden - 1 do
            let gate row extra = pre model spec w x h extra row |> Bounded.activate model fAct
            let iRaw () = gate j (peep 0 j)
            let fRaw () = gate (hidden + j) (peep 1 j)

            let i, f =
                if not spec.InputForget then
                    iRaw (), fRaw ()
                else
                    match spec.InputForgetReading with
                    | InputForgetReading.ForgetFromInput ->
                        let i = iRaw ()
                        i, Bounded.oneMinus model i
                    | _ ->
                        let f = fRaw ()
                        Bounded.oneMinus model f, f

            let g = pre model spec w x h [] (2 * hidden + j) |> Bounded.activate model gAct
            let cRaw = Bounded.add model (Bounded.mul model f c[j]) (Bounded.mul model i g)

            let cj =
                if spec.ClipReading = ClipReading.GateInputsAndCell then clipped model spec cRaw else cRaw

            let o = gate (3 * hidden + j) (match w.P with | null -> [] | p when spec.Peepholes -> [ (p[2 * hidden + j], cj) ] | _ -> [])
            newC[j] <- cj
            newH[j] <- Bounded.mul model o (Bounded.activate model hAct cj)

        newH, newC

    let private gru model (spec: CellSpec) (w: LayerWeights) (x: Bounded[]) (h: Bounded[]) =
        let hidden, inSize = h.Length, x.Length
        let acts = spec.EffectiveActivations
        let fAct, gAct = acts[0], acts[1]
        let r = Array.init hidden (fun j -> pre model spec w x h [] j |> Bounded.activate model fAct)
        let z = Array.init hidden (fun j -> pre model spec w x h [] (hidden + j) |> Bounded.activate model fAct)

        Array.init hidden (fun j ->
            let row = 2 * hidden + j

            let a =
                if spec.LinearBeforeReset then
                    let q = Bounded.affine model [ (w.Wx, row * inSize, x) ] [] [ w.Bx[row] ]
                    let p = Bounded.affine model [ (w.Wh, row * hidden, h) ] [] [ w.Bh[row] ]
                    Bounded.add model q (Bounded.mul model r[j] p)
                else
                    let rh = Array.init hidden (fun k -> Bounded.mul model r[k] h[k])
                    Bounded.affine model [ (w.Wx, row * inSize, x); (w.Wh, row * hidden, rh) ] [] [ w.Bx[row]; w.Bh[row] ]

            let n = clipped model spec a |> Bounded.activate model gAct
            Bounded.convex model z[j] n h[j])

    let step model (spec: CellSpec) (weights: LayerWeights) (x: Bounded[]) (h: Bounded[]) (c: Bounded[]) =
        match spec.Kind with
        | CellKind.Rnn -> elman model spec weights x h, c
        | CellKind.Lstm -> lstm model spec weights x h c
        | CellKind.Gru -> gru model spec weights x h, c
        | k -> invalidArg (nameof spec) (sprintf "unknown cell kind %A" k)
