/// Generators for the nonlinear-cell theorems: arbitrary weights, including magnitudes that saturate every activation,
/// for one-layer Elman, LSTM and GRU cells run by the C# code in binary64 or binary32.
module RnnVerify.Properties.Generators.Nonlinear

open FsCheck.FSharp
open RnnVerify.Cells
open RnnVerify.Properties.Generators.Cells

/// A one-layer cell with all its weights, initial state and inputs (row-major, canonical gate order).
type CellCase =
    { Kind: CellKind; Acts: Activation list; N: int; M: int
      Wx: float[]; Wh: float[]; Bx: float[]; Bh: float[]; H0: float[]; C0: float[]; Xs: float[]; Single: bool }
    member c.T = c.Xs.Length / c.M
    member c.Gates = match c.Kind with CellKind.Lstm -> 4 | CellKind.Gru -> 3 | _ -> 1

/// A weight: mostly in [−1, 1], often up to ±256, sometimes ±(10³…10⁴) — every activation is driven into saturation.
let wild =
    Gen.frequency [
        6, Gen.choose (-(1 <<< 20), 1 <<< 20) |> Gen.map (fun k -> float k / float (1 <<< 20))
        3, Gen.map2 (fun k e -> float k * 2.0 ** float (e - 20)) (Gen.choose (-(1 <<< 20), 1 <<< 20)) (Gen.choose (0, 8))
        1, Gen.map2 (fun s k -> s * float k) (Gen.elements [ -1.0; 1.0 ]) (Gen.choose (1000, 10000))
    ]

let private arr k = Gen.arrayOfLength k wild

/// A case of the given kind and activations with n ≤ 4, m ≤ 3, 1 ≤ T ≤ 12 and arbitrary weights and states.
let cellCase kind (acts: Activation list) =
    gen {
        let g = match kind with CellKind.Lstm -> 4 | CellKind.Gru -> 3 | _ -> 1
        let! n = Gen.choose (1, 4)
        let! m = Gen.choose (1, 3)
        let! t = Gen.choose (1, 12)
        let! wx = arr (g * n * m)
        let! wh = arr (g * n * n)
        let! bx = arr (g * n)
        let! bh = arr (g * n)
        let! h0 = arr n
        let! c0 = arr (if kind = CellKind.Lstm then n else 0)
        let! xs = arr (t * m)
        let! single = Gen.elements [ false; true ]
        return { Kind = kind; Acts = acts; N = n; M = m; Wx = wx; Wh = wh; Bx = bx; Bh = bh; H0 = h0; C0 = c0; Xs = xs; Single = single }
    }

let validCell (c: CellCase) =
    let g = c.Gates
    c.N >= 1 && c.M >= 1 && c.Wx.Length = g * c.N * c.M && c.Wh.Length = g * c.N * c.N && c.Bx.Length = g * c.N
    && c.Bh.Length = g * c.N && c.H0.Length = c.N && c.C0.Length = (if c.Kind = CellKind.Lstm then c.N else 0)
    && c.Xs.Length >= c.M && c.Xs.Length % c.M = 0
    && Array.forall System.Double.IsFinite (Array.concat [ c.Wx; c.Wh; c.Bx; c.Bh; c.H0; c.C0; c.Xs ])

/// The C# network for a case (activations possibly replaced, to build broken variants).
let network (c: CellCase) (acts: Activation list) =
    weights (spec c.Kind acts c.M c.N) c.Wx c.Wh c.Bx c.Bh

/// The inputs x_0 … x_{T−1}.
let inputs (c: CellCase) = Array.init c.T (fun t -> c.Xs[t * c.M .. (t + 1) * c.M - 1])

/// The states (h_t, c_t) of the C# cell for the case (binary32 when c.Single), with the given activations.
let runWith (c: CellCase) (acts: Activation list) =
    (if c.Single then runSingle else runDouble) (network c acts) (inputs c) c.H0 c.C0

/// The unit roundoff of the case's format.
let unitRoundoff (c: CellCase) = if c.Single then 2.0 ** -24.0 else 2.0 ** -53.0

/// ‖x‖∞.
let normInf (x: float[]) = x |> Array.fold (fun m v -> max m (abs v)) 0.0
