namespace RnnVerify.Reference.Fast

open RnnVerify.Cells
open RnnVerify.Reference.Twins

[<Sealed>]
type Layer128 internal (lifted: LayerParams<Ball128>, rows: WeightRows128, inputRows: WeightRows128, recurrentRows: WeightRows128) =
    member _.Params = lifted
    member _.Rows = rows
    /// The GRU's n rows [W_x[2H + j], b_x[2H + j]], j = 0 .. H − 1 (no rows for the other kinds).
    member internal _.InputRows = inputRows
    /// The GRU's n rows [W_h[2H + j], b_h[2H + j]], j = 0 .. H − 1 (no rows for the other kinds).
    member internal _.RecurrentRows = recurrentRows

module Step128 =
    let prepare (spec: CellSpec) (layer: int) (w: LayerWeights) =
        let lifted = Step.lift Ball128Scalar.instance spec layer w
        let inp, h = lifted.InputSize, lifted.HiddenSize
        let rows =
            WeightRows128.create (spec.Gates * h) (inp + h + 2) (fun r k ->
                if k < inp then w.Wx[r * inp + k]
                elif k < inp + h then w.Wh[r * h + k - inp]
                elif k = inp + h then w.Bx[r]
                else w.Bh[r])
        let nRows = if spec.Kind = CellKind.Gru then h else 0
        let inputRows = WeightRows128.create nRows (inp + 1) (fun j k -> if k < inp then w.Wx[(2 * h + j) * inp + k] else w.Bx[2 * h + j])
        let recurrentRows = WeightRows128.create nRows (h + 1) (fun j k -> if k < h then w.Wh[(2 * h + j) * h + k] else w.Bh[2 * h + j])
        Layer128(lifted, rows, inputRows, recurrentRows)

    /// row ↦ rows' row (row − first) against an operand array, split once (WeightRows128.prepare) for as long as the same
    /// array is passed: Step.runWith builds each operand vector once per step and passes it for every row.
    let private preparedDot (rows: WeightRows128) (first: int) =
        let prepared = ref (null, Unchecked.defaultof<Operands128>)
        fun (v: Ball128[]) (row: int) ->
            let source, ops = prepared.Value
            if obj.ReferenceEquals(source, v) then WeightRows128.dotPrepared rows (row - first) ops
            else
                let ops = WeightRows128.prepare v
                prepared.Value <- (v, ops)
                WeightRows128.dotPrepared rows (row - first) ops

    let run (spec: CellSpec) (layer: Layer128) (x: Ball128[]) (hPrev: Ball128[]) (cPrev: Ball128[]) =
        let nFirst = 2 * layer.Params.HiddenSize
        let dots =
            { Affine = preparedDot layer.Rows 0
              Input = preparedDot layer.InputRows nFirst
              Recurrent = preparedDot layer.RecurrentRows nFirst }
        Step.runWith Ball128Scalar.instance spec layer.Params dots x hPrev cPrev
