namespace RnnVerify.Reference.Twins

open System
open RnnVerify.Cells
open RnnVerify.Reference

type NetworkGradients<'T> =
    {
        Dx: 'T[]
        Dh0: 'T[]
        Dc0: 'T[]
        Layers: LayerParams<'T>[]
        Output: OutputParams<'T> option
    }

/// Truncated BPTT as the C# cells define it: the gradient of a term at step t reaches only steps s with t − s < window,
/// its state at the start of the window held constant. A term's window is realised by running the network with its state
/// cut just before step t − window + 1; terms sharing a cut share a run. Cut 0 means no cut (full BPTT).
module internal Truncation =
    let private normal c = if c > 0 then c else 0

    let check (spec: CellSpec) window =
        if window < 0 then raise (ArgumentOutOfRangeException("window", window, "expected ≥ 0 (0: no truncation)"))
        if window > 0 && spec.Bidirectional then
            raise (ArgumentException("a truncation window applies to unidirectional networks only (a window in time has no single direction in a bidirectional one)", "window"))

    /// The cut of the term y[t][b]: a valid step's own window; a padded step repeats the final state under CarryLast, whose
    /// term sits at the entry's last valid step (under Zeros the padded output is a constant and any cut will do).
    let ofY window (lens: int[]) t b =
        if window = 0 then 0 elif t < lens[b] then normal (t - window + 1) else normal (lens[b] - window)

    /// The cut of a final-state term (h_n, c_n) of entry b: placed at the entry's last valid step.
    let ofFinal window (lens: int[]) b = if window = 0 then 0 else normal (lens[b] - window)

    /// The cut of the loss term at step t.
    let ofStep window t = if window = 0 then 0 else normal (t - window + 1)

module Bptt =
    /// Records the inputs and weights as tape leaves and runs the network on the tape with the given cut.
    let private record (s: Scalar<'T>) spec (layers: LayerParams<'T>[]) (inputs: NetworkInputs<'T>) cut =
        let tape = Tape.create s
        let ts = Tape.scalar tape
        let leaf = Tape.leaf tape
        let vLayers = layers |> Array.map (Step.map leaf)
        let vInputs =
            { Steps = inputs.Steps; Batch = inputs.Batch; X = Array.map leaf inputs.X; SeqLens = inputs.SeqLens
              H0 = Array.map leaf inputs.H0; C0 = Array.map leaf inputs.C0 }
        let out = Network.forward ts spec vLayers vInputs cut
        tape, ts, vLayers, vInputs, out

    let private gradients adj (vLayers: LayerParams<Var<'T>>[]) (vInputs: NetworkInputs<Var<'T>>) output =
        let g = Tape.adjoint adj
        { Dx = Array.map g vInputs.X; Dh0 = Array.map g vInputs.H0; Dc0 = Array.map g vInputs.C0
          Layers = vLayers |> Array.map (Step.map g); Output = output |> Option.map (Output.map g) }

    let private sum (s: Scalar<'T>) (a: NetworkGradients<'T>) (b: NetworkGradients<'T>) =
        let add = Array.map2 s.Add
        let addLayer (p: LayerParams<'T>) (q: LayerParams<'T>) =
            { p with Wx = add p.Wx q.Wx; Wh = add p.Wh q.Wh; Bx = add p.Bx q.Bx; Bh = add p.Bh q.Bh; P = add p.P q.P }
        { Dx = add a.Dx b.Dx; Dh0 = add a.Dh0 b.Dh0; Dc0 = add a.Dc0 b.Dc0; Layers = Array.map2 addLayer a.Layers b.Layers
          Output =
            match a.Output, b.Output with
            | Some p, Some q -> Some { p with Wy = add p.Wy q.Wy; By = add p.By q.By }
            | p, _ -> p }

    let private values (out: NetworkOutputs<Var<'T>>) =
        let v (x: Var<'T>) = x.Value
        { Y = Array.map v out.Y; Hn = Array.map v out.Hn; Cn = Array.map v out.Cn }

    let vjp (s: Scalar<'T>) (spec: CellSpec) layers (inputs: NetworkInputs<'T>) window (dy: 'T[]) (dhn: 'T[]) (dcn: 'T[]) =
        Truncation.check spec window
        let T, B, H, D = inputs.Steps, inputs.Batch, spec.HiddenSize, spec.Directions
        let lens = inputs.SeqLens
        // Cut of every output element (y, then h_n, then c_n).
        let yCut i = Truncation.ofY window lens (i / (B * D * H)) ((i / (D * H)) % B)
        let finalCut i = Truncation.ofFinal window lens ((i / H) % B)
        let cuts =
            Seq.concat [ Seq.init (T * B * D * H) yCut; Seq.init (if dhn.Length + dcn.Length = 0 then 0 else spec.NumLayers * D * B * H) finalCut ]
            |> Seq.append [ 0 ] |> Seq.distinct |> Seq.sort |> Array.ofSeq
        let runs =
            cuts
            |> Array.map (fun cut ->
                let tape, _, vLayers, vInputs, out = record s spec layers inputs cut
                let pick (vs: Var<'T>[]) (ds: 'T[]) (cutOf: int -> int) =
                    if ds.Length = 0 then Seq.empty else Seq.init vs.Length id |> Seq.filter (fun i -> cutOf i = cut) |> Seq.map (fun i -> vs[i], ds[i])
                let adj = Tape.backward tape (Seq.concat [ pick out.Y dy yCut; pick out.Hn dhn finalCut; pick out.Cn dcn finalCut ])
                values out, gradients adj vLayers vInputs None)
        fst runs[0], runs |> Array.map snd |> Array.reduce (sum s)

    let lossGradient (s: Scalar<'T>) (spec: CellSpec) layers (output: OutputParams<'T>) (inputs: NetworkInputs<'T>) window div (targets: 'T[]) =
        Truncation.check spec window
        let T = inputs.Steps
        let cuts = Seq.init T (Truncation.ofStep window) |> Seq.append [ 0 ] |> Seq.distinct |> Seq.sort |> Array.ofSeq
        let runs =
            cuts
            |> Array.map (fun cut ->
                let tape, ts, vLayers, vInputs, out = record s spec layers inputs cut
                let vOutput = Output.map (Tape.leaf tape) output
                let o = Output.apply ts vOutput inputs.Steps inputs.Batch out.Y
                // Only the steps whose window starts at this cut; the other terms are 0 here.
                let lens = inputs.SeqLens
                let mask = Array.init T (fun t -> Truncation.ofStep window t = cut)
                let mutable loss = ts.Zero
                for b in 0 .. inputs.Batch - 1 do
                    for t in 0 .. lens[b] - 1 do
                        if mask[t] then
                            let at = (t * inputs.Batch + b) * output.OutputSize
                            loss <- ts.Add loss (Output.divergence ts div (Array.sub o at output.OutputSize) (Array.map Tape.constant (Array.sub targets at output.OutputSize)))
                let adj = Tape.backward tape [ loss, s.One ]
                loss.Value, values out, gradients adj vLayers vInputs (Some vOutput))
        let loss = runs |> Array.map (fun (l, _, _) -> l) |> Array.reduce s.Add
        let _, out, _ = runs[0]
        loss, out, runs |> Array.map (fun (_, _, g) -> g) |> Array.reduce (sum s)

module ForwardMode =
    let private zip (s: Scalar<'T>) (v: 'T[]) (d: 'T[]) =
        if d.Length = 0 then v |> Array.map (fun a -> Dual.make a s.Zero) else Array.map2 Dual.make v d

    let private zipLayer s (w: LayerParams<'T>) (u: LayerParams<'T>) =
        { InputSize = w.InputSize; HiddenSize = w.HiddenSize; Wx = zip s w.Wx u.Wx; Wh = zip s w.Wh u.Wh
          Bx = zip s w.Bx u.Bx; Bh = zip s w.Bh u.Bh; P = zip s w.P u.P }

    let private run (s: Scalar<'T>) spec (layers: LayerParams<'T>[]) (inputs: NetworkInputs<'T>) cut layerTangents xT h0T c0T =
        let ds = Dual.scalar s
        let dLayers = Array.map2 (zipLayer s) layers layerTangents
        let dInputs =
            { Steps = inputs.Steps; Batch = inputs.Batch; X = zip s inputs.X xT; SeqLens = inputs.SeqLens
              H0 = zip s inputs.H0 h0T; C0 = zip s inputs.C0 c0T }
        ds, Network.forward ds spec dLayers dInputs cut

    let jvp s (spec: CellSpec) layers (inputs: NetworkInputs<'T>) window layerTangents xTangent h0Tangent c0Tangent =
        Truncation.check spec window
        let T, B, H, D = inputs.Steps, inputs.Batch, spec.HiddenSize, spec.Directions
        let lens = inputs.SeqLens
        let yCut i = Truncation.ofY window lens (i / (B * D * H)) ((i / (D * H)) % B)
        let finalCut i = Truncation.ofFinal window lens ((i / H) % B)
        let cuts = Seq.concat [ Seq.init (T * B * D * H) yCut; Seq.init (spec.NumLayers * D * B * H) finalCut ] |> Seq.append [ 0 ] |> Seq.distinct |> Array.ofSeq
        let runs = cuts |> Array.map (fun cut -> cut, snd (run s spec layers inputs cut layerTangents xTangent h0Tangent c0Tangent)) |> dict
        // Each element takes its tangent from the run with its own cut; values are the same in every run.
        let select (field: NetworkOutputs<Dual<'T>> -> Dual<'T>[]) cutOf =
            field runs[0] |> Array.mapi (fun i (d: Dual<'T>) -> { d with D = (field runs[cutOf i]).[i].D })
        { Y = select _.Y yCut; Hn = select _.Hn finalCut; Cn = select _.Cn finalCut }

    let lossJvp s (spec: CellSpec) layers (output: OutputParams<'T>) (inputs: NetworkInputs<'T>) window div (targets: 'T[])
                layerTangents (outputTangent: OutputParams<'T>) xTangent h0Tangent c0Tangent =
        Truncation.check spec window
        let T = inputs.Steps
        let cuts = Seq.init T (Truncation.ofStep window) |> Seq.append [ 0 ] |> Seq.distinct |> Array.ofSeq
        let dOutput = { OutputSize = output.OutputSize; Wy = zip s output.Wy outputTangent.Wy; By = zip s output.By outputTangent.By; Psi = output.Psi }
        let dTargets = zip s targets [||]
        let ds = Dual.scalar s
        cuts
        |> Array.map (fun cut ->
            let _, out = run s spec layers inputs cut layerTangents xTangent h0Tangent c0Tangent
            let o = Output.apply ds dOutput inputs.Steps inputs.Batch out.Y
            let mutable loss = ds.Zero
            for b in 0 .. inputs.Batch - 1 do
                for t in 0 .. inputs.SeqLens[b] - 1 do
                    if Truncation.ofStep window t = cut then
                        let at = (t * inputs.Batch + b) * output.OutputSize
                        loss <- ds.Add loss (Output.divergence ds div (Array.sub o at output.OutputSize) (Array.sub dTargets at output.OutputSize))
            loss)
        |> Array.reduce ds.Add
