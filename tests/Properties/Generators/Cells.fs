/// Running the C# cells (RnnVerify.Cells) from the theorems: one layer, one direction, batch 1, stepped one step per call
/// so that every state (h_t, and c_t for the LSTM) is observed in the cell's own precision.
module RnnVerify.Properties.Generators.Cells

open RnnVerify.Cells

/// A one-layer unidirectional spec; `acts` in ONNX order (RNN [f], LSTM [f, g, h], GRU [f, g]); empty means the defaults.
let spec kind (acts: Activation list) inputSize hiddenSize =
    CellSpec(
        Kind = kind,
        InputSize = inputSize,
        HiddenSize = hiddenSize,
        Activations = (if acts.IsEmpty then null else ResizeArray acts :> System.Collections.Generic.IReadOnlyList<_>))

/// Weights of a one-layer network: Wx [G·H][In], Wh [G·H][H], biases [G·H] (row-major, canonical gate order).
let weights (s: CellSpec) (wx: float[]) (wh: float[]) (bx: float[]) (bh: float[]) =
    NetworkWeights(s, [ LayerWeights(wx, wh, bx, bh, null) ])

/// The states (h_t, c_t), t = 0 … T−1, of the C# cell in binary64 from (h_{−1}, c_{−1}) (c ignored and returned empty
/// unless the cell is an LSTM).
let runDouble (w: NetworkWeights) (xs: float[][]) (h0: float[]) (c0: float[]) : (float[] * float[])[] =
    let net = Network<float>(w)
    let lstm = w.Spec.Kind = CellKind.Lstm
    let n = w.Spec.HiddenSize
    let mutable h, c = Array.copy h0, (if lstm then Array.copy c0 else [||])
    [| for x in xs do
           let hN = Array.zeroCreate n
           let cN = if lstm then Array.zeroCreate n else [||]
           net.Forward(1, System.ReadOnlySpan x, System.ReadOnlySpan.Empty, System.ReadOnlySpan h, System.ReadOnlySpan c,
                       System.Span.Empty, System.Span hN, System.Span cN)
           h <- hN
           c <- cN
           yield (hN, cN) |]

/// As `runDouble` in binary32: inputs, states and weights are rounded to float by the cell (exact when they are floats).
let runSingle (w: NetworkWeights) (xs: float[][]) (h0: float[]) (c0: float[]) : (float[] * float[])[] =
    let net = Network<float32>(w)
    let lstm = w.Spec.Kind = CellKind.Lstm
    let n = w.Spec.HiddenSize
    let f32 (a: float[]) = Array.map float32 a
    let mutable h, c = f32 h0, (if lstm then f32 c0 else [||])
    [| for x in xs do
           let hN = Array.zeroCreate<float32> n
           let cN = if lstm then Array.zeroCreate<float32> n else [||]
           net.Forward(1, System.ReadOnlySpan(f32 x), System.ReadOnlySpan.Empty, System.ReadOnlySpan h, System.ReadOnlySpan c,
                       System.Span.Empty, System.Span hN, System.Span cN)
           h <- hN
           c <- cN
           yield (Array.map float hN, Array.map float cN) |]
