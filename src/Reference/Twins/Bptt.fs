namespace RnnVerify.Reference.Twins

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

module Bptt =
    /// Records the inputs and weights as tape leaves and runs the network on the tape.
    let private record (s: Scalar<'T>) spec (layers: LayerParams<'T>[]) (inputs: NetworkInputs<'T>) window =
        let tape = Tape.create s
        let ts = Tape.scalar tape
        let leaf = Tape.leaf tape
        let vLayers = layers |> Array.map (Step.map leaf)
        let vInputs =
            { Steps = inputs.Steps; Batch = inputs.Batch; X = Array.map leaf inputs.X; SeqLens = inputs.SeqLens
              H0 = Array.map leaf inputs.H0; C0 = Array.map leaf inputs.C0 }
        let out = Network.forward ts spec vLayers vInputs window
        tape, ts, vLayers, vInputs, out

    let private gradients adj (vLayers: LayerParams<Var<'T>>[]) (vInputs: NetworkInputs<Var<'T>>) output =
        let g = Tape.adjoint adj
        { Dx = Array.map g vInputs.X; Dh0 = Array.map g vInputs.H0; Dc0 = Array.map g vInputs.C0
          Layers = vLayers |> Array.map (Step.map g); Output = output |> Option.map (Output.map g) }

    let private value (v: Var<'T>) = v.Value

    let vjp (s: Scalar<'T>) spec layers inputs window (dy: 'T[]) (dhn: 'T[]) (dcn: 'T[]) =
        let tape, _, vLayers, vInputs, out = record s spec layers inputs window
        let seeds (vs: Var<'T>[]) (ds: 'T[]) = if ds.Length = 0 then Seq.empty else Seq.zip vs ds
        let adj = Tape.backward tape (Seq.concat [ seeds out.Y dy; seeds out.Hn dhn; seeds out.Cn dcn ])
        { Y = Array.map value out.Y; Hn = Array.map value out.Hn; Cn = Array.map value out.Cn },
        gradients adj vLayers vInputs None

    let lossGradient (s: Scalar<'T>) spec layers (output: OutputParams<'T>) inputs window div (targets: 'T[]) =
        let tape, ts, vLayers, vInputs, out = record s spec layers inputs window
        let vOutput = Output.map (Tape.leaf tape) output
        let o = Output.apply ts vOutput inputs.Steps inputs.Batch out.Y
        let loss = Output.loss ts div output.OutputSize inputs.SeqLens o (Array.map Tape.constant targets)
        let adj = Tape.backward tape [ loss, s.One ]
        loss.Value, { Y = Array.map value out.Y; Hn = Array.map value out.Hn; Cn = Array.map value out.Cn },
        gradients adj vLayers vInputs (Some vOutput)

module ForwardMode =
    let private zip (s: Scalar<'T>) (v: 'T[]) (d: 'T[]) =
        if d.Length = 0 then v |> Array.map (fun a -> Dual.make a s.Zero) else Array.map2 Dual.make v d

    let private zipLayer s (w: LayerParams<'T>) (u: LayerParams<'T>) =
        { InputSize = w.InputSize; HiddenSize = w.HiddenSize; Wx = zip s w.Wx u.Wx; Wh = zip s w.Wh u.Wh
          Bx = zip s w.Bx u.Bx; Bh = zip s w.Bh u.Bh; P = zip s w.P u.P }

    let private run (s: Scalar<'T>) spec (layers: LayerParams<'T>[]) (inputs: NetworkInputs<'T>) window layerTangents xT h0T c0T =
        let ds = Dual.scalar s
        let dLayers = Array.map2 (zipLayer s) layers layerTangents
        let dInputs =
            { Steps = inputs.Steps; Batch = inputs.Batch; X = zip s inputs.X xT; SeqLens = inputs.SeqLens
              H0 = zip s inputs.H0 h0T; C0 = zip s inputs.C0 c0T }
        ds, Network.forward ds spec dLayers dInputs window

    let jvp s spec layers inputs window layerTangents xTangent h0Tangent c0Tangent =
        snd (run s spec layers inputs window layerTangents xTangent h0Tangent c0Tangent)

    let lossJvp s spec layers (output: OutputParams<'T>) (inputs: NetworkInputs<'T>) window div (targets: 'T[])
                layerTangents (outputTangent: OutputParams<'T>) xTangent h0Tangent c0Tangent =
        let ds, out = run s spec layers inputs window layerTangents xTangent h0Tangent c0Tangent
        let dOutput = { OutputSize = output.OutputSize; Wy = zip s output.Wy outputTangent.Wy; By = zip s output.By outputTangent.By; Psi = output.Psi }
        let o = Output.apply ds dOutput inputs.Steps inputs.Batch out.Y
        Output.loss ds div output.OutputSize inputs.SeqLens o (zip s targets [||])
