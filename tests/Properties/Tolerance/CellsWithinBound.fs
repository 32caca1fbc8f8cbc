/// Issue 3's first test: every C# cell output, float and double, lies within the derived bound of the reference.
module RnnVerify.Properties.Tolerance.CellsWithinBound

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open RnnVerify.Cells
open RnnVerify.Reference.Tolerance
open RnnVerify.Properties.Theorem
open RnnVerify.Properties.Tolerance.Cases

/// The C# cells' y, h_n, c_n in float32 (widened exactly to binary64) or float64.
let cellsForward (dtype: ClaimedDtype) (case: Case) =
    let spec = case.Weights.Spec
    let p = case.Params
    let states = spec.NumLayers * spec.Directions * p.B * p.H
    let yLen = p.T * p.B * spec.Directions * p.H
    let cLen = if spec.Kind = CellKind.Lstm then states else 0
    let orEmpty (a: 'a[]) = if isNull a then Array.empty else a
    let seqLens = orEmpty case.SeqLens

    match dtype with
    | ClaimedDtype.Float32 ->
        let f (a: float[]) = if isNull a then Array.empty else Array.map float32 a
        let y, hN, cN = Array.zeroCreate<float32> yLen, Array.zeroCreate<float32> states, Array.zeroCreate<float32> cLen
        Rnn.Forward<float32>(case.Weights, p.B, ReadOnlySpan(f case.X), ReadOnlySpan seqLens, ReadOnlySpan(f case.H0),
                             ReadOnlySpan(f case.C0), Span y, Span hN, Span cN)
        Array.map float y, Array.map float hN, Array.map float cN
    | _ ->
        let y, hN, cN = Array.zeroCreate<float> yLen, Array.zeroCreate<float> states, Array.zeroCreate<float> cLen
        Rnn.Forward<float>(case.Weights, p.B, ReadOnlySpan case.X, ReadOnlySpan seqLens, ReadOnlySpan(orEmpty case.H0),
                           ReadOnlySpan(orEmpty case.C0), Span y, Span hN, Span cN)
        y, hN, cN

/// Every element passes; NaN is rejected first; a failure prints the claim, the reference and both bounds with %.17g.
let allPass (what: string) (tol: ElementTolerance) (claimed: float[]) =
    if claimed.Length <> tol.Length then failtestf "%s: claimed %d elements, expected %d" what claimed.Length tol.Length

    for i in 0 .. claimed.Length - 1 do
        if Double.IsNaN claimed[i] || not (tol.Passes(i, claimed[i])) then
            failtestf "%s[%d]: claimed %.17g, reference %.17g ± %.17g, |error| %.17g > allowed %.17g (local %b)" what i claimed[i]
                tol.Reference[i] tol.ReferenceRadius[i] (abs (claimed[i] - tol.Reference[i])) tol.Allowed[i] tol.Local[i]

/// The tolerance of a claim. float64 claims are judged against the 128-bit ball reference (the binary64 reference's radius
/// is as large as the float64 allowance itself); float32 claims against the binary64 reference, whose radius is ~2^29 times
/// smaller than their allowance and which costs a fraction of the ball evaluation.
let forwardTolerance (dtype: ClaimedDtype) (feeding: Feeding) (case: Case) (claimedY: float[]) =
    let reference = if dtype = ClaimedDtype.Float64 then ReferenceArithmetic.Ball else ReferenceArithmetic.Binary64

    ToleranceModel.Forward(
        case.Weights, case.Params.T, case.Params.B, case.X, case.SeqLens, case.H0, case.C0, claimedY,
        RoundingModel.standard dtype, feeding, reference
    )

/// The binary64 reference value lies within its stated radius of the ball enclosure (both radii counted): the interim
/// reference's claim "|V − exact| ≤ S·E_float64" checked against a rigorous enclosure.
let binary64ReferenceIsEnclosed (case: Case) =
    let y, _, _ = cellsForward ClaimedDtype.Float32 case
    let tolerance arithmetic =
        ToleranceModel.Forward(
            case.Weights, case.Params.T, case.Params.B, case.X, case.SeqLens, case.H0, case.C0, y,
            RoundingModel.standard ClaimedDtype.Float32, Feeding.ClaimedStates, arithmetic
        )

    let fast, ball = tolerance ReferenceArithmetic.Binary64, tolerance ReferenceArithmetic.Ball

    for name, f, b in [ "y", fast.Y, ball.Y; "h_n", fast.HN, ball.HN; "c_n", fast.CN, ball.CN ] do
        for i in 0 .. f.Length - 1 do
            let gap = abs (f.Reference[i] - b.Reference[i])
            if Double.IsNaN gap || not (gap <= f.ReferenceRadius[i] + b.ReferenceRadius[i]) then
                failtestf "%s[%d]: binary64 reference %.17g ± %.17g, ball %.17g ± %.17g" name i f.Reference[i] f.ReferenceRadius[i]
                    b.Reference[i] b.ReferenceRadius[i]

/// The exact recursion of the case recorded in the tolerance model (fed its own states, so independent of any claim).
let exactRun (dtype: ClaimedDtype) (case: Case) =
    ForwardBound.compute (RoundingModel.standard dtype) Feeding.ReferenceStates case.Weights case.Params.T case.Params.B
        case.X case.SeqLens case.H0 case.C0 null

/// |V| + 2E below 2^-10 of the format's largest finite number.
let belowRange (dtype: ClaimedDtype) (b: Bounded) =
    let largest = if dtype = ClaimedDtype.Float32 then float Single.MaxValue else Double.MaxValue
    Bounded.magnitude b < largest / 1024.0

/// Every node of a recorded run is belowRange.
let nodesInRange (dtype: ClaimedDtype) (run: ForwardRun) = Seq.init run.Tape.Count run.Tape.Value |> Seq.forall (belowRange dtype)

/// The rounding model's hypothesis that nothing overflows in the claimed format: every node of the exact recursion (fed its
/// own states, so the test does not depend on the claim) has a magnitude bound |V| + 2E below 2^-10 of the format's largest
/// finite number. The margin covers the partial sums inside an affine node, which are not nodes: with weights in
/// ±WeightScale/√(In + H) they are at most a few times the largest input magnitude. Identity gates with peepholes grow doubly
/// exponentially, and an exact y of −7.2e60 is beyond float32, where a correct implementation returns −∞ (docs/findings.md).
let inFormatRange (dtype: ClaimedDtype) (case: Case) = exactRun dtype case |> nodesInRange dtype

let private check dtype feeding (case: Case) =
    inFormatRange dtype case ==> lazy (
        let y, hN, cN = cellsForward dtype case
        let tol = forwardTolerance dtype feeding case y
        allPass "y" tol.Y y
        allPass "h_n" tol.HN hN
        allPass "c_n" tol.CN cN)

[<Tests>]
let tests =
    testList "Tolerance" [
        theorem "the C# cells' float32 y, h_n, c_n lie within the derived local bound of the reference, for every cell and option whose exact values stay within float32's range (2^-10 of its largest number)"
            (Prop.forAll cases (check ClaimedDtype.Float32 Feeding.ClaimedStates))
        theorem "the C# cells' float64 y, h_n, c_n lie within the derived local bound of the reference, for every cell and option whose exact values stay within float64's range (2^-10 of its largest number)"
            (Prop.forAll cases (check ClaimedDtype.Float64 Feeding.ClaimedStates))
        theorem "the C# cells' float32 y, h_n, c_n lie within the derived global bound of the reference, for every cell and option whose exact values stay within float32's range (2^-10 of its largest number)"
            (Prop.forAll cases (check ClaimedDtype.Float32 Feeding.ReferenceStates))
        theorem "the binary64 reference lies within its stated radius of the 128-bit ball enclosure of the same fed recursion"
            (Prop.forAll cases binary64ReferenceIsEnclosed)
    ]
