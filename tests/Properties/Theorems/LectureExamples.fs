/// Theorem 11: the lecture's examples of what recurrence buys — hand-built Elman networks with Heaviside units that add
/// binary numbers and compute parity at any length, and fixed-width feed-forward networks that cannot.
module RnnVerify.Properties.Theorems.LectureExamples

open System
open System.Numerics
open Expecto
open FsCheck.FSharp
open RnnVerify.Properties.Catalogue
open RnnVerify.Properties.Exact.Rational
open RnnVerify.Properties.Exact.Matrix

/// An Elman network with Heaviside units: h_t = H(W_x x_t + W_h h_{t−1} + b), y_t = c·h_t, h_{−1} = 0,
/// H(z) = 1 for z > 0 and 0 otherwise. Weights are exact rationals.
type ThresholdRnn = { Wx: Mat; Wh: Mat; B: Vec; Readout: Vec }

/// The network with every weight doubled, as 64-bit integers: H(2z) = H(z), and the weights here are halves, so this
/// evaluation is exact and fast (checked: every doubled weight is an integer).
let private integerForm (net: ThresholdRnn) =
    let twice (q: Q) =
        let d = Q.ofInt 2 * q
        if not d.Den.IsOne then invalidArg "net" $"weight {q} is not a multiple of 1/2"
        int64 d.Num
    let m (a: Mat) = a |> Array.map (Array.map twice)
    m net.Wx, m net.Wh, Array.map twice net.B

/// Runs the network on the inputs and returns the outputs y_t (integers here, since readouts are integral).
let run (net: ThresholdRnn) (xs: int[][]) : int[] =
    let wx, wh, b = integerForm net
    let readout = net.Readout |> Array.map (fun q -> int q.Num)
    let n = b.Length
    let mutable h = Array.zeroCreate<int64> n
    [| for x in xs do
           let next = Array.init n (fun i ->
               let mutable z = b[i]
               for j in 0 .. x.Length - 1 do z <- z + wx[i][j] * int64 x[j]
               for j in 0 .. n - 1 do z <- z + wh[i][j] * h[j]
               if z > 0L then 1L else 0L)
           h <- next
           yield Array.fold2 (fun s c v -> s + c * int v) 0 readout h |]

let private half p = Q.frac p 2

/// The serial adder: units (s ≥ 1, s ≥ 2, s ≥ 3) of s = a_t + b_t + carry, the carry being unit 2 at t − 1; output
/// bit y_t = h₁ − h₂ + h₃ = s mod 2.
let adder =
    { Wx = ofInts [| [| 1; 1 |]; [| 1; 1 |]; [| 1; 1 |] |]
      Wh = ofInts [| [| 0; 1; 0 |]; [| 0; 1; 0 |]; [| 0; 1; 0 |] |]
      B = [| half -1; half -3; half -5 |]
      Readout = [| Q.one; Q.ofInt -1; Q.one |] }

/// The parity network: units u_t = H(p_{t−1} + x_t − ½), v_t = H(p_{t−1} + x_t − 3/2) with p = u − v, the running
/// parity (XOR of the previous parity and the new bit).
let parity =
    { Wx = ofInts [| [| 1 |]; [| 1 |] |]
      Wh = ofInts [| [| 1; -1 |]; [| 1; -1 |] |]
      B = [| half -1; half -3 |]
      Readout = [| Q.one; Q.ofInt -1 |] }

/// Bits of a non-negative integer, least significant first, exactly `width` of them.
let bits width (a: BigInteger) = Array.init width (fun i -> if (a >>> i).IsEven then 0 else 1)
let ofBits (bs: int[]) = bs |> Array.rev |> Array.fold (fun acc b -> acc * BigInteger 2 + BigInteger b) BigInteger.Zero

/// A + B by the network: N + 1 steps over the bit pairs (LSB first, one zero pad), output bits read as a number.
let addWith (net: ThresholdRnn) width (a: BigInteger) (b: BigInteger) =
    let xa, xb = bits (width + 1) a, bits (width + 1) b
    run net (Array.init (width + 1) (fun t -> [| xa[t]; xb[t] |])) |> ofBits

/// Two numbers of a given bit length (their top bits may be 0), as byte arrays for shrinking.
type AddCase = { Width: int; A: byte[]; B: byte[] }

let private toBig width (bytes: byte[]) = BigInteger(Array.append bytes [| 0uy |]) &&& ((BigInteger.One <<< width) - BigInteger.One)
let private addGen maxWidth =
    gen {
        let! w = Gen.choose (1, maxWidth)
        let k = (w + 7) / 8
        let! a = Gen.arrayOfLength k (Gen.choose (0, 255) |> Gen.map byte)
        let! b = Gen.arrayOfLength k (Gen.choose (0, 255) |> Gen.map byte)
        return { Width = w; A = a; B = b }
    }
let private validAdd (c: AddCase) = c.Width >= 1 && c.A.Length = (c.Width + 7) / 8 && c.B.Length = c.A.Length

/// Theorem 11.
let binaryAddition =
    { Id = "11 BinaryAddition"
      Statement = "a 3-unit Heaviside Elman network adds two binary numbers of any length: its N + 1 output bits are A + B for all A, B < 2^N"
      Hypotheses = [ "inputs (a_t, b_t), least significant bit first, one zero pad step"; "N ≤ 64 at random (1,000 cases); N = 4,096 and 8,192 on random and all-ones operands (longest carry chain)" ]
      Source = "Soleymani (Sharif 2020) after Raj (CMU 11-785), slides 4–5; docs/theory.md §11"
      Proof = "invariant: h₂ at t is the carry c_t of schoolbook addition. With s = a_t + b_t + c_{t−1} ∈ {0,…,3}, the units are [s ≥ 1], [s ≥ 2], [s ≥ 3], so h₂ = [s ≥ 2] = c_t and h₁ − h₂ + h₃ = s mod 2."
      Decided = "exact integer arithmetic (weights are halves; doubled they are integers, and H(2z) = H(z))" }

let private checkAdd (net: ThresholdRnn) (c: AddCase) : Verdict =
    let a, b = toBig c.Width c.A, toBig c.Width c.B
    let s = addWith net c.Width a b
    exactly ()
    check (s = a + b) (fun () -> $"N = {c.Width}: network gives {s} for {a} + {b} = {a + b}")

/// Theorem 11b.
let parityTheorem =
    { Id = "11b Parity"
      Statement = "a 2-unit Heaviside Elman network computes parity: y_t = (x_0 + … + x_t) mod 2 for every bit string of any length"
      Hypotheses = [ "bit strings of length ≤ 4,096 (random)" ]
      Source = "Soleymani (Sharif 2020) after Raj (CMU 11-785), slides 6–7; docs/theory.md §11"
      Proof = "invariant p_{t−1} = u − v ∈ {0, 1}; with s = p_{t−1} + x_t ∈ {0, 1, 2}, u = [s ≥ 1], v = [s ≥ 2], so u − v = s mod 2 = p_t."
      Decided = "exact integer arithmetic" }

/// Runs a parity network over a bit string: the outputs y_0 … y_{T−1}.
let runParity (net: ThresholdRnn) (xs: bool[]) = run net (xs |> Array.map (fun b -> [| (if b then 1 else 0) |]))

let private checkParity (runner: bool[] -> int[]) (xs: bool[]) : Verdict =
    let ys = runner xs
    exactly ()
    let expected = xs |> Array.scan (fun p b -> if b then 1 - p else p) 0 |> Array.tail
    check (ys = expected) (fun () ->
        let t = Array.zip ys expected |> Array.findIndex (fun (a, b) -> a <> b)
        $"length {xs.Length}: output {ys[t]} at t = {t}, but the parity of the prefix is {expected[t]}")

let private parityGen = gen {
    let! n = Gen.choose (0, 4096)
    return! Gen.arrayOfLength n (Gen.elements [ false; true ]) }

/// A fixed-width feed-forward adder for N bits: the serial adder unrolled into N + 1 layers, reading exactly 2N inputs
/// (a_0…a_{N−1}, b_0…b_{N−1}); wider operands are cut to their N low bits, the only thing a fixed-width input layer can do.
let feedForwardAdder width (a: BigInteger) (b: BigInteger) =
    let mask = (BigInteger.One <<< width) - BigInteger.One
    addWith adder width (a &&& mask) (b &&& mask)

/// Theorem 11c.
let fixedWidth =
    { Id = "11c FixedWidth"
      Statement = "a fixed-width feed-forward adder built for N bits is exact on all N-bit operands and fails on N + 1 bits: it gives the same output for A and A + 2^N"
      Hypotheses = [ "the N-bit network is the adder unrolled into N + 1 layers with 2N inputs; N ≤ 16"; "A, B < 2^N" ]
      Source = "Soleymani (Sharif 2020) after Raj (CMU 11-785), slide 4 ('a network trained for N-bit numbers will not work for N+1 bit numbers'); docs/theory.md §11"
      Proof = "any function of the 2N low bits takes the same value on (A, B) and (A + 2^N, B), whose sums differ by 2^N; the unrolled adder is exact on N-bit operands by theorem 11."
      Decided = "exact integer arithmetic" }

let private checkFixedWidth (net: int -> BigInteger -> BigInteger -> BigInteger) (c: AddCase) : Verdict =
    let w = c.Width
    let a, b = toBig w c.A, toBig w c.B
    let wide = a + (BigInteger.One <<< w)
    let s1, s2 = net w a b, net w wide b
    exactly ()
    all [
        check (s1 = a + b) (fun () -> $"N = {w}: the network gives {s1} for {a} + {b}")
        check (s2 <> wide + b) (fun () -> $"N = {w}: the fixed-width network was right on the (N+1)-bit operand {wide} + {b} = {s2}")
    ]

/// Theorem 11d.
let fixedWidthParity =
    { Id = "11d FixedWidthParity"
      Statement = "a fixed-width feed-forward parity network for N bits (units [Σx ≥ k], alternating readout) is exact on N bits and fails on N + 1 bits"
      Hypotheses = [ "hidden units z_k = H(Σ_{i<N} x_i − k + ½), k = 1…N; output Σ_k (−1)^{k+1} z_k"; "N ≤ 16" ]
      Source = "Soleymani (Sharif 2020) after Raj (CMU 11-785), slide 6; docs/theory.md §11"
      Proof = "with s = Σx, Σ_k (−1)^{k+1}[s ≥ k] = s mod 2; the extra bit x_N is not read, so x and x + e_N get the same output but different parities."
      Decided = "exact integer arithmetic" }

/// The fixed-width parity network for N bits applied to the first N bits of its input.
let feedForwardParity width (xs: int[]) =
    let s = xs |> Array.truncate width |> Array.sum
    Seq.sum (seq { for k in 1..width -> (if k % 2 = 1 then 1 else -1) * (if 2 * (s - k) + 1 > 0 then 1 else 0) })

let private checkFixedParity (net: int -> int[] -> int) (c: AddCase) : Verdict =
    let w = c.Width
    let xs = bits w (toBig w c.A)
    let wide = Array.append xs [| 1 |]
    exactly ()
    all [
        check (net w xs = Array.sum xs % 2) (fun () -> $"N = {w}: output {net w xs} on {xs} whose parity is {Array.sum xs % 2}")
        check (net w wide <> Array.sum wide % 2) (fun () -> $"N = {w}: the fixed-width network was right on N + 1 bits {wide}")
    ]

let private broken (f: ThresholdRnn -> ThresholdRnn) net = f net

/// The carry read from the wrong unit (a permutation of the hidden units): W_h column 1 instead of 2.
let private permutedCarry = broken (fun n -> { n with Wh = ofInts [| [| 1; 0; 0 |]; [| 1; 0; 0 |]; [| 1; 0; 0 |] |] }) adder
/// The bias of the carry unit dropped.
let private droppedBias = broken (fun n -> { n with B = [| half -1; Q.zero; half -5 |] }) adder
/// A sign error in the recurrent weights of the parity network.
let private signError = broken (fun n -> { n with Wh = ofInts [| [| -1; 1 |]; [| -1; 1 |] |] }) parity
/// An off-by-one step: the outputs are emitted one step late (y_t is the parity of x_0 … x_{t−1}).
let private offByOne (xs: bool[]) = runParity parity (Array.append [| false |] xs) |> Array.truncate xs.Length

[<Tests>]
let tests =
    testList "Theorem 11: lecture examples" [
        theorem binaryAddition (arbitrary (addGen 64) validAdd) (checkAdd adder)
        example binaryAddition "N = 4,096 and 8,192: random and all-ones operands" (fun () ->
            let rnd = Random 4096
            all [
                for w in [ 4096; 8192 ] do
                    let all1 = (BigInteger.One <<< w) - BigInteger.One
                    let r () = let b = Array.zeroCreate<byte> (w / 8) in rnd.NextBytes b; toBig w b
                    for a, b in [ all1, all1; all1, BigInteger.One; r (), r (); r (), r () ] ->
                        let s = addWith adder w a b
                        check (s = a + b) (fun () -> $"N = {w}: wrong sum (differs in bit {BigInteger.Log(BigInteger.Abs(s - (a + b)), 2.0)})")
            ])
        theorem parityTheorem (arbitrary parityGen (fun _ -> true)) (checkParity (runParity parity))
        theorem fixedWidth (arbitrary (addGen 16) validAdd) (checkFixedWidth feedForwardAdder)
        theorem fixedWidthParity (arbitrary (addGen 16) validAdd) (checkFixedParity feedForwardParity)
        catches binaryAddition "the carry read from the wrong hidden unit (a unit permutation)" (addGen 64) (checkAdd permutedCarry)
        catches binaryAddition "a dropped bias on the carry unit" (addGen 64) (checkAdd droppedBias)
        catches parityTheorem "a sign error in the recurrent weights" parityGen (checkParity (runParity signError))
        catches parityTheorem "an off-by-one step (state read one step late)" parityGen (checkParity offByOne)
        catches fixedWidth "a network that reads every bit (the recurrent adder itself)" (addGen 16) (checkFixedWidth (fun _ a b -> addWith adder (max 1 (int (BigInteger.Max(a, b).GetBitLength()))) a b))
        catches fixedWidthParity "a network that reads every bit (the recurrent parity network)" (addGen 16) (checkFixedParity (fun _ xs -> if xs.Length = 0 then 0 else Array.last (run parity (xs |> Array.map (fun b -> [| b |]))) ))
    ]
