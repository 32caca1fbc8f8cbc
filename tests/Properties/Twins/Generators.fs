/// Random networks for the twin theorems: every cell kind and option, tiny sizes (T = 0 and 1, B = 1, H = 1 included).
module RnnVerify.Properties.Twins.Generators

open FsCheck
open FsCheck.FSharp
open RnnVerify.Cells

/// One network run: its specification, weights (canonical layout), inputs and truncation window (0 = none).
[<StructuredFormatDisplay("{Display}")>]
type Case =
    { Spec: CellSpec
      Weights: NetworkWeights
      Steps: int
      Batch: int
      X: float[]
      SeqLens: int[]
      H0: float[]
      C0: float[]
      Window: int }

    /// Everything needed to rebuild the case by hand, numbers in round-trip form.
    member c.Display =
        let arr (a: float[]) = a |> Array.map (fun v -> v.ToString "R") |> String.concat "; " |> sprintf "[|%s|]"
        let s = c.Spec
        let layers =
            c.Weights.Layers
            |> Seq.mapi (fun k w ->
                sprintf "  layer %d: Wx=%s Wh=%s Bx=%s Bh=%s P=%s" k (arr w.Wx) (arr w.Wh) (arr w.Bx) (arr w.Bh) (if isNull w.P then "null" else arr w.P))
            |> String.concat "\n"
        sprintf "%A In=%d H=%d L=%d bidirectional=%b activations=%A clip=%A %A inputForget=%b %A peepholes=%b lbr=%b %A %A\n T=%d B=%d seqLens=%A window=%d\n x=%s\n h0=%s\n c0=%s\n%s"
            s.Kind s.InputSize s.HiddenSize s.NumLayers s.Bidirectional (List.ofSeq s.EffectiveActivations) (Option.ofNullable s.Clip) s.ClipReading
            s.InputForget s.InputForgetReading s.Peepholes s.LinearBeforeReset s.Padding s.ReverseOrder
            c.Steps c.Batch c.SeqLens c.Window (arr c.X) (arr c.H0) (arr c.C0) layers

/// A dyadic in [−2, 2] with at most 10 fraction bits: random, distinct per gate, and exact in every format.
let dyadic: Gen<float> = Gen.choose (-1024, 1024) |> Gen.map (fun k -> float k / 512.0)


let activation = Gen.elements [ Activation.Identity; Activation.Tanh; Activation.Sigmoid; Activation.Relu ]

/// A specification with every option drawn at random, InputSize ≤ maxInput, HiddenSize ≤ maxHidden.
let specWith maxInput maxHidden : Gen<CellSpec> =
    gen {
        let! kind = Gen.elements [ CellKind.Rnn; CellKind.Lstm; CellKind.Gru ]
        let! inputSize = Gen.choose (1, maxInput)
        let! hidden = Gen.choose (1, maxHidden)
        let! layers = Gen.frequency [ 3, Gen.constant 1; 1, Gen.constant 2 ]
        let! bidirectional = Gen.elements [ false; true ]
        let count = match kind with CellKind.Lstm -> 3 | CellKind.Gru -> 2 | _ -> 1
        let! acts = Gen.oneof [ Gen.constant None; Gen.listOfLength count activation |> Gen.map Some ]
        let! clip = Gen.oneof [ Gen.constant None; Gen.choose (1, 12) |> Gen.map (fun k -> Some(float k / 4.0)) ]
        let! clipReading = Gen.elements [ ClipReading.GateInputs; ClipReading.GateInputsAndCell ]
        let! inputForget = Gen.elements [ false; true ]
        let! ifReading = Gen.elements [ InputForgetReading.ForgetFromInput; InputForgetReading.InputFromForget ]
        let! peepholes = Gen.elements [ false; true ]
        let! lbr = Gen.elements [ false; true ]
        let! padding = Gen.elements [ PaddingReading.Zeros; PaddingReading.CarryLast ]
        let! order = Gen.elements [ ReverseOutputOrder.TimeAligned; ReverseOutputOrder.ProcessingOrder ]
        return
            CellSpec(
                Kind = kind,
                InputSize = inputSize,
                HiddenSize = hidden,
                NumLayers = layers,
                Bidirectional = bidirectional,
                Activations = (match acts with Some a -> ResizeArray a :> System.Collections.Generic.IReadOnlyList<_> | None -> null),
                Clip = (match clip with Some c -> System.Nullable c | None -> System.Nullable()),
                ClipReading = clipReading,
                InputForget = (kind = CellKind.Lstm && inputForget),
                InputForgetReading = ifReading,
                Peepholes = (kind = CellKind.Lstm && peepholes),
                LinearBeforeReset = lbr,
                Padding = padding,
                ReverseOrder = order
            )
    }

/// Specifications with InputSize, HiddenSize ≤ 3.
let spec = specWith 3 3

/// Weights for every layer and direction of spec, entries drawn from value.
let weightsWith (value: Gen<float>) (spec: CellSpec) : Gen<NetworkWeights> =
    let vector n = Gen.arrayOfLength n value
    let gh = spec.Gates * spec.HiddenSize
    let layer l =
        gen {
            let! wx = vector (gh * spec.LayerInputSize l)
            let! wh = vector (gh * spec.HiddenSize)
            let! bx = vector gh
            let! bh = vector gh
            let! p = if spec.Peepholes then vector (3 * spec.HiddenSize) |> Gen.map Some else Gen.constant None
            return LayerWeights(wx, wh, bx, bh, Option.toObj p)
        }
    [ for l in 0 .. spec.NumLayers - 1 do for _ in 1 .. spec.Directions -> layer l ]
    |> Gen.collectToList id
    |> Gen.map (fun ls -> NetworkWeights(spec, ResizeArray ls))

/// A whole case for a given specification generator, number generator and steps in minSteps..maxSteps.
let caseFrom (value: Gen<float>) (specGen: Gen<CellSpec>) (minSteps: int) (maxSteps: int) : Gen<Case> =
    let vector n = Gen.arrayOfLength n value
    let weights spec = weightsWith value spec
    gen {
        let! spec = specGen
        let! w = weights spec
        let! steps = Gen.choose (minSteps, maxSteps)
        let! batch = Gen.choose (1, 2)
        let! x = vector (steps * batch * spec.InputSize)
        let! lens = Gen.arrayOfLength batch (Gen.choose (0, steps))
        let! fullLens = Gen.elements [ true; false ]
        let stateLength = spec.NumLayers * spec.Directions * batch * spec.HiddenSize
        let! h0 = vector stateLength
        let! c0 = vector stateLength
        // Truncation windows apply to unidirectional networks only.
        let! window = if spec.Bidirectional then Gen.constant 0 else Gen.frequency [ 2, Gen.constant 0; 1, Gen.choose (1, 3) ]
        return
            { Spec = spec; Weights = w; Steps = steps; Batch = batch; X = x
              SeqLens = (if fullLens then Array.create batch steps else lens)
              H0 = h0; C0 = (if spec.Kind = CellKind.Lstm then c0 else [||]); Window = window }
    }

/// A whole case with 0..maxSteps steps.
let caseWith value specGen maxSteps = caseFrom value specGen 0 maxSteps

/// Cases of every kind and option with up to 4 steps.
let case = caseWith dyadic spec 4

/// A dyadic in [−2, 2] with 30 fraction bits: exact in double, and (unlike the coarse grid of `dyadic`) a pre-activation
/// lands exactly on a kink of relu or clip with negligible probability — for finite differences, which are wrong there.
let fine: Gen<float> = Gen.choose (-(1 <<< 30), 1 <<< 30) |> Gen.map (fun k -> float k / float (1 <<< 29))

/// Specifications with tiny sizes (H ≤ 2, In ≤ 2): for theorems whose cases run in 128-bit balls.
let tinySpec = specWith 2 2
