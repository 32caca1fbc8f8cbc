namespace RnnVerify.Reference.Fast

open System
open System.Runtime.CompilerServices
open RnnVerify.Reference

[<Sealed>]
type WeightRows128(rows: int, length: int, weights: float[], man: uint64[], exp: int[], neg: bool[], magnitude: float[]) =
    member _.Rows = rows
    member _.Length = length
    /// The weights as doubles (for the fallback).
    member internal _.Weights = weights
    /// Mantissas, bit 63 set (0 for a zero weight): w = ±Man·2^Exp.
    member internal _.Man = man
    member internal _.Exp = exp
    member internal _.Neg = neg
    /// |w| as a double (exact).
    member internal _.Magnitude = magnitude

/// An operand vector split into arrays of its parts (high and low 64 bits of the mantissas, exponents, signs, radii), built
/// once and used for every row.
[<Sealed>]
type Operands128 internal (source: Ball128[], hi: uint64[], lo: uint64[], exp: int[], neg: bool[], rad: float[], anySlow: bool, anyRad: bool) =
    member _.Length = source.Length
    member internal _.Source = source
    member internal _.Hi = hi
    member internal _.Lo = lo
    member internal _.Exp = exp
    member internal _.Neg = neg
    member internal _.Rad = rad
    member internal _.AnySlow = anySlow
    member internal _.AnyRad = anyRad

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
        if length < 0 then invalidArg (nameof length) (sprintf "length is %d, expected ≥ 0" length)
        let n = rows * length
        let w = Array.zeroCreate n
        let man = Array.zeroCreate n
        let exp = Array.zeroCreate n
        let neg = Array.zeroCreate n
        let magnitude = Array.zeroCreate n
        for r in 0 .. rows - 1 do
            for k in 0 .. length - 1 do
                let i = r * length + k
                let d = weight r k
                if not (Double.IsFinite d) then
                    invalidArg (nameof weight) (sprintf "weight (%d, %d) is %g, expected a finite double" r k d)
                w[i] <- d
                magnitude[i] <- Math.Abs d
                neg[i] <- d < 0.0
                exp[i] <- ZeroExp
                if d <> 0.0 then
                    let bits = BitConverter.DoubleToInt64Bits d
                    let field = int ((bits >>> 52) &&& 0x7FFL)
                    let fraction = uint64 (bits &&& 0xFFFFFFFFFFFFFL)
                    let m, e = if field = 0 then fraction, -1074 else (fraction ||| (1UL <<< 52)), field - 1075
                    let lz = int (UInt64.LeadingZeroCount m)
                    man[i] <- m <<< lz
                    exp[i] <- e - lz
        WeightRows128(rows, length, w, man, exp, neg, magnitude)

    /// a + b + carry (carry 0 or 1): (sum, carry out), without branches: the carry out of the top bit of a full adder is
    /// (a ∧ b) ∨ ((a ∨ b) ∧ ¬s) in bit 63.
    let inline private addc (a: uint64) (b: uint64) (carry: uint64) =
        let s = a + b + carry
        struct (s, ((a &&& b) ||| ((a ||| b) &&& ~~~s)) >>> 63)

    /// 1 for true, 0 for false, without a branch.
    let inline private bit (b: bool) = uint64 (Unsafe.BitCast<bool, byte> b)

    let prepare (v: Ball128[]) =
        ArgumentNullException.ThrowIfNull v
        let n = v.Length
        let hi, lo, exp, neg, rad = Array.zeroCreate n, Array.zeroCreate n, Array.zeroCreate n, Array.zeroCreate n, Array.zeroCreate n
        let mutable anySlow = false
        let mutable anyRad = false
        for k in 0 .. n - 1 do
            let b = &v[k]
            if not (obj.ReferenceEquals(b.Slow, null)) then anySlow <- true
            elif UInt128.op_Equality (b.Man, UInt128.Zero) then exp[k] <- ZeroExp
            else
                if b.Exp < LowestExp then anySlow <- true
                hi[k] <- uint64 (b.Man >>> 64)
                lo[k] <- uint64 b.Man
                exp[k] <- b.Exp
                neg[k] <- b.Neg
            if b.Rad <> 0.0 then anyRad <- true
            rad[k] <- b.Rad
        Operands128(v, hi, lo, exp, neg, rad, anySlow, anyRad)

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
    let private accumulate
        (man: uint64[]) (wexp: int[]) (wneg: bool[]) (off: int) (n: int)
        (vhi: uint64[]) (vlo: uint64[]) (vexp: int[]) (vneg: bool[]) (maxE: int) =
        let wm = ReadOnlySpan(man, off, n)
        let we = ReadOnlySpan(wexp, off, n)
        let ws = ReadOnlySpan(wneg, off, n)
        let hi = ReadOnlySpan(vhi, 0, n)
        let lo = ReadOnlySpan(vlo, 0, n)
        let ve = ReadOnlySpan(vexp, 0, n)
        let vs = ReadOnlySpan(vneg, 0, n)
        let mutable a0 = 0UL
        let mutable a1 = 0UL
        let mutable a2 = 0UL
        let mutable a3 = 0UL
        let mutable top = 0L
        let mutable truncated = 0
        for k in 0 .. wm.Length - 1 do
            let w = wm[k]
            // w·m_v = h1·2^128 + (l1 + h2)·2^64 + l2 < 2^192, exactly; in the frame it is (x3, x2, x1, 0). A zero factor gives
            // 0 (and no dropped bits, however far it is shifted).
            let mutable l1 = 0UL
            let h1 = Math.BigMul(w, hi[k], &l1)
            let mutable l2 = 0UL
            let h2 = Math.BigMul(w, lo[k], &l2)
            let x2 = l1 + h2
            let x3 = h1 + (((l1 &&& h2) ||| ((l1 ||| h2) &&& ~~~x2)) >>> 63)
            let x1 = l2
            let s = maxE - (we[k] + ve[k])
            let mutable y0 = 0UL
            let mutable y1 = 0UL
            let mutable y2 = 0UL
            let mutable y3 = 0UL
            if s < 64 then
                // The common case, exact and without branches: the frame's low limb x0 = 0 takes the s < 64 bits shifted out of
                // x1; (y <<< 1) <<< (63 − s) is y·2^(64−s) mod 2^64 also for s = 0.
                let u = 63 - s
                y3 <- x3 >>> s
                y2 <- (x2 >>> s) ||| ((x3 <<< 1) <<< u)
                y1 <- (x1 >>> s) ||| ((x2 <<< 1) <<< u)
                y0 <- (x1 <<< 1) <<< u
            else
                let struct (z3, z2, z1, z0, lost) = shiftFar x3 x2 x1 s
                truncated <- truncated + lost
                y3 <- z3
                y2 <- z2
                y1 <- z1
                y0 <- z0
            // Without a branch on the sign: a negative product is added as its two's complement, the complemented limbs with
            // carry-in 1 and an all-ones limb −1 above them.
            let minus = bit (ws[k] <> vs[k])
            let mask = 0UL - minus
            let struct (s0, c0) = addc a0 (y0 ^^^ mask) minus
            let struct (s1, c1) = addc a1 (y1 ^^^ mask) c0
            let struct (s2, c2) = addc a2 (y2 ^^^ mask) c1
            let struct (s3, c3) = addc a3 (y3 ^^^ mask) c2
            a0 <- s0
            a1 <- s1
            a2 <- s2
            a3 <- s3
            top <- top + int64 c3 - int64 minus
        struct (top, a3, a2, a1, a0, truncated)

    let dotPrepared (rows: WeightRows128) (row: int) (v: Operands128) =
        let n = rows.Length
        if v.Length <> n then invalidArg (nameof v) (sprintf "v has length %d, expected the row length %d" v.Length n)
        if row < 0 || row >= rows.Rows then
            raise (ArgumentOutOfRangeException(nameof row, row, sprintf "expected 0..%d" (rows.Rows - 1)))
        let off = row * n
        let man, wexp, wneg, magnitude = rows.Man, rows.Exp, rows.Neg, rows.Magnitude
        let vhi, vlo, vexp, vneg, vrad = v.Hi, v.Lo, v.Exp, v.Neg, v.Rad
        let fallback () =
            Ball.dot Bits (Array.init n (fun k -> Ball.ofFloat rows.Weights[off + k])) (Array.map Ball128.toBall v.Source)
        if n = 0 then Ball128.zero
        elif v.AnySlow then Ball128.ofBall (fallback ())
        else
            let mutable maxE = Int32.MinValue
            for k in 0 .. n - 1 do
                maxE <- max maxE (wexp[off + k] + vexp[k])
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
                let struct (top, a3, a2, a1, a0, truncated) = accumulate man wexp wneg off n vhi vlo vexp vneg maxE
                Ball128.Raw.finishDot top (UInt128(a3, a2)) (UInt128(a1, a0)) (maxE - 64) rad truncated fallback

    let dot (rows: WeightRows128) (row: int) (v: Ball128[]) =
        ArgumentNullException.ThrowIfNull v
        if v.Length <> rows.Length then
            invalidArg (nameof v) (sprintf "v has length %d, expected the row length %d" v.Length rows.Length)
        dotPrepared rows row (prepare v)
