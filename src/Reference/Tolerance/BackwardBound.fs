namespace RnnVerify.Reference.Tolerance

type LayerGradientBound =
    { Wx: TensorBound
      Wh: TensorBound
      Bx: TensorBound
      Bh: TensorBound
      P: TensorBound }

type GradientBound =
    { X: TensorBound
      H0: TensorBound
      C0: TensorBound
      Weights: LayerGradientBound[] }

module BackwardBound =
    let compute (run: ForwardRun) (dy: float[]) (dhN: float[]) (dcN: float[]) =
        let seeds =
            [ let add (nodes: int[]) (g: float[]) =
                  seq {
                      if not (isNull g) then
                          if g.Length <> nodes.Length then
                              invalidArg "upstream" (sprintf "an upstream gradient has length %d, expected %d" g.Length nodes.Length)

                          for i in 0 .. nodes.Length - 1 do
                              if nodes[i] >= 0 && g[i] <> 0.0 then yield struct (nodes[i], g[i])
                  }

              yield! add run.YNodes dy
              yield! add run.HNNodes dhN
              yield! add run.CNNodes dcN ]

        let adj = Tape.backward run.Tape seeds

        let gather (nodes: int[]) =
            { Value = nodes |> Array.map (fun n -> adj[n].Value)
              Error = nodes |> Array.map (fun n -> adj[n].Error)
              Local = Array.zeroCreate nodes.Length }

        { X = gather run.XNodes
          H0 = gather run.H0Nodes
          C0 = gather run.C0Nodes
          Weights =
            run.Weights
            |> Array.map (fun w ->
                { Wx = gather w.Wx
                  Wh = gather w.Wh
                  Bx = gather w.Bx
                  Bh = gather w.Bh
                  P = gather w.P }) }
