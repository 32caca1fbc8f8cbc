namespace RnnVerify.Reference.Fast

open RnnVerify.Cells
open RnnVerify.Reference.Twins

[<Sealed>]
type Layer128 internal (lifted: LayerParams<Ball128>, rows: WeightRows128) =
    member _.Params = lifted
    member _.Rows = rows

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
        Layer128(lifted, rows)

    let run (spec: CellSpec) (layer: Layer128) (x: Ball128[]) (hPrev: Ball128[]) (cPrev: Ball128[]) =
        let rows = layer.Rows
        // Step.runWith passes the same operand array [x, h_{t−1}, 1, 1] for every row of the step: split it once.
        let prepared = ref (null, Unchecked.defaultof<Operands128>)
        let affine (xh11: Ball128[]) row =
            let source, ops = prepared.Value
            if obj.ReferenceEquals(source, xh11) then WeightRows128.dotPrepared rows row ops
            else
                let ops = WeightRows128.prepare xh11
                prepared.Value <- (xh11, ops)
                WeightRows128.dotPrepared rows row ops
        Step.runWith Ball128Scalar.instance spec layer.Params affine x hPrev cPrev
