namespace RnnVerify.Reference.Twins

open System
open RnnVerify.Cells
open RnnVerify.Reference

type LayerParams<'T> =
    {
        InputSize: int
        HiddenSize: int
        Wx: 'T[]
        Wh: 'T[]
        Bx: 'T[]
        Bh: 'T[]
        P: 'T[]
    }

type StepResult<'T> = { H: 'T[]; C: 'T[]; Gates: 'T[] }

type RowDots<'T> = { Affine: 'T[] -> int -> 'T; Input: 'T[] -> int -> 'T; Recurrent: 'T[] -> int -> 'T }

module Step =
    let private check (name: string) (actual: int) (expected: int) (what: string) =
        if actual <> expected then
            raise (ArgumentException(sprintf "%s has length %d, expected %s = %d" name actual what expected, name))

    let lift (s: Scalar<'T>) (spec: CellSpec) (layer: int) (w: LayerWeights) : LayerParams<'T> =
        ArgumentNullException.ThrowIfNull w
        let h = spec.HiddenSize
        let inp = spec.LayerInputSize layer
        let gh = spec.Gates * h
        check "Wx" w.Wx.Length (gh * inp) "gates·hiddenSize·layerInputSize"
        check "Wh" w.Wh.Length (gh * h) "gates·hiddenSize·hiddenSize"
        check "Bx" w.Bx.Length gh "gates·hiddenSize"
        check "Bh" w.Bh.Length gh "gates·hiddenSize"
        let p =
            match w.P with
            | null -> [||]
            | p when spec.Kind = CellKind.Lstm && spec.Peepholes ->
                check "P" p.Length (3 * h) "3·hiddenSize"
                Array.map s.OfFloat p
            | _ -> [||]
        if spec.Kind = CellKind.Lstm && spec.Peepholes && p.Length = 0 then
            raise (ArgumentException("P is null but spec.Peepholes is set", "P"))
        let lift = Array.map s.OfFloat
        { InputSize = inp; HiddenSize = h; Wx = lift w.Wx; Wh = lift w.Wh; Bx = lift w.Bx; Bh = lift w.Bh; P = p }

    let map (f: 'T -> 'U) (w: LayerParams<'T>) : LayerParams<'U> =
        { InputSize = w.InputSize; HiddenSize = w.HiddenSize; Wx = Array.map f w.Wx; Wh = Array.map f w.Wh
          Bx = Array.map f w.Bx; Bh = Array.map f w.Bh; P = Array.map f w.P }

    /// a[row] = [W_x[row], W_h[row], b_x[row], b_h[row]]·xh11 as one dot product (one rounding).
    let private rowAffine (s: Scalar<'T>) (w: LayerParams<'T>) (xh11: 'T[]) (row: int) =
        let h, inp = w.HiddenSize, w.InputSize
        let v = Array.zeroCreate (inp + h + 2)
        Array.blit w.Wx (row * inp) v 0 inp
        Array.blit w.Wh (row * h) v inp h
        v[inp + h] <- w.Bx[row]
        v[inp + h + 1] <- w.Bh[row]
        s.Dot v xh11

    /// [m[row], b[row]]·v1 as one dot product (one rounding), m a [rows][width] matrix and v1 = [v, 1]: W_x[row]·x + b_x[row]
    /// against [x, 1], or W_h[row]·v + b_h[row] against [v, 1].
    let private rowWithBias (s: Scalar<'T>) (m: 'T[]) (b: 'T[]) (width: int) (v1: 'T[]) (row: int) =
        let v = Array.zeroCreate (width + 1)
        Array.blit m (row * width) v 0 width
        v[width] <- b[row]
        s.Dot v v1

    let rowDots (s: Scalar<'T>) (w: LayerParams<'T>) : RowDots<'T> =
        { Affine = rowAffine s w; Input = rowWithBias s w.Wx w.Bx w.InputSize; Recurrent = rowWithBias s w.Wh w.Bh w.HiddenSize }

    let runWith (s: Scalar<'T>) (spec: CellSpec) (w: LayerParams<'T>) (dots: RowDots<'T>) (x: 'T[]) (hPrev: 'T[]) (cPrev: 'T[]) : StepResult<'T> =
        let h = w.HiddenSize
        let acts = spec.EffectiveActivations
        let clip v = if spec.Clip.HasValue then s.Clip spec.Clip.Value v else v
        // The whole pre-activation a[row] = W_x x + b_x + W_h h + b_h as one dot product: the row [W_x[row], W_h[row], b_x, b_h]
        // against [x, h_{t−1}, 1, 1] (built once per step).
        let xh11 = Array.concat [ x; hPrev; [| s.One; s.One |] ]
        let affine row = dots.Affine xh11 row
        match spec.Kind with
        | CellKind.Rnn ->
            let hn = Array.init h (fun j -> Scalar.activate s acts[0] (clip (affine j)))
            { H = hn; C = [||]; Gates = hn }
        | CellKind.Lstm ->
            let fA, gA, hA = acts[0], acts[1], acts[2]
            let peep k j (c: 'T) (a: 'T) = if w.P.Length = 0 then a else s.Add a (s.Mul w.P[k * h + j] c)
            let gate k j (c: 'T) = Scalar.activate s fA (clip (peep k j c (affine (k * h + j))))
            let i0 = Array.init h (fun j -> gate 0 j cPrev[j])
            let f0 = Array.init h (fun j -> gate 1 j cPrev[j])
            let i, f =
                if not spec.InputForget then i0, f0
                else
                    match spec.InputForgetReading with
                    | InputForgetReading.ForgetFromInput -> i0, Array.map (fun v -> s.Sub s.One v) i0
                    | _ -> Array.map (fun v -> s.Sub s.One v) f0, f0
            let g = Array.init h (fun j -> Scalar.activate s gA (clip (affine (2 * h + j))))
            let c =
                Array.init h (fun j ->
                    let c = s.Dot [| f[j]; i[j] |] [| cPrev[j]; g[j] |]
                    if spec.ClipReading = ClipReading.GateInputsAndCell then clip c else c)
            // The output gate's peephole sees c_t (index 2 in the i, f, o peephole order).
            let o = Array.init h (fun j -> Scalar.activate s fA (clip (peep 2 j c[j] (affine (3 * h + j)))))
            let hn = Array.init h (fun j -> s.Mul o[j] (Scalar.activate s hA c[j]))
            { H = hn; C = c; Gates = Array.concat [ i; f; g; o ] }
        | CellKind.Gru ->
            let fA, gA = acts[0], acts[1]
            let r = Array.init h (fun j -> Scalar.activate s fA (clip (affine j)))
            let z = Array.init h (fun j -> Scalar.activate s fA (clip (affine (h + j))))
            // W_x[row]·x + b_x[row] and W_h[row]·v + b_h[row] of the n rows, each as one dot product (one rounding), against
            // [x, 1] and [v, 1] built once per step.
            let xOne = Array.append x [| s.One |]
            let n =
                if spec.LinearBeforeReset then
                    let hOne = Array.append hPrev [| s.One |]
                    Array.init h (fun j ->
                        let row = 2 * h + j
                        Scalar.activate s gA (clip (s.Add (dots.Input xOne row) (s.Mul r[j] (dots.Recurrent hOne row)))))
                else
                    let rhOne = Array.append (Array.map2 s.Mul r hPrev) [| s.One |]
                    Array.init h (fun j ->
                        let row = 2 * h + j
                        Scalar.activate s gA (clip (s.Add (dots.Input xOne row) (dots.Recurrent rhOne row))))
            // h_t = (1 − z) n + z h_{t−1} as one dot product.
            let hn = Array.init h (fun j -> s.Dot [| s.Sub s.One z[j]; z[j] |] [| n[j]; hPrev[j] |])
            { H = hn; C = [||]; Gates = Array.concat [ r; z; n ] }
        | other -> invalidArg (nameof spec) (sprintf "unknown cell kind %A" other)

    let run (s: Scalar<'T>) (spec: CellSpec) (w: LayerParams<'T>) (x: 'T[]) (hPrev: 'T[]) (cPrev: 'T[]) : StepResult<'T> =
        runWith s spec w (rowDots s w) x hPrev cPrev
