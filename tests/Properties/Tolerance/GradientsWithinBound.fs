/// Issue 3's first test, gradients: the C# cells' BPTT (vector–Jacobian product), float and double, lies within the derived
/// gradient bound of the reference.
module RnnVerify.Properties.Tolerance.GradientsWithinBound

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open RnnVerify.Cells
open RnnVerify.Reference.Tolerance
open RnnVerify.Properties.Theorem
open RnnVerify.Properties.Tolerance.Cases
open RnnVerify.Properties.Tolerance.CellsWithinBound

/// Upstream gradients dy, dh_n, dc_n, uniform in [−1, 1] and exact in float32, drawn from the case's seed.
let upstream (case: Case) =
    let spec = case.Weights.Spec
    let p = case.Params
    let rng = Random(p.Seed + 1)
    let draw n = Array.init n (fun _ -> float (float32 (2.0 * rng.NextDouble() - 1.0)))
    let states = spec.NumLayers * spec.Directions * p.B * p.H
    draw (p.T * p.B * spec.Directions * p.H), draw states, (if spec.Kind = CellKind.Lstm then draw states else Array.empty)

/// The cells' gradients in the given format, widened to binary64: dx, dh0, dc0 and per layer/direction (Wx, Wh, Bx, Bh, P).
let cellsBackward (dtype: ClaimedDtype) (case: Case) (dy: float[]) (dhN: float[]) (dcN: float[]) =
    let spec = case.Weights.Spec
    let p = case.Params
    let states = spec.NumLayers * spec.Directions * p.B * p.H
    let cLen = if spec.Kind = CellKind.Lstm then states else 0
    let orEmpty (a: float[]) = if isNull a then Array.empty else a
    let seqLens = if isNull case.SeqLens then Array.empty else case.SeqLens

    let run (conv: float -> 'T) (back: 'T -> float) =
        let c (a: float[]) = orEmpty a |> Array.map conv
        let net = Network<'T>(case.Weights)
        let grads = NetworkGradients<'T>(spec)
        let dx, dh0, dc0 = Array.zeroCreate<'T> (p.T * p.B * p.In), Array.zeroCreate<'T> states, Array.zeroCreate<'T> cLen
        net.Backward(p.B, ReadOnlySpan(c case.X), ReadOnlySpan seqLens, ReadOnlySpan(c case.H0), ReadOnlySpan(c case.C0),
                     ReadOnlySpan(c dy), ReadOnlySpan(c dhN), ReadOnlySpan(c dcN), grads, Span dx, Span dh0, Span dc0)
        let b = Array.map back
        let layer (g: LayerGradients<'T>) = [| b g.Wx; b g.Wh; b g.Bx; b g.Bh; (if isNull g.P then Array.empty else b g.P) |]
        b dx, b dh0, b dc0, grads.Layers |> Seq.map layer |> Array.ofSeq

    match dtype with
    | ClaimedDtype.Float32 -> run float32 float
    | _ -> run id id

/// The rounding model's no-overflow hypothesis for the backward pass too: the exact recursion's nodes (inFormatRange) and
/// their adjoints for this upstream gradient (reverse accumulation of the same recorded run) stay below 2^-10 of the format's
/// largest finite number.
let inFormatRangeWithGradients (dtype: ClaimedDtype) (case: Case) (dy: float[]) (dhN: float[]) (dcN: float[]) =
    let run = exactRun dtype case
    let seeds (nodes: int[]) (g: float[]) =
        if isNull g then Seq.empty else Seq.zip nodes g |> Seq.filter (fun (n, _) -> n >= 0) |> Seq.map (fun (n, v) -> struct (n, v))
    let adjoints = Tape.backward run.Tape (Seq.concat [ seeds run.YNodes dy; seeds run.HNNodes dhN; seeds run.CNNodes dcN ])
    nodesInRange dtype run && adjoints |> Array.forall (belowRange dtype)

let private checkInRange dtype feeding (case: Case) dy dhN dcN =
    let y, _, _ = cellsForward dtype case
    let dx, dh0, dc0, layers = cellsBackward dtype case dy dhN dcN
    let p = case.Params

    let tol =
        ToleranceModel.Backward(
            case.Weights, p.T, p.B, case.X, case.SeqLens, case.H0, case.C0, y, dy, dhN, dcN, RoundingModel.standard dtype, feeding
        )

    allPass "dx" tol.X dx
    allPass "dh0" tol.H0 dh0
    allPass "dc0" tol.C0 dc0

    for k in 0 .. layers.Length - 1 do
        let w = tol.Weights[k]
        let g = layers[k]
        allPass (sprintf "dWx[%d]" k) w.Wx g[0]
        allPass (sprintf "dWh[%d]" k) w.Wh g[1]
        allPass (sprintf "dBx[%d]" k) w.Bx g[2]
        allPass (sprintf "dBh[%d]" k) w.Bh g[3]
        allPass (sprintf "dP[%d]" k) w.P g[4]

let private check dtype feeding (case: Case) =
    let dy, dhN, dcN = upstream case
    inFormatRangeWithGradients dtype case dy dhN dcN ==> lazy (checkInRange dtype feeding case dy dhN dcN)

[<Tests>]
let tests =
    testList "Tolerance" [
        theorem "the C# cells' float32 BPTT gradients lie within the derived gradient bound of the reference, for every cell and option whose exact values and adjoints stay within float32's range (2^-10 of its largest number)"
            (Prop.forAll cases (check ClaimedDtype.Float32 Feeding.ClaimedStates))
        theorem "the C# cells' float64 BPTT gradients lie within the derived gradient bound of the reference, for every cell and option whose exact values and adjoints stay within float64's range (2^-10 of its largest number)"
            (Prop.forAll cases (check ClaimedDtype.Float64 Feeding.ClaimedStates))
    ]
