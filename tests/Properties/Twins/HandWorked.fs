/// One LSTM step with one unit, worked out by hand, against the ball-arithmetic twin (through the C# facade).
module RnnVerify.Properties.Twins.HandWorked

open Expecto
open RnnVerify.Cells
open RnnVerify.Reference

let lstm activations peepholes =
    CellSpec(Kind = CellKind.Lstm, InputSize = 1, HiddenSize = 1, Activations = activations, Peepholes = peepholes)

let expectExact (name: string) (b: Ball) (expected: float) =
    if not (Ball.isExact b && Ball.contains b (Dyadic.ofFloat expected)) then
        failtestf "%s = %s, expected exactly %s" name (Conversions.toDecimalString 30 b) (expected.ToString "R")

let identities = ResizeArray [ Activation.Identity; Activation.Identity; Activation.Identity ]

/// Rows in canonical order i, f, g, o; every gate has its own weights so that a permutation changes the result.
/// x = 2, h_{t−1} = 0.5, c_{t−1} = −1, activations all identity (so every value is an exact dyadic):
///   i = 0.5·2 + 0.125 + 1·0.5 + 0 + p_i·c_{t−1} = 1.625 − 0.5        = 1.125
///   f = 0.25·2 + 0 − 1·0.5 + 0.375 + p_f·c_{t−1} = 0.375 − 0.25     = 0.125
///   g = 1·2 − 0.25 + 0.5·0.5 + 0                                    = 2
///   c = f·c_{t−1} + i·g = −0.125 + 2.25                             = 2.125
///   o = −0.5·2 + 0.5 + 2·0.5 − 0.125 + p_o·c = 0.375 − 2.125        = −1.75   (the output peephole sees c_t)
///   h = o·c = −1.75·2.125                                           = −3.71875
let exampleWeights =
    LayerWeights([| 0.5; 0.25; 1.0; -0.5 |], [| 1.0; -1.0; 0.5; 2.0 |], [| 0.125; 0.0; -0.25; 0.5 |], [| 0.0; 0.375; 0.0; -0.125 |],
                 [| 0.5; 0.25; -1.0 |])

[<Tests>]
let tests =
    testList "Twins" [
        test "one LSTM step with one unit, identity activations and peepholes: i = 9/8, f = 1/8, g = 2, c = 17/8, o = −7/4, h = −119/32 exactly" {
            let r = ReferenceNetwork.Step(lstm identities true, 0, exampleWeights, [| 2.0 |], [| 0.5 |], [| -1.0 |], 128)
            expectExact "i" r.Gates[0] 1.125
            expectExact "f" r.Gates[1] 0.125
            expectExact "g" r.Gates[2] 2.0
            expectExact "o" r.Gates[3] -1.75
            expectExact "c" r.C[0] 2.125
            expectExact "h" r.H[0] -3.71875
        }

        test "the hand-worked LSTM step changes when the i and f rows are swapped (the example discriminates the gate order)" {
            let swap (a: float[]) = [| a[1]; a[0]; a[2]; a[3] |]
            let w = exampleWeights
            let swapped = LayerWeights(swap w.Wx, swap w.Wh, swap w.Bx, swap w.Bh, w.P)
            let r = ReferenceNetwork.Step(lstm identities true, 0, swapped, [| 2.0 |], [| 0.5 |], [| -1.0 |], 128)
            if Ball.contains r.H[0] (Dyadic.ofFloat -3.71875) then failtest "swapping i and f left h unchanged"
        }

        test "one LSTM step with one unit and default activations: h = ½·tanh(σ(1)) when every pre-activation is 0 except g's, which is ½" {
            // x = 0, h_{t−1} = 0, c_{t−1} = 1, b_x = (0, 0, ½, 0): i = f = o = σ(0) = ½, g = tanh ½,
            // c = ½·1 + ½·tanh ½ = σ(1) (as σ(2a) = (1 + tanh a)/2), h = ½·tanh(σ(1)).
            // Decimal values from Python's decimal module at 60 digits: tanh(a) = (e^{2a} − 1)/(e^{2a} + 1).
            let w = LayerWeights([| 0.0; 0.0; 0.0; 0.0 |], [| 0.0; 0.0; 0.0; 0.0 |], [| 0.0; 0.0; 0.5; 0.0 |], [| 0.0; 0.0; 0.0; 0.0 |], null)
            let r = ReferenceNetwork.Step(lstm null false, 0, w, [| 0.0 |], [| 0.0 |], [| 1.0 |], 128)
            let known text =
                match Conversions.parse 256 text with
                | Ok b -> b
                | Error e -> failtestf "cannot parse %s: %s" text e
            let check name (b: Ball) text =
                let k = known text
                if not (Ball.overlaps b k) then failtestf "%s = %s, expected %s" name (Conversions.toDecimalString 40 b) text
                if not (Ball.relativeRadius b <= 2.0 ** -100.0) then failtestf "%s = %s is wider than 2^-100 relative" name (Conversions.toDecimalString 40 b)
            for k, name in [ 0, "i"; 1, "f"; 3, "o" ] do check name r.Gates[k] "0.5"
            check "g" r.Gates[2] "0.462117157260009758502318483643672548730289280330113038552732 +/- 1e-60"
            check "c" r.C[0] "0.731058578630004879251159241821836274365144640165056519276366 +/- 1e-60"
            check "h" r.H[0] "0.311856274912937846745076962676187605953116156009834607610512 +/- 1e-60"
        }
    ]
