/// The tape stores an affine node as references (weight row, shared input array) and accumulates adjoints as running sums;
/// these theorems check it against the straightforward evaluation of the documented rules: Bounded.affine over the
/// products, and the reverse accumulation as a list of terms partial·adjoint per node, summed when the node is reached.
/// Agreement is required to the bit, since both sum the same terms in the same order.
module RnnVerify.Properties.Tolerance.CompactTape

open System
open System.Collections.Generic
open Expecto
open FsCheck.FSharp
open RnnVerify.Cells
open RnnVerify.Reference.Tolerance
open RnnVerify.Properties.Theorem
open RnnVerify.Properties.Tolerance.Cases

/// Bit equality of two Bounded values (so −0 ≠ +0 and NaN = NaN of the same payload), printing both with %.17g.
let private sameBits (what: string) (expected: Bounded) (actual: Bounded) =
    let bits (x: float) = BitConverter.DoubleToInt64Bits x

    if bits expected.Value <> bits actual.Value || bits expected.Error <> bits actual.Error then
        failtestf
            "%s: straightforward (%.17g, %.17g), compact tape (%.17g, %.17g)"
            what expected.Value expected.Error actual.Value actual.Error

/// The reverse accumulation as docs/tolerances.md states it, with an explicit list of terms per node: the seeds first, then
/// the terms of every child with a non-zero adjoint in descending node order; E(λ) = γ_{n+2} Σ M(p)M(λ) + Σ (E(p)M(λ) + M(p)E(λ))
/// + n·η, a single term with partial exactly ±1 or 0 exact.
let straightforwardBackward (tape: Tape) (seeds: struct (int * float) list) =
    let m = tape.Model
    let one = Bounded.exact 1.0
    let terms = Array.init tape.Count (fun _ -> List<struct (Bounded * Bounded)>())

    for struct (node, g) in seeds do
        terms[node].Add(struct (one, { Value = g; Error = abs (g - RoundingModel.roundToDtype m g) }))

    let adj = Array.zeroCreate tape.Count

    for i in tape.Count - 1 .. -1 .. 0 do
        let ts = terms[i]

        let a =
            if ts.Count = 0 then
                Bounded.exact 0.0
            elif ts.Count = 1 && (let struct (p, _) = ts[0] in p.Error = 0.0 && (abs p.Value = 1.0 || p.Value = 0.0)) then
                let struct (p, l) = ts[0]
                { Value = p.Value * l.Value; Error = abs p.Value * l.Error }
            else
                let mutable v, absSum, prop = 0.0, 0.0, 0.0

                for struct (p, l) in ts do
                    let mp, ml = abs p.Value + 2.0 * p.Error, abs l.Value + 2.0 * l.Error
                    v <- v + p.Value * l.Value
                    absSum <- absSum + mp * ml
                    prop <- prop + p.Error * ml + mp * l.Error

                { Value = v
                  Error = RoundingModel.gamma m (ts.Count + 2) * absSum + prop + float ts.Count * m.Underflow }

        adj[i] <- a

        if a.Value <> 0.0 || a.Error <> 0.0 then
            for struct (p, partial) in tape.Parents i do
                terms[p].Add(struct (partial, a))

    adj

let private dtypeOf (seed: int) = if seed % 2 = 0 then ClaimedDtype.Float32 else ClaimedDtype.Float64

/// Records the case's forward run (fed with random claimed states, float32 or float64 by the seed's parity) and compares the
/// tape's reverse accumulation from random seeds on y, h_n, c_n with the straightforward one, node by node.
let private backwardAgrees (case: Case) =
    let p = case.Params
    let spec = case.Weights.Spec
    let rng = Random(p.Seed + 2)
    let draw n = Array.init n (fun _ -> 2.0 * rng.NextDouble() - 1.0)
    let model = RoundingModel.standard (dtypeOf p.Seed)
    let yLen = p.T * p.B * spec.Directions * p.H
    let claimedY = Array.init yLen (fun _ -> float (float32 (2.0 * rng.NextDouble() - 1.0)))

    let run =
        ForwardBound.compute model Feeding.ClaimedStates case.Weights p.T p.B case.X case.SeqLens case.H0 case.C0 claimedY

    let seeds =
        [ for nodes in [ run.YNodes; run.HNNodes; run.CNNodes ] do
              for g, node in Array.zip (draw nodes.Length) nodes do
                  if node >= 0 then struct (node, g) ]

    let expected = straightforwardBackward run.Tape seeds
    let actual = Tape.backward run.Tape seeds

    for i in 0 .. expected.Length - 1 do
        sameBits (sprintf "adjoint of node %d of %d" i expected.Length) expected[i] actual[i]

/// Random affine rows over shared input arrays: segments of random lengths 0–9 (a weight matrix and its input array shared
/// by every row, as a step's are: from the second row on the tape sums all rows at once), inputs with random errors, zero to
/// two biases. Values are float32 numbers (1–4 rows), or with fullDoubles full 53-bit doubles (1–19 rows), whose products
/// are inexact in binary64, so that a fused multiply-add in the vectorised row sums would change the bits.
let private affineAgreesWith (fullDoubles: bool) (seed: int) =
    let rng = Random(seed)
    let model = RoundingModel.standard (dtypeOf seed)
    let tape = Tape(model)
    let value () = if fullDoubles then 4.0 * rng.NextDouble() - 2.0 else float (float32 (4.0 * rng.NextDouble() - 2.0))
    let leaf () = Tape.leaf tape { Value = value (); Error = (if rng.Next 3 = 0 then 0.0 else 1e-6 * rng.NextDouble()) }
    let shared = Array.init (rng.Next 10) (fun _ -> leaf ())
    let rows = 1 + rng.Next(if fullDoubles then 19 else 4)
    let wShared = Array.init (rows * shared.Length) (fun _ -> leaf ())

    for row in 0 .. rows - 1 do
        let own = Array.init (rng.Next 10) (fun _ -> leaf ())
        let wOwn = Array.init (own.Length + 3) (fun _ -> leaf ())
        let offset = rng.Next 4
        let biases = List.init (rng.Next 3) (fun _ -> Tape.leaf tape (Bounded.exact (value ())))
        let node = Tape.affine tape [ struct (wShared, row * shared.Length, shared); struct (wOwn, offset, own) ] biases
        let valuesOf (w: int[]) = w |> Array.map (fun n -> (tape.Value n).Value)
        let boundedOf (xs: int[]) = xs |> Array.map tape.Value

        let expected =
            Bounded.affine
                model
                [ valuesOf wShared, row * shared.Length, boundedOf shared
                  valuesOf wOwn, offset, boundedOf own ]
                []
                [ for b in biases -> (tape.Value b).Value ]

        sameBits (sprintf "affine row %d" row) expected (tape.Value node)

/// The cases with 17–19 inputs and hidden units (T, B ≤ 2), so that the tape's vectorised paths (a step's rows summed at once,
/// consecutive nodes updated as one range, taken above 16 terms) are the ones compared.
let private wideCases =
    paramsGen
    |> Gen.map (fun p -> { p with In = 16 + p.In; H = 16 + p.H; T = min p.T 2; B = min p.B 2 })
    |> Gen.map build
    |> FsCheck.FSharp.Arb.fromGen

[<Tests>]
let tests =
    testList "Tolerance" [
        theorem "the tape's affine node is Bounded.affine of its products, to the bit, with its inputs shared by every row"
            (affineAgreesWith false)
        theorem "the tape's affine node is Bounded.affine of its products, to the bit, for full-precision doubles and up to 19 rows summed at once"
            (affineAgreesWith true)
        theorem "the tape's streamed reverse accumulation equals the sum over each node's list of terms, to the bit"
            (Prop.forAll cases backwardAgrees)
        // 200 cases: one wide case records ~10^5 terms, and the straightforward accumulation allocates a list per node.
        theoremWith 200 "the tape's streamed reverse accumulation equals the sum over each node's list of terms on wide layers, to the bit"
            (Prop.forAll wideCases backwardAgrees)
    ]
