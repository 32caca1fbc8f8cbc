/// The derived bound is not vacuous: it rejects perturbed claims and stays small relative to the values on well-conditioned cases.
module RnnVerify.Properties.Tolerance.NotVacuous

open System
open Expecto
open FsCheck.FSharp
open RnnVerify.Cells
open RnnVerify.Reference.Tolerance
open RnnVerify.Properties.Theorem
open RnnVerify.Properties.Tolerance.Cases
open RnnVerify.Properties.Tolerance.CellsWithinBound

/// Relative size of the float32 allowance the brief asks for on well-conditioned cases (default activations, weights of
/// scale ≤ 1, outputs |y| ≥ 0.1): measured at most ≈ 5e−5 over 4,000 cases (docs/tolerances.md), so 1e−4 is a real check.
let relativeCeiling = 1e-4

let private perturbationRejected (case: Case) =
    let y, _, _ = cellsForward ClaimedDtype.Float32 case
    let tol = forwardTolerance ClaimedDtype.Float32 Feeding.ClaimedStates case y
    let i = Random(case.Params.Seed).Next y.Length
    // A padded zero or a carried exact h0 is allowed no error at all: any change, however small, must be rejected.
    let bump = max (4.0 * (tol.Y.Allowed[i] + tol.Y.ReferenceRadius[i])) (abs y[i] * 1e-12 + 1e-30)

    for sign in [ 1.0; -1.0 ] do
        let bad = y[i] + sign * bump
        if tol.Y.Passes(i, bad) then
            failtestf "y[%d] perturbed to %.17g (claimed %.17g, allowed %.17g) was accepted" i bad y[i] tol.Y.Allowed[i]

let private wellConditioned =
    Arb.fromGen (
        paramsGen
        |> Gen.map (fun p -> { p with Activations = None; WeightScale = min p.WeightScale 1.0 })
        |> Gen.map build
    )

let private relativelySmall (case: Case) =
    let y, _, _ = cellsForward ClaimedDtype.Float32 case
    let tol = forwardTolerance ClaimedDtype.Float32 Feeding.ClaimedStates case y

    for i in 0 .. y.Length - 1 do
        let r = tol.Y.Reference[i]
        if abs r >= 0.1 && not (tol.Y.Allowed[i] <= relativeCeiling * abs r) then
            failtestf "y[%d]: allowed %.17g is more than %g of |reference| %.17g" i tol.Y.Allowed[i] relativeCeiling r

[<Tests>]
let tests =
    testList "Tolerance" [
        theorem "a float32 output moved by 4× its allowed error (plus the reference radius) is rejected"
            (Prop.forAll cases perturbationRejected)
        theorem "on well-conditioned float32 cases every output |y| ≥ 0.1 is allowed less than 1e-4 relative error"
            (Prop.forAll wellConditioned relativelySmall)
    ]
