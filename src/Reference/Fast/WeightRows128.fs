namespace RnnVerify.Reference.Fast

open System
open System.Numerics
open System.Runtime.Intrinsics
open RnnVerify.Reference

/// One weight: ±Man·2^Exp, Man with bit 63 set (0 for a zero weight), Neg 1 for a negative weight else 0.
[<Struct; NoEquality; NoComparison>]
type internal WeightTerm = { Man: uint64; Exp: int; Neg: int }

/// One operand: ±(Hi·2^64 + Lo)·2^Exp, Neg 1 for a negative midpoint else 0.
[<Struct; NoEquality; NoComparison>]
type internal OperandTerm = { Hi: uint64; Lo: uint64; Exp: int; Neg: int }

[<Sealed>]
type WeightRows128 internal (rows: int, length: int, weights: float[], terms: WeightTerm[], magnitude: float[]) =
    let exps = terms |> Array.map (fun t -> t.Exp)
    member _.Rows = rows
    member _.Length = length
    /// The weights as doubles (for the fallback).
    member internal _.Weights = weights
    /// The weights' mantissas, exponents and signs, row-major.
    member internal _.Terms = terms
    /// |w| as a double (exact).
    member internal _.Magnitude = magnitude
    /// The exponents of Terms again, contiguous, for the vectorised maximum.
    member internal _.Exps = exps

/// An operand vector split into its parts (mantissa halves, exponent, sign) and radii, built once and used for every row.
[<Sealed>]
type Operands128 internal (source: Ball128[], terms: OperandTerm[], rad: float[], anySlow: bool, anyRad: bool) =
    let exps = terms |> Array.map (fun t -> t.Exp)
    member _.Length = source.Length
    member internal _.Source = source
    member internal _.Terms = terms
    member internal _.Rad = rad
    member internal _.AnySlow = anySlow
    member internal _.AnyRad = anyRad
    /// The exponents of Terms again, contiguous, for the vectorised maximum.
    member internal _.Exps = exps

module WeightRows128 =
    [<Literal>]
    let private Bits = 128

    /// The exponent given to zero weights and operands: a pair with a zero sums to ≤ −2^29 + 2^11 < −2^28, below every pair of
    /// non-zero exponents (weights ≥ −1137, operands ≥ −2^27, else the fallback), so no branch is needed to skip them.
    [<Literal>]
    let private ZeroExp = -536870912

    [<Literal>]
    let private LowestExp = -134217728

    [<Literal>]
    let private NoProduct = -268435456

    let create (rows: int) (length: int) (weight: int -> int -> float) =
        if rows < 0 then invalidArg (nameof rows) (sprintf "rows is %d, expected ≥ 0" rows)
        if length < 0 || length >= (1 <<< 30) then invalidArg (nameof length) (sprintf "length is %d, expected 0..2^30 − 1" length)
        let n = rows * length
        let w = Array.zeroCreate n
        let terms = Array.zeroCreate n
        let magnitude = Array.zeroCreate n
        for r in 0 .. rows - 1 do
            for k in 0 .. length - 1 do
                let i = r * length + k
                let d = weight r k
                if not (Double.IsFinite d) then
                    invalidArg (nameof weight) (sprintf "weight (%d, %d) is %g, expected a finite double" r k d)
                w[i] <- d
                magnitude[i] <- Math.Abs d
                let neg = if d < 0.0 then 1 else 0
                if d = 0.0 then terms[i] <- { Man = 0UL; Exp = ZeroExp; Neg = neg }
                else
                    let bits = BitConverter.DoubleToInt64Bits d
                    let field = int ((bits >>> 52) &&& 0x7FFL)
                    let fraction = uint64 (bits &&& 0xFFFFFFFFFFFFFL)
                    let m, e = if field = 0 then fraction, -1074 else (fraction ||| (1UL <<< 52)), field - 1075
                    let lz = int (UInt64.LeadingZeroCount m)
                    terms[i] <- { Man = m <<< lz; Exp = e - lz; Neg = neg }
        WeightRows128(rows, length, w, terms, magnitude)


    let prepare (v: Ball128[]) =
        ArgumentNullException.ThrowIfNull v
        let n = v.Length
        let terms = Array.zeroCreate n
        let rad = Array.zeroCreate n
        let mutable anySlow = false
        let mutable anyRad = false
        for k in 0 .. n - 1 do
            let b = &v[k]
            if not (obj.ReferenceEquals(b.Slow, null)) then
                anySlow <- true
                terms[k] <- { Hi = 0UL; Lo = 0UL; Exp = ZeroExp; Neg = 0 }
            elif UInt128.op_Equality (b.Man, UInt128.Zero) then terms[k] <- { Hi = 0UL; Lo = 0UL; Exp = ZeroExp; Neg = 0 }
            else
                if b.Exp < LowestExp then anySlow <- true
                terms[k] <- { Hi = uint64 (b.Man >>> 64); Lo = uint64 b.Man; Exp = b.Exp; Neg = (if b.Neg then 1 else 0) }
            if b.Rad <> 0.0 then anyRad <- true
            rad[k] <- b.Rad
        Operands128(v, terms, rad, anySlow, anyRad)

    /// (x3, x2, x1, x0) shifted right by s ≥ 64 (the rare case): (y3, y2, y1, y0, bits dropped ≠ 0 as 1 else 0).
    let private shiftFar (x3: uint64) (x2: uint64) (x1: uint64) (s: int) =
        if s >= 256 then struct (0UL, 0UL, 0UL, 0UL, (if (x1 ||| x2 ||| x3) <> 0UL then 1 else 0))
        else
            let t = s &&& 63
            let u = 63 - t
            // (y <<< 1) <<< (63 − t) is y·2^(64−t) mod 2^64 also for t = 0.
            match s >>> 6 with
            | 1 ->
                let lost = (x1 <<< 1) <<< u
                struct (0UL, x3 >>> t, (x2 >>> t) ||| ((x3 <<< 1) <<< u), (x1 >>> t) ||| ((x2 <<< 1) <<< u), (if lost <> 0UL then 1 else 0))
            | 2 ->
                let lost = x1 ||| ((x2 <<< 1) <<< u)
                struct (0UL, 0UL, x3 >>> t, (x2 >>> t) ||| ((x3 <<< 1) <<< u), (if lost <> 0UL then 1 else 0))
            | _ ->
                let lost = x1 ||| x2 ||| ((x3 <<< 1) <<< u)
                struct (0UL, 0UL, 0UL, x3 >>> t, (if lost <> 0UL then 1 else 0))

    /// Σ over the row of the products w·m_v shifted to the unit 2^(maxE − 64), in a 256-bit two's-complement accumulator
    /// top·2^256 + a3·2^192 + a2·2^128 + a1·2^64 + a0 (the unit of the largest product's 256-bit frame, as in Ball128.dot: same
    /// truncation, same midpoint): (top, a3, a2, a1, a0, number of products truncated).
    /// Low 32 bits of each 64-bit lane.
    let private low32 = Vector256.Create 0xFFFFFFFFUL

    let private accumulate (wt: WeightTerm[]) (off: int) (n: int) (vt: OperandTerm[]) (maxE: int) =
        let ws = ReadOnlySpan(wt, off, n)
        let vs = ReadOnlySpan(vt, 0, n)
        // Lazy carries: lane i of lo (hi) sums the signed low (high) 32-bit halves of limb i of every shifted product, so no
        // carry is propagated per product; each lane stays below n·2^32 < 2^62 in magnitude (n < 2^30, checked by create).
        let mutable lo = Vector256<uint64>.Zero
        let mutable hi = Vector256<uint64>.Zero
        let mutable truncated = 0
        for k in 0 .. ws.Length - 1 do
            let w = &ws[k]
            let v = &vs[k]
            // w·m_v = h1·2^128 + (l1 + h2)·2^64 + l2 < 2^192, exactly; in the frame it is (x3, x2, x1, 0). A zero factor gives
            // 0 (and no dropped bits, however far it is shifted).
            let mutable l1 = 0UL
            let h1 = Math.BigMul(w.Man, v.Hi, &l1)
            let mutable l2 = 0UL
            let h2 = Math.BigMul(w.Man, v.Lo, &l2)
            let x2 = l1 + h2
            let x3 = h1 + (((l1 &&& h2) ||| ((l1 ||| h2) &&& ~~~x2)) >>> 63)
            let x1 = l2
            let s = maxE - (w.Exp + v.Exp)
            let y =
                if s < 64 then
                    // The common case, exact and without branches: the frame's low limb x0 = 0 takes the s < 64 bits shifted
                    // out of x1; (y <<< 1) <<< (63 − s) is y·2^(64−s) mod 2^64 also for s = 0.
                    let u = 63 - s
                    Vector256.Create((x1 <<< 1) <<< u, (x1 >>> s) ||| ((x2 <<< 1) <<< u), (x2 >>> s) ||| ((x3 <<< 1) <<< u), x3 >>> s)
                else
                    let struct (z3, z2, z1, z0, lost) = shiftFar x3 x2 x1 s
                    truncated <- truncated + lost
                    Vector256.Create(z0, z1, z2, z3)
            // Without a branch on the sign: (c ⊕ m) − m is −c for m all ones, c for m = 0.
            let m = Vector256.Create(0UL - uint64 (w.Neg ^^^ v.Neg))
            lo <- lo + (((y &&& low32) ^^^ m) - m)
            hi <- hi + ((Vector256.ShiftRightLogical(y, 32) ^^^ m) - m)
        // Σ_j c_j·2^(32j) with c_{2i} = lo[i], c_{2i+1} = hi[i] (signed), carried into 32-bit digits and a signed top.
        let inline digit (i: int) (carry: int64) =
            let t0 = int64 (lo.GetElement i) + carry
            let t1 = int64 (hi.GetElement i) + (t0 >>> 32)
            struct ((uint64 t0 &&& 0xFFFFFFFFUL) ||| (uint64 t1 <<< 32), t1 >>> 32)
        let struct (d0, c0) = digit 0 0L
        let struct (d1, c1) = digit 1 c0
        let struct (d2, c2) = digit 2 c1
        let struct (d3, top) = digit 3 c2
        struct (top, d3, d2, d1, d0, truncated)

    /// max_k (we[k] + ve[k]) (sums ≥ −2^30, no overflow), Vector<int> lanes at a time.
    let private maxExponent (we: ReadOnlySpan<int>) (ve: ReadOnlySpan<int>) =
        let width = Vector<int>.Count
        let mutable lanes = Vector<int>(Int32.MinValue)
        let mutable k = 0
        while k + width <= we.Length do
            lanes <- Vector.Max(lanes, Vector<int>(we.Slice k) + Vector<int>(ve.Slice k))
            k <- k + width
        let mutable m = Int32.MinValue
        for i in 0 .. width - 1 do
            m <- max m lanes[i]
        while k < we.Length do
            m <- max m (we[k] + ve[k])
            k <- k + 1
        m

    let dotPrepared (rows: WeightRows128) (row: int) (v: Operands128) =
        let n = rows.Length
        if v.Length <> n then invalidArg (nameof v) (sprintf "v has length %d, expected the row length %d" v.Length n)
        if row < 0 || row >= rows.Rows then
            raise (ArgumentOutOfRangeException(nameof row, row, sprintf "expected 0..%d" (rows.Rows - 1)))
        let off = row * n
        let wt, magnitude = rows.Terms, rows.Magnitude
        let vt, vrad = v.Terms, v.Rad
        let fallback () =
            Ball.dot Bits (Array.init n (fun k -> Ball.ofFloat rows.Weights[off + k])) (Array.map Ball128.toBall v.Source)
        if n = 0 then Ball128.zero
        elif v.AnySlow then Ball128.ofBall (fallback ())
        else
            let maxE = maxExponent (ReadOnlySpan(rows.Exps, off, n)) (ReadOnlySpan(v.Exps, 0, n))
            // Σ |w|·r: each term passes through at most n roundings to nearest of non-negative values (one product, at most
            // n − 1 additions), each a factor (1 + δ), |δ| ≤ 2^−53, or an absolute error ≤ 2^−1075 (subnormal results): the
            // bound of Ball128.dot for n + 3 roundings covers it.
            let rad =
                if not v.AnyRad then 0.0
                else
                    let mutable radSum = 0.0
                    for k in 0 .. n - 1 do
                        radSum <- radSum + magnitude[off + k] * vrad[k]
                    Ball128.Raw.addUp
                        (Ball128.Raw.mulUp radSum (1.0 + float (n + 4) * Math.ScaleB(1.0, -52)))
                        (float (3 * n + 9) * Double.Epsilon)
            if maxE < NoProduct then Ball128.Raw.make false UInt128.Zero 0 rad fallback
            else
                let struct (top, a3, a2, a1, a0, truncated) = accumulate wt off n vt maxE
                Ball128.Raw.finishDot top (UInt128(a3, a2)) (UInt128(a1, a0)) (maxE - 64) rad truncated fallback

    let dot (rows: WeightRows128) (row: int) (v: Ball128[]) =
        ArgumentNullException.ThrowIfNull v
        if v.Length <> rows.Length then
            invalidArg (nameof v) (sprintf "v has length %d, expected the row length %d" v.Length rows.Length)
        dotPrepared rows row (prepare v)
