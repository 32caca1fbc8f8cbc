namespace RnnVerify.Reference.Tolerance

type ClaimedDtype =
    | Float32 = 0
    | Float64 = 1

type RoundingModel =
    { Dtype: ClaimedDtype
      UnitRoundoff: float
      Underflow: float
      ActivationRelative: float
      ActivationAbsolute: float
      Safety: float }

module RoundingModel =
    let standard (dtype: ClaimedDtype) =
        let u, eta =
            match dtype with
            | ClaimedDtype.Float32 -> System.Math.ScaleB(1.0, -24), System.Math.ScaleB(1.0, -149)
            | ClaimedDtype.Float64 -> System.Math.ScaleB(1.0, -53), System.Math.ScaleB(1.0, -1074)
            | _ -> invalidArg (nameof dtype) (sprintf "unknown dtype %A" dtype)

        { Dtype = dtype
          UnitRoundoff = u
          Underflow = eta
          ActivationRelative = 8.0
          ActivationAbsolute = 4.0
          Safety = 2.0 }

    let gamma (model: RoundingModel) (n: int) =
        let nu = float n * model.UnitRoundoff
        if nu >= 1.0 then infinity else nu / (1.0 - nu)

    let roundToDtype (model: RoundingModel) (c: float) =
        match model.Dtype with
        | ClaimedDtype.Float32 -> float (float32 c)
        | _ -> c

    let conversionError (model: RoundingModel) (c: float) = abs (c - roundToDtype model c)
