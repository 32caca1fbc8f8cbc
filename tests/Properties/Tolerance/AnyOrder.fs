/// The step bound holds for an implementation that sums in any order, with or without FMA, in float32 and in float64.
module RnnVerify.Properties.Tolerance.AnyOrder

open System
open Expecto
open FsCheck.FSharp
open RnnVerify.Cells
open RnnVerify.Reference.Tolerance
open RnnVerify.Properties.Theorem
open RnnVerify.Properties.Tolerance.Cases

/// Arithmetic of an independent step implementation: float32 or float64, each rounding explicit.
type private Arith =
    { Round: float -> float
      Fma: float -> float -> float -> float
      Tanh: float -> float
      Exp: float -> float }

let private f32 =
    { Round = (fun v -> float (float32 v))
      Fma = (fun a b c -> float (MathF.FusedMultiplyAdd(float32 a, float32 b, float32 c)))
      Tanh = (fun v -> float (MathF.Tanh(float32 v)))
      Exp = (fun v -> float (MathF.Exp(float32 v))) }

let private f64 =
    { Round = id
      Fma = (fun a b c -> Math.FusedMultiplyAdd(a, b, c))
      Tanh = Math.Tanh
      Exp = Math.Exp }

/// Σ w_j x_j + Σ b in a random order, each product rounded then added, or fused (FMA), as chosen by rng.
let private dot (ar: Arith) (rng: Random) (terms: (float * float) list) (biases: float list) =
    let fused = rng.Next 2 = 0
    let items = [| for (w, x) in terms -> Choice1Of2(ar.Round w, x) |] |> Array.append [| for b in biases -> Choice2Of2(ar.Round b) |]
    rng.Shuffle items
    let mutable acc = 0.0

    for it in items do
        match it with
        | Choice1Of2(w, x) -> acc <- if fused then ar.Fma w x acc else ar.Round(acc + ar.Round(w * x))
        | Choice2Of2 b -> acc <- ar.Round(acc + b)

    acc

let private act (ar: Arith) (a: Activation) (v: float) =
    match a with
    | Activation.Identity -> v
    | Activation.Tanh -> ar.Tanh v
    | Activation.Sigmoid -> ar.Round(1.0 / ar.Round(1.0 + ar.Exp(-v)))
    | _ -> max 0.0 v

/// One step of one layer (weights of layer 0, direction 0) written from the cell equations, independently of StepBound.
let private step (ar: Arith) (rng: Random) (spec: CellSpec) (w: LayerWeights) (x: float[]) (h: float[]) (c: float[]) =
    let hid, inn = h.Length, x.Length
    let clip v = if spec.Clip.HasValue then (let k = ar.Round spec.Clip.Value in Math.Clamp(v, -k, k)) else v
    let row r extra = [ for k in 0 .. inn - 1 -> w.Wx[r * inn + k], x[k] ] @ [ for k in 0 .. hid - 1 -> w.Wh[r * hid + k], h[k] ] @ extra
    let acts = spec.EffectiveActivations
    let r0 = ar.Round

    match spec.Kind with
    | CellKind.Rnn -> Array.init hid (fun j -> dot ar rng (row j []) [ w.Bx[j]; w.Bh[j] ] |> clip |> act ar acts[0]), c
    | CellKind.Lstm ->
        let peep k j (cv: float) = if spec.Peepholes then [ w.P[k * hid + j], cv ] else []
        let gate r extra = dot ar rng (row r extra) [ w.Bx[r]; w.Bh[r] ] |> clip |> act ar acts[0]
        let cs = Array.zeroCreate hid
        let hs = Array.zeroCreate hid

        for j in 0 .. hid - 1 do
            let i, f =
                match spec.InputForget, spec.InputForgetReading with
                | false, _ -> gate j (peep 0 j c[j]), gate (hid + j) (peep 1 j c[j])
                | true, InputForgetReading.ForgetFromInput -> let i = gate j (peep 0 j c[j]) in i, r0 (1.0 - i)
                | true, _ -> let f = gate (hid + j) (peep 1 j c[j]) in r0 (1.0 - f), f

            let g = dot ar rng (row (2 * hid + j) []) [ w.Bx[2 * hid + j]; w.Bh[2 * hid + j] ] |> clip |> act ar acts[1]
            let cRaw = r0 (r0 (f * c[j]) + r0 (i * g))
            let cj = if spec.ClipReading = ClipReading.GateInputsAndCell then clip cRaw else cRaw
            let o = gate (3 * hid + j) (peep 2 j cj)
            cs[j] <- cj
            hs[j] <- r0 (o * act ar acts[2] cj)

        hs, cs
    | _ ->
        let gate r = dot ar rng (row r []) [ w.Bx[r]; w.Bh[r] ] |> clip |> act ar acts[0]
        let rs = Array.init hid gate
        let zs = Array.init hid (fun j -> gate (hid + j))

        Array.init hid (fun j ->
            let r = 2 * hid + j
            let a =
                if spec.LinearBeforeReset then
                    let q = dot ar rng [ for k in 0 .. inn - 1 -> w.Wx[r * inn + k], x[k] ] [ w.Bx[r] ]
                    let p = dot ar rng [ for k in 0 .. hid - 1 -> w.Wh[r * hid + k], h[k] ] [ w.Bh[r] ]
                    r0 (q + r0 (rs[j] * p))
                else
                    let rh = [ for k in 0 .. hid - 1 -> w.Wh[r * hid + k], r0 (rs[k] * h[k]) ]
                    dot ar rng ([ for k in 0 .. inn - 1 -> w.Wx[r * inn + k], x[k] ] @ rh) [ w.Bx[r]; w.Bh[r] ]

            let n = a |> clip |> act ar acts[1]
            // Either algebraic form of the update, chosen at random.
            if rng.Next 2 = 0 then r0 (r0 (r0 (1.0 - zs[j]) * n) + r0 (zs[j] * h[j])) else r0 (n + r0 (zs[j] * r0 (h[j] - n)))), c

/// |claimed − V| ≤ S·E_claimed + S·E_float64 for every element, NaN rejected; the failure message prints both values.
let within (what: string) (model: RoundingModel) (claimed: float[]) (reference: Bounded[]) (ref64: Bounded[]) =
    let ref64Model = RoundingModel.standard ClaimedDtype.Float64

    for j in 0 .. claimed.Length - 1 do
        let allowed = model.Safety * reference[j].Error + ref64Model.Safety * ref64[j].Error
        let err = abs (claimed[j] - reference[j].Value)

        if Double.IsNaN claimed[j] || not (err <= allowed) then
            failtestf "%s[%d]: claimed %.17g, reference %.17g, error %.17g > allowed %.17g" what j claimed[j] reference[j].Value err allowed

/// The step's Bounded (h_t, c_t) from exact inputs, recorded on a fresh tape.
let referenceStep model (spec: CellSpec) (w: LayerWeights) (x: float[]) (h: float[]) (c: float[]) =
    let tape = Tape(model)
    let leaves = Array.map (Bounded.exact >> Tape.leaf tape)
    let hs, cs = StepBound.step tape spec (StepBound.weightNodes tape w) (leaves x) (leaves h) (leaves c)
    Array.map tape.Value hs, Array.map tape.Value cs

let private checkStep (dtype: ClaimedDtype) (case: Case) =
    let ar = if dtype = ClaimedDtype.Float32 then f32 else f64
    let rng = Random(case.Params.Seed)
    let spec = case.Weights.Spec
    let w = case.Weights[0, 0]
    let hid = spec.HiddenSize
    let x = Array.init spec.InputSize (fun k -> case.X[k])
    let h = Array.init hid (fun _ -> ar.Round(2.0 * rng.NextDouble() - 1.0))
    let c = Array.init hid (fun _ -> ar.Round(6.0 * rng.NextDouble() - 3.0))
    let model = RoundingModel.standard dtype
    let hRef, cRef = referenceStep model spec w x h c
    let h64, c64 = referenceStep (RoundingModel.standard ClaimedDtype.Float64) spec w x h c

    for _ in 1..4 do
        let hImpl, cImpl = step ar rng spec w x h c
        within "h" model hImpl hRef h64
        within "c" model cImpl cRef c64

[<Tests>]
let tests =
    testList "Tolerance" [
        theorem "a float32 step summed in any order, with or without FMA, lies within the derived bound of the exact step"
            (Prop.forAll cases (fun case -> checkStep ClaimedDtype.Float32 case))
        theorem "a float64 step summed in any order, with or without FMA, lies within the derived bound of the exact step"
            (Prop.forAll cases (fun case -> checkStep ClaimedDtype.Float64 case))
    ]
