namespace RnnVerify.Reference.Tolerance

open RnnVerify.Cells

type WeightNodes =
    { Wx: int[]
      Wh: int[]
      Bx: int[]
      Bh: int[]
      P: int[] }

module StepBound =
    let weightNodes (tape: Tape) (weights: LayerWeights) =
        let w = weights
        let leaves (a: float[]) = if isNull a then [||] else a |> Array.map (Bounded.exact >> Tape.leaf tape)

        { Wx = leaves w.Wx
          Wh = leaves w.Wh
          Bx = leaves w.Bx
          Bh = leaves w.Bh
          P = leaves w.P }

    let private clipped tape (spec: CellSpec) a =
        if spec.Clip.HasValue then Tape.clip tape spec.Clip.Value a else a

    /// Row `row` of the weight matrix w (nodes, row-major with xs.Length columns) against the shared input nodes xs.
    let private products (w: int[]) row (xs: int[]) = struct (w, row * xs.Length, xs)

    /// W_x[row]·x + W_h[row]·h + b_x[row] + b_h[row] + extra products, clipped when asked.
    let private pre tape spec (w: WeightNodes) x h extra row =
        Tape.affine tape (products w.Wx row x :: products w.Wh row h :: extra) [ w.Bx[row]; w.Bh[row] ] |> clipped tape spec

    let private elman tape (spec: CellSpec) w x (h: int[]) =
        let phi = spec.EffectiveActivations[0]
        Array.init h.Length (fun j -> pre tape spec w x h [] j |> Tape.activate tape phi)

    let private lstm tape (spec: CellSpec) (w: WeightNodes) x (h: int[]) (c: int[]) =
        let hidden = h.Length
        let acts = spec.EffectiveActivations
        let fAct, gAct, hAct = acts[0], acts[1], acts[2]
        let peep k j (cj: int) = if spec.Peepholes && w.P.Length > 0 then [ struct (w.P, k * hidden + j, [| cj |]) ] else []
        let newC = Array.zeroCreate hidden
        let newH = Array.zeroCreate hidden

        for j in 0 .. hidden - 1 do
            let gate row extra = pre tape spec w x h extra row |> Tape.activate tape fAct
            let iRaw () = gate j (peep 0 j c[j])
            let fRaw () = gate (hidden + j) (peep 1 j c[j])

            let i, f =
                if not spec.InputForget then
                    iRaw (), fRaw ()
                elif spec.InputForgetReading = InputForgetReading.ForgetFromInput then
                    let i = iRaw ()
                    i, Tape.oneMinus tape i
                else
                    let f = fRaw ()
                    Tape.oneMinus tape f, f

            let g = pre tape spec w x h [] (2 * hidden + j) |> Tape.activate tape gAct
            let cRaw = Tape.add tape (Tape.mul tape f c[j]) (Tape.mul tape i g)
            let cj = if spec.ClipReading = ClipReading.GateInputsAndCell then clipped tape spec cRaw else cRaw
            let o = gate (3 * hidden + j) (peep 2 j cj)
            newC[j] <- cj
            newH[j] <- Tape.mul tape o (Tape.activate tape hAct cj)

        newH, newC

    let private gru tape (spec: CellSpec) (w: WeightNodes) (x: int[]) (h: int[]) =
        let hidden = h.Length
        let acts = spec.EffectiveActivations
        let fAct, gAct = acts[0], acts[1]
        let r = Array.init hidden (fun j -> pre tape spec w x h [] j |> Tape.activate tape fAct)
        let z = Array.init hidden (fun j -> pre tape spec w x h [] (hidden + j) |> Tape.activate tape fAct)

        Array.init hidden (fun j ->
            let row = 2 * hidden + j

            let a =
                if spec.LinearBeforeReset then
                    let q = Tape.affine tape [ products w.Wx row x ] [ w.Bx[row] ]
                    let p = Tape.affine tape [ products w.Wh row h ] [ w.Bh[row] ]
                    Tape.add tape q (Tape.mul tape r[j] p)
                else
                    let rh = Array.init hidden (fun k -> Tape.mul tape r[k] h[k])
                    Tape.affine tape [ products w.Wx row x; products w.Wh row rh ] [ w.Bx[row]; w.Bh[row] ]

            let n = clipped tape spec a |> Tape.activate tape gAct
            Tape.convex tape z[j] n h[j])

    let step (tape: Tape) (spec: CellSpec) (weights: WeightNodes) (x: int[]) (h: int[]) (c: int[]) =
        match spec.Kind with
        | CellKind.Rnn -> elman tape spec weights x h, c
        | CellKind.Lstm -> lstm tape spec weights x h c
        | CellKind.Gru -> gru tape spec weights x h, c
        | k -> invalidArg (nameof spec) (sprintf "unknown cell kind %A" k)
