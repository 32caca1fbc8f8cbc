/// Random small networks covering every cell, option, layout reading, direction and length, for the tolerance theorems.
module RnnVerify.Properties.Tolerance.Cases

open System
open FsCheck
open FsCheck.FSharp
open RnnVerify.Cells

/// The choices of one random case; everything numeric is drawn from System.Random(Seed), so a printed case replays exactly.
type CaseParams =
    { Seed: int
      Kind: CellKind
      Activations: Activation list option
      Clip: float option
      ClipReading: ClipReading
      InputForget: InputForgetReading option
      Peepholes: bool
      LinearBeforeReset: bool
      Bidirectional: bool
      Layers: int
      T: int
      B: int
      In: int
      H: int
      SeqLens: bool
      Padding: PaddingReading
      ReverseOrder: ReverseOutputOrder
      InitialStates: bool
      /// Weights are uniform in ±WeightScale/√(In + H).
      WeightScale: float }

/// A network, its inputs and its specification, built from CaseParams.
type Case =
    { Params: CaseParams
      Weights: NetworkWeights
      X: float[]
      SeqLens: int[]
      H0: float[]
      C0: float[] }

/// Uniform in [−s, s] and exactly representable in float32 (so float and double implementations see the same data).
let private uniform (rng: Random) s = float (float32 ((2.0 * rng.NextDouble() - 1.0) * s))

let build (p: CaseParams) =
    let spec =
        CellSpec(
            Kind = p.Kind,
            InputSize = p.In,
            HiddenSize = p.H,
            NumLayers = p.Layers,
            Bidirectional = p.Bidirectional,
            Activations =
                (match p.Activations with
                 | Some a -> Collections.Generic.List<Activation>(a) :> Collections.Generic.IReadOnlyList<_>
                 | None -> null),
            Clip = (match p.Clip with Some c -> Nullable c | None -> Nullable()),
            ClipReading = p.ClipReading,
            InputForget = p.InputForget.IsSome,
            InputForgetReading = defaultArg p.InputForget InputForgetReading.ForgetFromInput,
            Peepholes = (p.Peepholes && p.Kind = CellKind.Lstm),
            LinearBeforeReset = p.LinearBeforeReset,
            Padding = p.Padding,
            ReverseOrder = p.ReverseOrder
        )

    let rng = Random(p.Seed)
    let g = spec.Gates

    let layers =
        [ for l in 0 .. p.Layers - 1 do
              for _ in 0 .. spec.Directions - 1 do
                  let inSize = spec.LayerInputSize l
                  let s = p.WeightScale / sqrt (float (inSize + p.H))
                  let arr n = Array.init n (fun _ -> uniform rng s)

                  LayerWeights(
                      arr (g * p.H * inSize),
                      arr (g * p.H * p.H),
                      arr (g * p.H),
                      arr (g * p.H),
                      (if spec.Peepholes then arr (3 * p.H) else null)
                  ) ]

    let states = p.Layers * spec.Directions * p.B * p.H

    { Params = p
      Weights = NetworkWeights(spec, layers)
      X = Array.init (p.T * p.B * p.In) (fun _ -> uniform rng 1.0)
      SeqLens = (if p.SeqLens then Array.init p.B (fun _ -> rng.Next(0, p.T + 1)) else null)
      H0 = (if p.InitialStates then Array.init states (fun _ -> uniform rng 0.8) else null)
      C0 = (if p.InitialStates && p.Kind = CellKind.Lstm then Array.init states (fun _ -> uniform rng 2.0) else null) }

let private activation = Gen.elements [ Activation.Identity; Activation.Tanh; Activation.Sigmoid; Activation.Relu ]

/// Every option with sizes 1..3 (T 1..4, layers 1..2): T = 1, batch 1 and hidden 1 are drawn often.
let paramsGen =
    gen {
        let! seed = Gen.choose (0, Int32.MaxValue - 1)
        let! kind = Gen.elements [ CellKind.Rnn; CellKind.Lstm; CellKind.Gru ]
        let count = match kind with | CellKind.Lstm -> 3 | CellKind.Gru -> 2 | _ -> 1
        let! custom = Gen.elements [ false; false; true ]
        let! acts = Gen.listOfLength count activation
        let! clip = Gen.elements [ None; None; Some 0.5; Some 1.5; Some 3.0 ]
        let! clipReading = Gen.elements [ ClipReading.GateInputs; ClipReading.GateInputsAndCell ]
        let! inputForget = Gen.elements [ None; None; Some InputForgetReading.ForgetFromInput; Some InputForgetReading.InputFromForget ]
        let! peep = Gen.elements [ false; true ]
        let! lbr = Gen.elements [ false; true ]
        let! bidi = Gen.elements [ false; true ]
        let! layers = Gen.elements [ 1; 1; 2 ]
        let! t = Gen.choose (1, 4)
        let! b = Gen.choose (1, 3)
        let! i = Gen.choose (1, 3)
        let! h = Gen.choose (1, 3)
        let! seqLens = Gen.elements [ false; true ]
        let! padding = Gen.elements [ PaddingReading.Zeros; PaddingReading.CarryLast ]
        let! order = Gen.elements [ ReverseOutputOrder.TimeAligned; ReverseOutputOrder.ProcessingOrder ]
        let! initial = Gen.elements [ false; true ]
        // Unbounded gate activations (identity, relu) grow the state geometrically; keep the exact values far inside the
        // float32 range (the rounding model assumes no overflow) by keeping their weights at scale ≤ 1.
        let! scale = if custom then Gen.elements [ 0.5; 1.0 ] else Gen.elements [ 0.5; 1.0; 2.0; 4.0 ]

        return
            { Seed = seed
              Kind = kind
              Activations = (if custom then Some acts else None)
              Clip = clip
              ClipReading = clipReading
              InputForget = (if kind = CellKind.Lstm then inputForget else None)
              Peepholes = peep
              LinearBeforeReset = lbr
              Bidirectional = bidi
              Layers = layers
              T = t
              B = b
              In = i
              H = h
              SeqLens = seqLens
              Padding = padding
              ReverseOrder = order
              InitialStates = initial
              WeightScale = scale }
    }

/// Arbitrary cases (no shrinking: the parameters are printed and replay the case exactly).
let cases = Arb.fromGen (paramsGen |> Gen.map build)
