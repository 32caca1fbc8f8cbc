using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnVerify.Cells;

/// <summary>C = A·B (+ C): the cache-blocked, register-tiled matrix product of the time loop.</summary>
internal static partial class Kernels
{
    /// <summary>Depth of a k block: a B micro-panel of KBlock × 2 vectors (16 KB in float32) stays in L1.</summary>
    private const int KBlock = 128;

    /// <summary>
    /// Depth of the k blocks W_xᵀ is packed in for the input projection (T·B rows at once): C = [T·B][G·H] is far larger than
    /// the caches, and deeper blocks read and write it a quarter as often (measured: the projection of an LSTM, B = 64,
    /// H = 512, from about 170 to 125 ms; B's panels are then read from L2).
    /// </summary>
    public const int KBlockProjection = 512;

    /// <summary>Depth of a k block when A is stored transposed (<see cref="MatMulTransposedA{T}(ReadOnlySpan{T}, int, int, int, ReadOnlySpan{T}, int, int, Span{T}, int, bool, Span{T})"/>).</summary>
    private const int KBlockTransposedA = 512;

    /// <summary>Rows of A per block: MBlock × KBlock elements of A (48 KB in float32) stay in L2 while B's panels pass.</summary>
    private const int MBlock = 96;

    /// <summary>
    /// C = A·B, or C += A·B when <paramref name="accumulate"/>: A is [rows][k] with row stride <paramref name="lda"/>, B is
    /// [k][cols] with row stride <paramref name="ldb"/>, C is [rows][cols] with row stride <paramref name="ldc"/> (all row-major).
    /// Each entry is Σ_κ A[r][κ]·B[κ][j] accumulated in κ order (fused multiply–adds where the hardware has them; between k
    /// blocks the partial sum is stored and reloaded exactly, so the block depth does not change the result), which is one of
    /// the orders docs/tolerances.md's γ_n bound covers.
    /// With 512-bit vectors the product is blocked (k blocks of <see cref="KBlock"/>, row blocks of <see cref="MBlock"/>) and
    /// computed by 4 × 32 (float) register tiles that broadcast one element of A against two vectors of a row of B; otherwise,
    /// and for the columns past the last full tile, one vectorised row update C_r += A[r][κ]·B_κ per (r, κ).
    /// </summary>
    /// <remarks>
    /// A single row (the matrix–vector product of batch 1) against a B packed once runs column group by column group through
    /// the whole depth (<see cref="MatVecPacked{T}"/>), in ascending or, when <paramref name="descendingColumns"/>, descending
    /// column order; every entry is the same chain of roundings either way.
    /// </remarks>
    public static void MatMul<T>(ReadOnlySpan<T> a, int rows, int k, int lda, ReadOnlySpan<T> b, int ldb, int cols,
        Span<T> c, int ldc, bool accumulate, PackedPanels<T>? packedB = null, bool descendingColumns = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows == 0 || cols == 0)
        {
            return;
        }

        // The tiles read and write through unchecked references: establish the bounds once.
        ArgumentOutOfRangeException.ThrowIfLessThan(a.Length, ((rows - 1) * lda) + k, nameof(a));
        MatMulCore(a, rows, k, lda, 1, b, ldb, cols, c, ldc, accumulate, packedB, descendingColumns);
    }

    /// <summary>
    /// C = Aᵀ·B, or C += Aᵀ·B when <paramref name="accumulate"/>: A is stored [k][rows] with row stride <paramref name="lda"/>
    /// (so the product's left operand, row r and depth κ, is A[κ][r]), B is [k][cols] with row stride <paramref name="ldb"/>,
    /// C is [rows][cols] with row stride <paramref name="ldc"/>. The weight gradients dW = dAᵀ·X read dA [rows of the sequence][G·H]
    /// in place through it instead of transposing it first. Every entry is the same chain of roundings as
    /// <see cref="MatMul{T}"/> on the transposed copy (the same κ order, blocks and fused multiply–adds), so the bits are equal.
    /// </summary>
    /// <remarks>
    /// With <paramref name="sums"/> (length <paramref name="rows"/>) it also adds the left operand's rows of depth, in κ order:
    /// sums[r] = (…((sums[r] + A[0][r]) + A[1][r]) …) + A[k−1][r], one rounded addition per κ, the chain of a row-by-row
    /// <see cref="TensorPrimitives.Add{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/> over A. The bias gradients Σ dA come
    /// from the copy of dA the product makes anyway instead of one more pass over dA from memory.
    /// </remarks>
    public static void MatMulTransposedA<T>(ReadOnlySpan<T> a, int rows, int k, int lda, ReadOnlySpan<T> b, int ldb, int cols,
        Span<T> c, int ldc, bool accumulate, Span<T> sums = default)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        MatMulTransposedA(a, rows, k, lda, b, ldb, cols, c, ldc, default, 0, 0, default, 0, accumulate, sums);

    /// <summary>
    /// C = Aᵀ·B and C2 = Aᵀ·B2 (or += when <paramref name="accumulate"/>) in one pass over A, as two calls of
    /// <see cref="MatMulTransposedA{T}(ReadOnlySpan{T}, int, int, int, ReadOnlySpan{T}, int, int, Span{T}, int, bool, Span{T})"/>
    /// would compute them (every entry the same chain of roundings) but copying each block of A once for both: the weight
    /// gradients dW_x = dAᵀ X and dW_h = dAᵀ H_prev share dA where dA_h = dA_x. <paramref name="cols2"/> = 0 means no second product.
    /// </summary>
    public static void MatMulTransposedA<T>(ReadOnlySpan<T> a, int rows, int k, int lda, ReadOnlySpan<T> b, int ldb, int cols,
        Span<T> c, int ldc, ReadOnlySpan<T> b2, int ldb2, int cols2, Span<T> c2, int ldc2, bool accumulate, Span<T> sums = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows == 0)
        {
            return;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(a.Length, k == 0 ? 0 : ((k - 1) * lda) + rows, nameof(a));
        if (!sums.IsEmpty)
        {
            ArgumentOutOfRangeException.ThrowIfNotEqual(sums.Length, rows, nameof(sums));
        }

        CheckOperands(rows, k, b, ldb, cols, c, ldc);
        CheckOperands(rows, k, b2, ldb2, cols2, c2, ldc2);
        int panel = Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double))
            ? 2 * Vector512<T>.Count : 0;
        int tiled = panel == 0 ? 0 : cols / panel * panel, tiled2 = panel == 0 ? 0 : cols2 / panel * panel;
        // A stored transposed (rows stride 1, depth stride lda) is copied block by block in the tiled product, which takes the
        // sums from the copies; with lda = 1 (a single row) it is read in place.
        bool copiesA = lda != 1 && (tiled > 0 || tiled2 > 0);
        if (tiled > 0 || tiled2 > 0)
        {
            if (k == 0)
            {
                ClearRows(accumulate, rows, c, ldc, tiled);
                ClearRows(accumulate, rows, c2, ldc2, tiled2);
            }
            else if (copiesA)
            {
                TransposedTiled(ref MemoryMarshal.GetReference(a), rows, k, lda,
                    new Rhs<T>(ref MemoryMarshal.GetReference(b), ldb, tiled, ref MemoryMarshal.GetReference(c), ldc),
                    new Rhs<T>(ref MemoryMarshal.GetReference(b2), ldb2, tiled2, ref MemoryMarshal.GetReference(c2), ldc2),
                    accumulate, sums);
                sums = default;
            }
            else
            {
                if (tiled > 0)
                {
                    MatMulTiled(ref MemoryMarshal.GetReference(a), rows, k, 1, lda, ref MemoryMarshal.GetReference(b), ldb, tiled,
                        ref MemoryMarshal.GetReference(c), ldc, accumulate, null);
                }

                if (tiled2 > 0)
                {
                    MatMulTiled(ref MemoryMarshal.GetReference(a), rows, k, 1, lda, ref MemoryMarshal.GetReference(b2), ldb2, tiled2,
                        ref MemoryMarshal.GetReference(c2), ldc2, accumulate, null);
                }
            }
        }

        if (tiled < cols)
        {
            MatMulRows(a, rows, k, 1, lda, b.Slice(tiled), ldb, cols - tiled, c.Slice(tiled), ldc, accumulate);
        }

        if (tiled2 < cols2)
        {
            MatMulRows(a, rows, k, 1, lda, b2.Slice(tiled2), ldb2, cols2 - tiled2, c2.Slice(tiled2), ldc2, accumulate);
        }

        // The sums not taken from the tiled product's copies of A.
        for (int q = 0; q < k && !sums.IsEmpty; q++)
        {
            TensorPrimitives.Add(sums, a.Slice(q * lda, rows), sums);
        }
    }

    /// <summary>The bounds of one right operand and its destination (none when <paramref name="cols"/> = 0).</summary>
    private static void CheckOperands<T>(int rows, int k, ReadOnlySpan<T> b, int ldb, int cols, Span<T> c, int ldc)
    {
        if (cols > 0)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(b.Length, k == 0 ? 0 : ((k - 1) * ldb) + cols, nameof(b));
            ArgumentOutOfRangeException.ThrowIfLessThan(c.Length, ((rows - 1) * ldc) + cols, nameof(c));
        }
    }

    /// <summary>C[r][0..cols) = 0 for every row unless <paramref name="accumulate"/> (an empty product).</summary>
    private static void ClearRows<T>(bool accumulate, int rows, Span<T> c, int ldc, int cols)
    {
        for (int r = 0; r < rows && !accumulate && cols > 0; r++)
        {
            c.Slice(r * ldc, cols).Clear();
        }
    }

    /// <summary>
    /// The product with a strided left operand: A[r][κ] is at r·<paramref name="rs"/> + κ·<paramref name="ks"/>
    /// (ks = 1: row-major A; rs = 1: A stored transposed). The bounds of A are checked by the callers.
    /// </summary>
    private static void MatMulCore<T>(ReadOnlySpan<T> a, int rows, int k, int rs, int ks, ReadOnlySpan<T> b, int ldb, int cols,
        Span<T> c, int ldc, bool accumulate, PackedPanels<T>? packedB, bool descendingColumns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(b.Length, k == 0 ? 0 : ((k - 1) * ldb) + cols, nameof(b));
        ArgumentOutOfRangeException.ThrowIfLessThan(c.Length, ((rows - 1) * ldc) + cols, nameof(c));
        int tiled = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double)))
        {
            int panel = 2 * Vector512<T>.Count;
            tiled = cols / panel * panel;
            if (tiled > 0)
            {
                // A prepacked B is used only if it was packed for exactly this product (same depth and tiled columns).
                PackedPanels<T>? prepacked = packedB is not null && packedB.Depth == k && packedB.Columns == tiled ? packedB : null;
                if (rows == 1 && ks == 1 && prepacked is not null)
                {
                    MatVecPacked(ref MemoryMarshal.GetReference(a), prepacked, ref MemoryMarshal.GetReference(c), accumulate, descendingColumns);
                }
                else
                {
                    MatMulTiled(ref MemoryMarshal.GetReference(a), rows, k, rs, ks, ref MemoryMarshal.GetReference(b), ldb, tiled,
                    ref MemoryMarshal.GetReference(c), ldc, accumulate, prepacked);
                }
            }
        }

        if (tiled < cols)
        {
            MatMulRows(a, rows, k, rs, ks, b.Slice(tiled), ldb, cols - tiled, c.Slice(tiled), ldc, accumulate);
        }
    }

    /// <summary>C[r][0..cols) (+)= Σ_κ A[r][κ]·B[κ][0..cols): one <see cref="TensorPrimitives.FusedMultiplyAdd{T}(ReadOnlySpan{T}, T, ReadOnlySpan{T}, Span{T})"/> per (r, κ).</summary>
    private static void MatMulRows<T>(ReadOnlySpan<T> a, int rows, int k, int rs, int ks, ReadOnlySpan<T> b, int ldb, int cols,
        Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            Span<T> cr = c.Slice(r * ldc, cols);
            if (!accumulate)
            {
                cr.Clear();
            }

            // Fused, in κ order, zeros included: every entry is then the same chain of roundings as in the 512-bit tiles,
            // so the cells give the same bits with or without AVX-512 (the committed reports depend on it).
            for (int q = 0; q < k; q++)
            {
                TensorPrimitives.FusedMultiplyAdd(b.Slice(q * ldb, cols), a[(r * rs) + (q * ks)], cr, cr);
            }
        }
    }

    /// <summary>
    /// The blocked product over the first <paramref name="cols"/> columns (a multiple of two vectors). With at least
    /// <see cref="PackRows"/> rows, each k block of B is first copied into contiguous panels [cols / panel][kc][panel] (a
    /// per-thread buffer, so steady-state calls allocate nothing): B's rows are often a multiple of 4 KB apart, and reading a panel
    /// straight from B would put all of its cache lines in the same few L1 sets.
    /// </summary>
    private static void MatMulTiled<T>(ref T a, int rows, int k, int rs, int ks, ref T b, int ldb, int cols, ref T c, int ldc, bool accumulate,
        PackedPanels<T>? prepacked)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int panel = 2 * Vector512<T>.Count;
        if (k == 0)
        {
            if (!accumulate)
            {
                for (int r = 0; r < rows; r++)
                {
                    MemoryMarshal.CreateSpan(ref Unsafe.Add(ref c, (nint)r * ldc), cols).Clear();
                }
            }

            return;
        }

        // A B packed once costs nothing per call, so it is used for every row count (at batch 1 the recurrent product is a
        // matrix–vector product that streams the packed panels sequentially instead of rows of B a multiple of 4 KB apart).
        bool usePrepacked = prepacked is not null;
        bool packPerCall = rows >= PackRows && !usePrepacked;
        // A stored transposed (the weight gradients dAᵀ·X, k = the sequence's rows) takes deeper k blocks: C (a weight gradient)
        // is then read and written a quarter as often, and B's panels are read from L2 (measured: about 12 % faster).
        int kBlock = usePrepacked ? prepacked!.KBlock : ks != 1 ? KBlockTransposedA : KBlock;
        Span<T> packed = packPerCall ? PackBuffer<T>.Get(0, Math.Min(kBlock, k) * cols) : default;

        // With B packed once and a row block of C small enough to stay in L2 (≤ RowBlockBytes), each row block runs through
        // every k block before the next starts: C is then read and written in L2 instead of once per k block from memory
        // (dX = dA·W_x of the backward pass: k = G·H, C = [T·B][In]). The same κ order and fused multiply–adds, so the same bits.
        if (usePrepacked && rows > MBlock && (long)MBlock * cols * Unsafe.SizeOf<T>() <= RowBlockBytes)
        {
            for (int i0 = 0; i0 < rows; i0 += MBlock)
            {
                int i1 = Math.Min(rows, i0 + MBlock);
                for (int k0 = 0; k0 < k; k0 += kBlock)
                {
                    RowBlock(ref Unsafe.Add(ref a, (nint)k0 * ks), rs, ks, ref Unsafe.Add(ref prepacked!.Start, (nint)k0 * cols), panel, true,
                        Math.Min(kBlock, k - k0), panel, cols, ref c, ldc, accumulate || k0 > 0, i0, i1);
                }
            }

            return;
        }

        for (int k0 = 0; k0 < k; k0 += kBlock)
        {
            int kc = Math.Min(kBlock, k - k0);
            bool add = accumulate || k0 > 0;
            ref T ak = ref Unsafe.Add(ref a, (nint)k0 * ks);
            ref T bk = ref Unsafe.Add(ref b, (nint)k0 * ldb);
            int stride = ldb;
            if (usePrepacked)
            {
                // Block k0 of a B packed once starts at k0·cols (the blocks before it hold k0 rows of cols each).
                bk = ref Unsafe.Add(ref prepacked!.Start, (nint)k0 * cols);
                stride = panel;
            }
            else if (packPerCall)
            {
                Pack(ref bk, ldb, kc, cols, panel, packed);
                bk = ref MemoryMarshal.GetReference(packed);
                stride = panel;
            }

            bool isPacked = usePrepacked || packPerCall;

            for (int i0 = 0; i0 < rows; i0 += MBlock)
            {
                RowBlock(ref ak, rs, ks, ref bk, stride, isPacked, kc, panel, cols, ref c, ldc, add, i0, Math.Min(rows, i0 + MBlock));
            }
        }
    }

    /// <summary>One right operand of <see cref="TransposedTiled{T}"/>: B [k][cols] (row stride ldb) and its destination C.</summary>
    private readonly ref struct Rhs<T>(ref T b, int ldb, int cols, ref T c, int ldc)
    {
        public readonly ref T B = ref b;
        public readonly int Ldb = ldb;
        public readonly int Cols = cols;
        public readonly ref T C = ref c;
        public readonly int Ldc = ldc;
    }

    /// <summary>
    /// The blocked product with A stored transposed (the weight gradients dAᵀ·X, k = T·B) for one or two right operands (a
    /// second with Cols = 0 is skipped). Each k block of A is copied row block by row block into a contiguous
    /// [kc][rows of the block] buffer, once for both operands: read in place, the kc rows of a row block lie a multiple of
    /// 4 KB apart (dA: G·H elements) and fall into the same few L1 and L2 sets (measured, LSTM B = 64, H = 512: dW_x and dW_h
    /// each from about 138 to 130 ms), and at B = 64 dA comes from memory. Same values, same order, so the same bits as the
    /// product in place; the sums of A's rows (<see cref="CopyRows{T}"/>) come from the copies.
    /// </summary>
    private static void TransposedTiled<T>(ref T a, int rows, int k, int ks, scoped Rhs<T> first, scoped Rhs<T> second, bool accumulate,
        Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int panel = 2 * Vector512<T>.Count;
        // Deeper k blocks than the time loop's: C (a weight gradient) is read and written a quarter as often, and B's panels
        // are read from L2 (measured: about 12 % faster).
        int kBlock = KBlockTransposedA;
        bool pack = rows >= PackRows;
        Span<T> packed = pack ? PackBuffer<T>.Get(0, Math.Min(kBlock, k) * first.Cols) : default;
        Span<T> packed2 = pack ? PackBuffer<T>.Get(1, Math.Min(kBlock, k) * second.Cols) : default;
        for (int k0 = 0; k0 < k; k0 += kBlock)
        {
            int kc = Math.Min(kBlock, k - k0);
            bool add = accumulate || k0 > 0;
            ref T bk = ref Unsafe.Add(ref first.B, (nint)k0 * first.Ldb);
            ref T bk2 = ref Unsafe.Add(ref second.B, (nint)k0 * second.Ldb);
            int stride = first.Ldb, stride2 = second.Ldb;
            if (pack)
            {
                Pack(ref bk, first.Ldb, kc, first.Cols, panel, packed);
                Pack(ref bk2, second.Ldb, kc, second.Cols, panel, packed2);
                bk = ref MemoryMarshal.GetReference(packed);
                bk2 = ref MemoryMarshal.GetReference(packed2);
                stride = stride2 = panel;
            }

            Span<T> aBuffer = PackBuffer<T>.Get(2, MBlock * kc);
            for (int i0 = 0; i0 < rows; i0 += MBlock)
            {
                int rb = Math.Min(rows, i0 + MBlock) - i0;
                CopyRows(ref Unsafe.Add(ref Unsafe.Add(ref a, (nint)k0 * ks), i0), ks, rb, kc, aBuffer, sums.IsEmpty ? default : sums.Slice(i0, rb));
                ref T ab = ref MemoryMarshal.GetReference(aBuffer);
                CopiedRowBlock(ref ab, rb, ref bk, stride, pack, kc, panel, first.Cols, ref Unsafe.Add(ref first.C, (nint)i0 * first.Ldc), first.Ldc, add, k);
                CopiedRowBlock(ref ab, rb, ref bk2, stride2, pack, kc, panel, second.Cols, ref Unsafe.Add(ref second.C, (nint)i0 * second.Ldc), second.Ldc, add, k);
            }
        }
    }

    /// <summary>One row block of <see cref="TransposedTiled{T}"/> against one right operand, from the copy of A ([kc][rb]).</summary>
    private static void CopiedRowBlock<T>(ref T ab, int rb, ref T bk, int stride, bool isPacked, int kc, int panel, int cols, ref T c, int ldc,
        bool add, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (cols == 0)
        {
            return;
        }

        if (k >= KBlockTransposedA)
        {
            // Full-depth blocks (a long sequence or a batch): panel by panel down the row block, as in place.
            RowBlock(ref ab, 1, rb, ref bk, stride, isPacked, kc, panel, cols, ref c, ldc, add, 0, rb);
            return;
        }

        // A single short k block: four rows at a time through every panel: C (a weight gradient, up to 4 MB) is then read and
        // written row by row, sequentially, instead of a 4-row tile per panel column down the whole block.
        for (int r = 0; r < rb; r += 4)
        {
            RowBlock(ref ab, 1, rb, ref bk, stride, isPacked, kc, panel, cols, ref c, ldc, add, r, Math.Min(rb, r + 4));
        }
    }

    /// <summary>
    /// Rows [i0, i1) of C (+)= their rows of A (depth block of kc, starting at <paramref name="ak"/>) times one k block of B
    /// (<paramref name="bk"/>, row stride <paramref name="stride"/>, or packed panels when <paramref name="isPacked"/>).
    /// </summary>
    private static void RowBlock<T>(ref T ak, int rs, int ks, ref T bk, int stride, bool isPacked, int kc, int panel, int cols,
        ref T c, int ldc, bool add, int i0, int i1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (i1 - i0 < 4)
        {
            // A single row (batch 1) or a short remainder: wide row tiles keep enough independent accumulators.
            for (int r = i0; r < i1; r++)
            {
                ref T ar = ref Unsafe.Add(ref ak, (nint)r * rs);
                ref T cr = ref Unsafe.Add(ref c, (nint)r * ldc);
                int j = 0;
                // (The wide tiles read a row-major A only; a transposed A takes the two-vector tiles.)
                for (; ks == 1 && !isPacked && j + (4 * panel) <= cols; j += 4 * panel)
                {
                    Tile1x8(ref ar, ref Unsafe.Add(ref bk, j), stride, kc, ref Unsafe.Add(ref cr, j), add);
                }

                for (; ks == 1 && isPacked && j + (4 * panel) <= cols; j += 4 * panel)
                {
                    Tile1x8Packed(ref ar, ref PanelStart(ref bk, j, kc, panel, true), kc, ref Unsafe.Add(ref cr, j), add);
                }

                for (; j < cols; j += panel)
                {
                    Tile1x2(ref ar, ks, ref PanelStart(ref bk, j, kc, panel, isPacked), stride, kc, ref Unsafe.Add(ref cr, j), add);
                }
            }

            return;
        }

        for (int j = 0; j < cols; j += panel)
        {
            ref T bj = ref PanelStart(ref bk, j, kc, panel, isPacked);
            int r = i0;
            for (; r + 4 <= i1; r += 4)
            {
                Tile4x2(ref Unsafe.Add(ref ak, (nint)r * rs), rs, ks, ref bj, stride, kc, ref Unsafe.Add(ref c, ((nint)r * ldc) + j), ldc, add);
            }

            for (; r < i1; r++)
            {
                Tile1x2(ref Unsafe.Add(ref ak, (nint)r * rs), ks, ref bj, stride, kc, ref Unsafe.Add(ref c, ((nint)r * ldc) + j), add);
            }
        }
    }

    /// <summary>
    /// c[0..cols) (+)= Σ_κ a[κ]·B[κ][0..cols) for a B packed once (cols = its full panels): the matrix–vector product of
    /// batch 1. Each group of four panels (eight vectors of columns) keeps its sums in registers through every k block of the
    /// depth, so c is loaded and stored once instead of once per k block; the κ order and the fused multiply–adds are those of
    /// the blocked product (which stores and reloads the partial sums exactly between k blocks), so the bits are the same.
    /// With <paramref name="descending"/> the groups run from the last to the first. A caller that alternates the direction
    /// from one product to the next (the time loop, step by step) starts each product on the part of B the previous one read
    /// last, which is still in L2 when B is larger than L2 (4 MB for an LSTM with H = 512 against a 1 MB L2): streamed in the
    /// same order every time, a B larger than the cache evicts itself and every byte comes from L3 again.
    /// </summary>
    private static void MatVecPacked<T>(ref T a, PackedPanels<T> packed, ref T c, bool add, bool descending)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int panel = 2 * Vector512<T>.Count;
        int cols = packed.Columns, k = packed.Depth, kBlock = packed.KBlock;
        int groups = cols / (4 * panel);
        int singles = (cols / panel) - (4 * groups);
        ref T b = ref packed.Start;
        if (!descending)
        {
            for (int j = 0; j < groups; j++)
            {
                Group1x8(ref a, ref b, k, kBlock, cols, j * 4 * panel, ref c, add);
            }

            for (int p = 0; p < singles; p++)
            {
                Group1x2(ref a, ref b, k, kBlock, cols, ((4 * groups) + p) * panel, ref c, add);
            }
        }
        else
        {
            for (int p = singles - 1; p >= 0; p--)
            {
                Group1x2(ref a, ref b, k, kBlock, cols, ((4 * groups) + p) * panel, ref c, add);
            }

            for (int j = groups - 1; j >= 0; j--)
            {
                Group1x8(ref a, ref b, k, kBlock, cols, j * 4 * panel, ref c, add);
            }
        }
    }

    /// <summary>
    /// Columns [j, j + 4·panel) of <see cref="MatVecPacked{T}"/>: four packed panels through every k block of depth
    /// <paramref name="kBlock"/> (block k0 of the panels starts at k0·cols, its panel p at p·kc·panel within it).
    /// </summary>
    private static void Group1x8<T>(ref T a, ref T b, int k, int kBlock, int cols, int j, ref T c, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        int panel = 2 * w;
        ref T cj = ref Unsafe.Add(ref c, j);
        var s0 = Start(ref cj, 0, add);
        var s1 = Start(ref cj, w, add);
        var s2 = Start(ref cj, 2 * w, add);
        var s3 = Start(ref cj, 3 * w, add);
        var s4 = Start(ref cj, 4 * w, add);
        var s5 = Start(ref cj, 5 * w, add);
        var s6 = Start(ref cj, 6 * w, add);
        var s7 = Start(ref cj, 7 * w, add);
        for (int k0 = 0; k0 < k; k0 += kBlock)
        {
            int kc = Math.Min(kBlock, k - k0);
            nint ps = (nint)kc * panel;
            ref T p0 = ref Unsafe.Add(ref b, ((nint)k0 * cols) + ((nint)(j / panel) * ps));
            ref T p1 = ref Unsafe.Add(ref p0, ps);
            ref T p2 = ref Unsafe.Add(ref p1, ps);
            ref T p3 = ref Unsafe.Add(ref p2, ps);
            ref T ak = ref Unsafe.Add(ref a, k0);
            nint bo = 0;
            for (int q = 0; q < kc; q++, bo += panel)
            {
                var x = Vector512.Create(Unsafe.Add(ref ak, q));
                s0 = Fma(x, Vector512.LoadUnsafe(ref p0, (nuint)bo), s0);
                s1 = Fma(x, Vector512.LoadUnsafe(ref p0, (nuint)(bo + w)), s1);
                s2 = Fma(x, Vector512.LoadUnsafe(ref p1, (nuint)bo), s2);
                s3 = Fma(x, Vector512.LoadUnsafe(ref p1, (nuint)(bo + w)), s3);
                s4 = Fma(x, Vector512.LoadUnsafe(ref p2, (nuint)bo), s4);
                s5 = Fma(x, Vector512.LoadUnsafe(ref p2, (nuint)(bo + w)), s5);
                s6 = Fma(x, Vector512.LoadUnsafe(ref p3, (nuint)bo), s6);
                s7 = Fma(x, Vector512.LoadUnsafe(ref p3, (nuint)(bo + w)), s7);
            }
        }

        s0.StoreUnsafe(ref cj, 0);
        s1.StoreUnsafe(ref cj, (nuint)w);
        s2.StoreUnsafe(ref cj, (nuint)(2 * w));
        s3.StoreUnsafe(ref cj, (nuint)(3 * w));
        s4.StoreUnsafe(ref cj, (nuint)(4 * w));
        s5.StoreUnsafe(ref cj, (nuint)(5 * w));
        s6.StoreUnsafe(ref cj, (nuint)(6 * w));
        s7.StoreUnsafe(ref cj, (nuint)(7 * w));
    }

    /// <summary>Columns [j, j + panel) of <see cref="MatVecPacked{T}"/>: one packed panel through every k block.</summary>
    private static void Group1x2<T>(ref T a, ref T b, int k, int kBlock, int cols, int j, ref T c, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        int panel = 2 * w;
        ref T cj = ref Unsafe.Add(ref c, j);
        var s0 = Start(ref cj, 0, add);
        var s1 = Start(ref cj, w, add);
        for (int k0 = 0; k0 < k; k0 += kBlock)
        {
            int kc = Math.Min(kBlock, k - k0);
            ref T p0 = ref Unsafe.Add(ref b, ((nint)k0 * cols) + ((nint)(j / panel) * kc * panel));
            ref T ak = ref Unsafe.Add(ref a, k0);
            nint bo = 0;
            for (int q = 0; q < kc; q++, bo += panel)
            {
                var x = Vector512.Create(Unsafe.Add(ref ak, q));
                s0 = Fma(x, Vector512.LoadUnsafe(ref p0, (nuint)bo), s0);
                s1 = Fma(x, Vector512.LoadUnsafe(ref p0, (nuint)(bo + w)), s1);
            }
        }

        s0.StoreUnsafe(ref cj, 0);
        s1.StoreUnsafe(ref cj, (nuint)w);
    }

    /// <summary>
    /// The recurrent product of one batch-1 step, c_h = h·B_h (<see cref="MatVecPacked{T}"/> over a B_h packed once, in the
    /// direction <paramref name="descending"/>), interleaved with part of the input projection of four later steps:
    /// C_x[r][panel p] = X[r]·B_x[·][panel p] for the four rows r of <paramref name="x"/> (row stride <paramref name="lda"/>) and
    /// the panels p ∈ [<paramref name="panelFrom"/>, <paramref name="panelTo"/>) of B_x packed once, written to
    /// <paramref name="cx"/> (row stride <paramref name="ldc"/>). The matrix–vector product is bound by the bandwidth of the
    /// stream of B_h and leaves the FMA units mostly idle; the projection is bound by the FMA units: run in the same loop, each
    /// fills the other's gaps. Every entry is the chain of roundings of <see cref="MatMul{T}"/> (κ order, fused multiply–adds,
    /// partial sums stored and reloaded exactly between k blocks). Requires B_h and B_x of the same depth, B_x's k-block depth a
    /// multiple of B_h's, and the panels in range; the caller checks <see cref="CanInterleave{T}"/>.
    /// </summary>
    public static void MatVecWithProjection<T>(ReadOnlySpan<T> h, PackedPanels<T> bh, Span<T> ch, bool descending,
        ReadOnlySpan<T> x, int lda, PackedPanels<T> bx, Span<T> cx, int ldc, int panelFrom, int panelTo, int rows = 8, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int panel = 2 * Vector512<T>.Count;
        int k = bh.Depth;
        ArgumentOutOfRangeException.ThrowIfLessThan(h.Length, k, nameof(h));
        ArgumentOutOfRangeException.ThrowIfLessThan(ch.Length, bh.Columns, nameof(ch));
        ArgumentOutOfRangeException.ThrowIfLessThan(x.Length, ((rows - 1) * lda) + k, nameof(x));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(panelTo * panel, bx.Columns, nameof(panelTo));
        ArgumentOutOfRangeException.ThrowIfLessThan(cx.Length, ((rows - 1) * ldc) + (panelTo * panel), nameof(cx));
        ref T a = ref MemoryMarshal.GetReference(h);
        ref T c = ref MemoryMarshal.GetReference(ch);
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T cxr = ref MemoryMarshal.GetReference(cx);
        int cols = bh.Columns;
        int groups = cols / (4 * panel);
        int singles = (cols / panel) - (4 * groups);
        int p = panelFrom;
        for (int u = 0; u < groups; u++)
        {
            int j = (descending ? groups - 1 - u : u) * 4 * panel;
            if (p < panelTo)
            {
                if (rows == 8)
                {
                    Group1x8WithTile8x2(ref a, bh, j, ref c, ref xr, lda, bx, p, ref cxr, ldc, accumulate);
                }
                else
                {
                    Group1x8WithTile4x2(ref a, bh, j, ref c, ref xr, lda, bx, p, ref cxr, ldc, accumulate);
                }

                p++;
            }
            else
            {
                Group1x8(ref a, ref bh.Start, k, bh.KBlock, cols, j, ref c, accumulate);
            }
        }

        for (int u = 0; u < singles; u++)
        {
            Group1x2(ref a, ref bh.Start, k, bh.KBlock, cols, ((4 * groups) + u) * panel, ref c, accumulate);
        }

        for (; p < panelTo; p++)
        {
            ProjectionPanel(ref xr, lda, bx, p, ref cxr, ldc, accumulate);
            if (rows == 8)
            {
                ProjectionPanel(ref Unsafe.Add(ref xr, 4 * (nint)lda), lda, bx, p, ref Unsafe.Add(ref cxr, 4 * (nint)ldc), ldc, accumulate);
            }
        }
    }

    /// <summary>The number of full panels (two 512-bit vectors of columns each) of a packing.</summary>
    public static int Panels<T>(PackedPanels<T> packed)
        where T : unmanaged, IFloatingPointIeee754<T> => packed.Columns / (2 * Vector512<T>.Count);

    /// <summary>Whether <see cref="MatVecWithProjection{T}"/> runs for these packings (512-bit tiles, equal depths, nested k blocks).</summary>
    public static bool CanInterleave<T>(PackedPanels<T>? bh, PackedPanels<T>? bx) =>
        bh is not null && bx is not null && bh.Depth == bx.Depth && bx.KBlock % bh.KBlock == 0;

    /// <summary>Rows 0–3 of C_x, panel p, through every k block of B_x (the 4 × 2-vector tile of the blocked product).</summary>
    private static void ProjectionPanel<T>(ref T x, int lda, PackedPanels<T> bx, int p, ref T cx, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int panel = 2 * Vector512<T>.Count;
        for (int k0 = 0; k0 < bx.Depth; k0 += bx.KBlock)
        {
            int kc = Math.Min(bx.KBlock, bx.Depth - k0);
            Tile4x2(ref Unsafe.Add(ref x, k0), lda, 1, ref Unsafe.Add(ref bx.Start, ((nint)k0 * bx.Columns) + ((nint)p * kc * panel)), panel, kc,
                ref Unsafe.Add(ref cx, (nint)p * panel), ldc, accumulate || k0 > 0);
        }
    }

    /// <summary>
    /// <see cref="Group1x8{T}"/> for columns [j, j + 4·panel) of c_h and, in the same loop over κ, the 4 × 2-vector tile of rows
    /// 0–3 of C_x and panel <paramref name="p"/> of B_x.
    /// </summary>
    private static void Group1x8WithTile4x2<T>(ref T a, PackedPanels<T> bh, int j, ref T c, ref T x, int lda, PackedPanels<T> bx, int p,
        ref T cx, int ldc, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        int panel = 2 * w;
        int k = bh.Depth, cols = bh.Columns, kBlock = bh.KBlock, xBlock = bx.KBlock, xCols = bx.Columns;
        ref T cj = ref Unsafe.Add(ref c, j);
        var s0 = Start(ref cj, 0, add);
        var s1 = Start(ref cj, w, add);
        var s2 = Start(ref cj, 2 * w, add);
        var s3 = Start(ref cj, 3 * w, add);
        var s4 = Start(ref cj, 4 * w, add);
        var s5 = Start(ref cj, 5 * w, add);
        var s6 = Start(ref cj, 6 * w, add);
        var s7 = Start(ref cj, 7 * w, add);
        ref T x1 = ref Unsafe.Add(ref x, lda);
        ref T x2 = ref Unsafe.Add(ref x1, lda);
        ref T x3 = ref Unsafe.Add(ref x2, lda);
        ref T cp = ref Unsafe.Add(ref cx, (nint)p * panel);
        nint c1 = ldc, c2 = 2 * (nint)ldc, c3 = 3 * (nint)ldc;
        var t00 = Start(ref cp, 0, add);
        var t01 = Start(ref cp, w, add);
        var t10 = Start(ref cp, c1, add);
        var t11 = Start(ref cp, c1 + w, add);
        var t20 = Start(ref cp, c2, add);
        var t21 = Start(ref cp, c2 + w, add);
        var t30 = Start(ref cp, c3, add);
        var t31 = Start(ref cp, c3 + w, add);
        for (int k0 = 0; k0 < k; k0 += kBlock)
        {
            int kc = Math.Min(kBlock, k - k0);
            nint ps = (nint)kc * panel;
            ref T p0 = ref Unsafe.Add(ref bh.Start, ((nint)k0 * cols) + ((nint)(j / panel) * ps));
            ref T p1 = ref Unsafe.Add(ref p0, ps);
            ref T p2 = ref Unsafe.Add(ref p1, ps);
            ref T p3 = ref Unsafe.Add(ref p2, ps);
            int xb = k0 / xBlock * xBlock;
            int xkc = Math.Min(xBlock, k - xb);
            ref T y = ref Unsafe.Add(ref bx.Start, ((nint)xb * xCols) + ((nint)p * xkc * panel) + ((nint)(k0 - xb) * panel));
            nint bo = 0;
            for (int q = 0; q < kc; q++, bo += panel)
            {
                int kq = k0 + q;
                var hb = Vector512.Create(Unsafe.Add(ref a, kq));
                s0 = Fma(hb, Vector512.LoadUnsafe(ref p0, (nuint)bo), s0);
                s1 = Fma(hb, Vector512.LoadUnsafe(ref p0, (nuint)(bo + w)), s1);
                s2 = Fma(hb, Vector512.LoadUnsafe(ref p1, (nuint)bo), s2);
                s3 = Fma(hb, Vector512.LoadUnsafe(ref p1, (nuint)(bo + w)), s3);
                s4 = Fma(hb, Vector512.LoadUnsafe(ref p2, (nuint)bo), s4);
                s5 = Fma(hb, Vector512.LoadUnsafe(ref p2, (nuint)(bo + w)), s5);
                s6 = Fma(hb, Vector512.LoadUnsafe(ref p3, (nuint)bo), s6);
                s7 = Fma(hb, Vector512.LoadUnsafe(ref p3, (nuint)(bo + w)), s7);
                var y0 = Vector512.LoadUnsafe(ref y, (nuint)bo);
                var y1 = Vector512.LoadUnsafe(ref y, (nuint)(bo + w));
                var xq = Vector512.Create(Unsafe.Add(ref x, kq));
                t00 = Fma(xq, y0, t00);
                t01 = Fma(xq, y1, t01);
                xq = Vector512.Create(Unsafe.Add(ref x1, kq));
                t10 = Fma(xq, y0, t10);
                t11 = Fma(xq, y1, t11);
                xq = Vector512.Create(Unsafe.Add(ref x2, kq));
                t20 = Fma(xq, y0, t20);
                t21 = Fma(xq, y1, t21);
                xq = Vector512.Create(Unsafe.Add(ref x3, kq));
                t30 = Fma(xq, y0, t30);
                t31 = Fma(xq, y1, t31);
            }
        }

        s0.StoreUnsafe(ref cj, 0);
        s1.StoreUnsafe(ref cj, (nuint)w);
        s2.StoreUnsafe(ref cj, (nuint)(2 * w));
        s3.StoreUnsafe(ref cj, (nuint)(3 * w));
        s4.StoreUnsafe(ref cj, (nuint)(4 * w));
        s5.StoreUnsafe(ref cj, (nuint)(5 * w));
        s6.StoreUnsafe(ref cj, (nuint)(6 * w));
        s7.StoreUnsafe(ref cj, (nuint)(7 * w));
        t00.StoreUnsafe(ref cp, 0);
        t01.StoreUnsafe(ref cp, (nuint)w);
        t10.StoreUnsafe(ref cp, (nuint)c1);
        t11.StoreUnsafe(ref cp, (nuint)(c1 + w));
        t20.StoreUnsafe(ref cp, (nuint)c2);
        t21.StoreUnsafe(ref cp, (nuint)(c2 + w));
        t30.StoreUnsafe(ref cp, (nuint)c3);
        t31.StoreUnsafe(ref cp, (nuint)(c3 + w));
    }

    /// <summary>
    /// <see cref="Group1x8{T}"/> for columns [j, j + 4·panel) of c_h and, in the same loop over κ, the 8 × 2-vector tile of rows
    /// 0–7 of C_x and panel <paramref name="p"/> of B_x.
    /// </summary>
    private static void Group1x8WithTile8x2<T>(ref T a, PackedPanels<T> bh, int j, ref T c, ref T x, int lda, PackedPanels<T> bx, int p,
        ref T cx, int ldc, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        int panel = 2 * w;
        int k = bh.Depth, cols = bh.Columns, kBlock = bh.KBlock, xBlock = bx.KBlock, xCols = bx.Columns;
        ref T cj = ref Unsafe.Add(ref c, j);
        var s0 = Start(ref cj, 0, add);
        var s1 = Start(ref cj, w, add);
        var s2 = Start(ref cj, 2 * w, add);
        var s3 = Start(ref cj, 3 * w, add);
        var s4 = Start(ref cj, 4 * w, add);
        var s5 = Start(ref cj, 5 * w, add);
        var s6 = Start(ref cj, 6 * w, add);
        var s7 = Start(ref cj, 7 * w, add);
        ref T x1 = ref Unsafe.Add(ref x, lda);
        ref T x2 = ref Unsafe.Add(ref x1, lda);
        ref T x3 = ref Unsafe.Add(ref x2, lda);
        ref T x4 = ref Unsafe.Add(ref x3, lda);
        ref T x5 = ref Unsafe.Add(ref x4, lda);
        ref T x6 = ref Unsafe.Add(ref x5, lda);
        ref T x7 = ref Unsafe.Add(ref x6, lda);
        ref T cp = ref Unsafe.Add(ref cx, (nint)p * panel);
        nint c1 = ldc, c2 = 2 * (nint)ldc, c3 = 3 * (nint)ldc, c4 = 4 * (nint)ldc, c5 = 5 * (nint)ldc, c6 = 6 * (nint)ldc, c7 = 7 * (nint)ldc;
        var t00 = Start(ref cp, 0, add);
        var t01 = Start(ref cp, w, add);
        var t10 = Start(ref cp, c1, add);
        var t11 = Start(ref cp, c1 + w, add);
        var t20 = Start(ref cp, c2, add);
        var t21 = Start(ref cp, c2 + w, add);
        var t30 = Start(ref cp, c3, add);
        var t31 = Start(ref cp, c3 + w, add);
        var t40 = Start(ref cp, c4, add);
        var t41 = Start(ref cp, c4 + w, add);
        var t50 = Start(ref cp, c5, add);
        var t51 = Start(ref cp, c5 + w, add);
        var t60 = Start(ref cp, c6, add);
        var t61 = Start(ref cp, c6 + w, add);
        var t70 = Start(ref cp, c7, add);
        var t71 = Start(ref cp, c7 + w, add);
        for (int k0 = 0; k0 < k; k0 += kBlock)
        {
            int kc = Math.Min(kBlock, k - k0);
            nint ps = (nint)kc * panel;
            ref T p0 = ref Unsafe.Add(ref bh.Start, ((nint)k0 * cols) + ((nint)(j / panel) * ps));
            ref T p1 = ref Unsafe.Add(ref p0, ps);
            ref T p2 = ref Unsafe.Add(ref p1, ps);
            ref T p3 = ref Unsafe.Add(ref p2, ps);
            int xb = k0 / xBlock * xBlock;
            int xkc = Math.Min(xBlock, k - xb);
            ref T y = ref Unsafe.Add(ref bx.Start, ((nint)xb * xCols) + ((nint)p * xkc * panel) + ((nint)(k0 - xb) * panel));
            nint bo = 0;
            for (int q = 0; q < kc; q++, bo += panel)
            {
                int kq = k0 + q;
                var hb = Vector512.Create(Unsafe.Add(ref a, kq));
                s0 = Fma(hb, Vector512.LoadUnsafe(ref p0, (nuint)bo), s0);
                s1 = Fma(hb, Vector512.LoadUnsafe(ref p0, (nuint)(bo + w)), s1);
                s2 = Fma(hb, Vector512.LoadUnsafe(ref p1, (nuint)bo), s2);
                s3 = Fma(hb, Vector512.LoadUnsafe(ref p1, (nuint)(bo + w)), s3);
                s4 = Fma(hb, Vector512.LoadUnsafe(ref p2, (nuint)bo), s4);
                s5 = Fma(hb, Vector512.LoadUnsafe(ref p2, (nuint)(bo + w)), s5);
                s6 = Fma(hb, Vector512.LoadUnsafe(ref p3, (nuint)bo), s6);
                s7 = Fma(hb, Vector512.LoadUnsafe(ref p3, (nuint)(bo + w)), s7);
                var y0 = Vector512.LoadUnsafe(ref y, (nuint)bo);
                var y1 = Vector512.LoadUnsafe(ref y, (nuint)(bo + w));
                var xq = Vector512.Create(Unsafe.Add(ref x, kq));
                t00 = Fma(xq, y0, t00);
                t01 = Fma(xq, y1, t01);
                xq = Vector512.Create(Unsafe.Add(ref x1, kq));
                t10 = Fma(xq, y0, t10);
                t11 = Fma(xq, y1, t11);
                xq = Vector512.Create(Unsafe.Add(ref x2, kq));
                t20 = Fma(xq, y0, t20);
                t21 = Fma(xq, y1, t21);
                xq = Vector512.Create(Unsafe.Add(ref x3, kq));
                t30 = Fma(xq, y0, t30);
                t31 = Fma(xq, y1, t31);
                xq = Vector512.Create(Unsafe.Add(ref x4, kq));
                t40 = Fma(xq, y0, t40);
                t41 = Fma(xq, y1, t41);
                xq = Vector512.Create(Unsafe.Add(ref x5, kq));
                t50 = Fma(xq, y0, t50);
                t51 = Fma(xq, y1, t51);
                xq = Vector512.Create(Unsafe.Add(ref x6, kq));
                t60 = Fma(xq, y0, t60);
                t61 = Fma(xq, y1, t61);
                xq = Vector512.Create(Unsafe.Add(ref x7, kq));
                t70 = Fma(xq, y0, t70);
                t71 = Fma(xq, y1, t71);
            }
        }

        s0.StoreUnsafe(ref cj, 0);
        s1.StoreUnsafe(ref cj, (nuint)w);
        s2.StoreUnsafe(ref cj, (nuint)(2 * w));
        s3.StoreUnsafe(ref cj, (nuint)(3 * w));
        s4.StoreUnsafe(ref cj, (nuint)(4 * w));
        s5.StoreUnsafe(ref cj, (nuint)(5 * w));
        s6.StoreUnsafe(ref cj, (nuint)(6 * w));
        s7.StoreUnsafe(ref cj, (nuint)(7 * w));
        t00.StoreUnsafe(ref cp, 0);
        t01.StoreUnsafe(ref cp, (nuint)w);
        t10.StoreUnsafe(ref cp, (nuint)c1);
        t11.StoreUnsafe(ref cp, (nuint)(c1 + w));
        t20.StoreUnsafe(ref cp, (nuint)c2);
        t21.StoreUnsafe(ref cp, (nuint)(c2 + w));
        t30.StoreUnsafe(ref cp, (nuint)c3);
        t31.StoreUnsafe(ref cp, (nuint)(c3 + w));
        t40.StoreUnsafe(ref cp, (nuint)c4);
        t41.StoreUnsafe(ref cp, (nuint)(c4 + w));
        t50.StoreUnsafe(ref cp, (nuint)c5);
        t51.StoreUnsafe(ref cp, (nuint)(c5 + w));
        t60.StoreUnsafe(ref cp, (nuint)c6);
        t61.StoreUnsafe(ref cp, (nuint)(c6 + w));
        t70.StoreUnsafe(ref cp, (nuint)c7);
        t71.StoreUnsafe(ref cp, (nuint)(c7 + w));
    }

    /// <summary>Bytes of a row block of C (<see cref="MBlock"/> rows) up to which the k blocks run inside the row block.</summary>
    private const int RowBlockBytes = 256 * 1024;

    /// <summary>
    /// The packing buffers of the calling thread, each grown to the largest size seen and kept for the thread's lifetime (B: at
    /// most 128 × G·H, or 512 × max(In, H) for a transposed A, elements per element type: 1 MB for a float LSTM with H = 512;
    /// a second B for the paired weight-gradient product; a transposed A's row block: at most 96 × 512), so that the products of
    /// a time loop never allocate once the first step has run. Not a shared pool: the shared <c>ArrayPool</c> trims its buffers
    /// on garbage collections and would allocate again.
    /// </summary>
    private static class PackBuffer<T>
    {
        [ThreadStatic]
        private static AlignedArray<T>?[]? t_buffers;

        /// <summary>Buffer <paramref name="slot"/> (0: B, 1: a second B, 2: a transposed A's row block) of at least <paramref name="length"/>.</summary>
        public static Span<T> Get(int slot, int length)
        {
            var all = t_buffers ??= new AlignedArray<T>?[3];
            var b = all[slot];
            if (b is null || b.Length < length)
            {
                all[slot] = b = new AlignedArray<T>(length);
            }

            return b.Span;
        }
    }

    /// <summary>
    /// dst[q·n + i] = src[q·stride + i] for q &lt; kc, i &lt; n, and, unless <paramref name="sums"/> is empty, sums[i] += each
    /// copied row in q order (one rounded addition per element and row, the chain of a row-by-row sum).
    /// </summary>
    private static void CopyRows<T>(ref T src, int stride, int n, int kc, Span<T> dst, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (sums.IsEmpty)
        {
            for (int q = 0; q < kc; q++)
            {
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref src, (nint)q * stride), n).CopyTo(dst.Slice(q * n, n));
            }

            return;
        }

        // Row by row, as the plain copy (sequential in each row, the sums stay in L1): every element's additions in q order.
        ref T d = ref MemoryMarshal.GetReference(dst);
        ref T sm = ref MemoryMarshal.GetReference(sums);
        int w = Vector512<T>.Count, vectors = Vector512.IsHardwareAccelerated ? n - (n % w) : 0;
        for (int q = 0; q < kc; q++)
        {
            ref T row = ref Unsafe.Add(ref src, (nint)q * stride);
            ref T to = ref Unsafe.Add(ref d, (nint)q * n);
            int i = 0;
            for (; i < vectors; i += w)
            {
                var v = Vector512.LoadUnsafe(ref row, (nuint)i);
                v.StoreUnsafe(ref to, (nuint)i);
                (Vector512.LoadUnsafe(ref sm, (nuint)i) + v).StoreUnsafe(ref sm, (nuint)i);
            }

            for (; i < n; i++)
            {
                T v = Unsafe.Add(ref row, i);
                Unsafe.Add(ref to, i) = v;
                Unsafe.Add(ref sm, i) += v;
            }
        }
    }

    /// <summary>Rows of A from which packing B pays for itself (below it, every element of B is read only a few times).</summary>
    private const int PackRows = 8;

    /// <summary>Where the panel of columns [j, j + panel) starts: in B itself, or in the packed copy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref T PanelStart<T>(ref T bk, int j, int kc, int panel, bool packed) =>
        ref Unsafe.Add(ref bk, packed ? (nint)(j / panel) * kc * panel : j);

    /// <summary>dst[(j / panel)·kc·panel + q·panel + (j mod panel)] = B[q][j] for q &lt; kc, j &lt; cols.</summary>
    private static void Pack<T>(ref T b, int ldb, int kc, int cols, int panel, Span<T> d)
    {
        for (int q = 0; q < kc; q++)
        {
            ReadOnlySpan<T> row = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref b, (nint)q * ldb), cols);
            for (int j = 0; j < cols; j += panel)
            {
                row.Slice(j, panel).CopyTo(d.Slice(((j / panel) * kc * panel) + (q * panel), panel));
            }
        }
    }

    /// <summary>
    /// B = [k][cols] (row stride <paramref name="ldb"/>) packed once into the panels of every k block (of depth
    /// <paramref name="kBlock"/>, which the products with it then use), for a B that does not
    /// change between products (W_hᵀ of the time loop), so that the per-step products skip the packing copy. Null when the
    /// blocked path does not run on this machine or B has no full panel. Only the copy is saved: the arithmetic, and so every
    /// result bit, is the same as with per-call packing.
    /// </summary>
    public static PackedPanels<T>? PackOnce<T>(ReadOnlySpan<T> b, int k, int ldb, int cols, int kBlock = KBlock)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double))) || k == 0)
        {
            return null;
        }

        int panel = 2 * Vector512<T>.Count;
        int tiled = cols / panel * panel;
        if (tiled == 0)
        {
            return null;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(b.Length, ((k - 1) * ldb) + cols, nameof(b));
        var data = new AlignedArray<T>(k * tiled);
        ref T b0 = ref MemoryMarshal.GetReference(b);
        for (int k0 = 0; k0 < k; k0 += kBlock)
        {
            int kc = Math.Min(kBlock, k - k0);
            Pack(ref Unsafe.Add(ref b0, (nint)k0 * ldb), ldb, kc, tiled, panel, data.Span.Slice(k0 * tiled, kc * tiled));
        }

        return new PackedPanels<T>(data, k, tiled, kBlock);
    }

    /// <summary>a·b + c, fused (one rounding) for float and double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }

        return (a * b) + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Start<T>(ref T c, nint at, bool add)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        add ? Vector512.LoadUnsafe(ref c, (nuint)at) : Vector512<T>.Zero;

    /// <summary>
    /// Register tile: rows r..r+3 of C, two vectors of columns; per κ two loads of B and four broadcasts of A feed eight FMAs.
    /// A's rows are <paramref name="rs"/> apart and its depth steps <paramref name="ks"/> apart.
    /// </summary>
    private static void Tile4x2<T>(ref T a, int rs, int ks, ref T b, int ldb, int kc, ref T c, int ldc, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        ref T a1 = ref Unsafe.Add(ref a, rs);
        ref T a2 = ref Unsafe.Add(ref a1, rs);
        ref T a3 = ref Unsafe.Add(ref a2, rs);
        nint c1 = ldc, c2 = 2 * (nint)ldc, c3 = 3 * (nint)ldc;
        var s00 = Start(ref c, 0, add);
        var s01 = Start(ref c, w, add);
        var s10 = Start(ref c, c1, add);
        var s11 = Start(ref c, c1 + w, add);
        var s20 = Start(ref c, c2, add);
        var s21 = Start(ref c, c2 + w, add);
        var s30 = Start(ref c, c3, add);
        var s31 = Start(ref c, c3 + w, add);
        nint bo = 0, ao = 0;
        for (int q = 0; q < kc; q++, bo += ldb, ao += ks)
        {
            var y0 = Vector512.LoadUnsafe(ref b, (nuint)bo);
            var y1 = Vector512.LoadUnsafe(ref b, (nuint)(bo + w));
            var x = Vector512.Create(Unsafe.Add(ref a, ao));
            s00 = Fma(x, y0, s00);
            s01 = Fma(x, y1, s01);
            x = Vector512.Create(Unsafe.Add(ref a1, ao));
            s10 = Fma(x, y0, s10);
            s11 = Fma(x, y1, s11);
            x = Vector512.Create(Unsafe.Add(ref a2, ao));
            s20 = Fma(x, y0, s20);
            s21 = Fma(x, y1, s21);
            x = Vector512.Create(Unsafe.Add(ref a3, ao));
            s30 = Fma(x, y0, s30);
            s31 = Fma(x, y1, s31);
        }

        s00.StoreUnsafe(ref c, 0);
        s01.StoreUnsafe(ref c, (nuint)w);
        s10.StoreUnsafe(ref c, (nuint)c1);
        s11.StoreUnsafe(ref c, (nuint)(c1 + w));
        s20.StoreUnsafe(ref c, (nuint)c2);
        s21.StoreUnsafe(ref c, (nuint)(c2 + w));
        s30.StoreUnsafe(ref c, (nuint)c3);
        s31.StoreUnsafe(ref c, (nuint)(c3 + w));
    }

    /// <summary>Register tile: one row of C, two vectors of columns (A's depth steps <paramref name="ks"/> apart).</summary>
    private static void Tile1x2<T>(ref T a, int ks, ref T b, int ldb, int kc, ref T c, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        var s0 = Start(ref c, 0, add);
        var s1 = Start(ref c, w, add);
        nint bo = 0, ao = 0;
        for (int q = 0; q < kc; q++, bo += ldb, ao += ks)
        {
            var x = Vector512.Create(Unsafe.Add(ref a, ao));
            s0 = Fma(x, Vector512.LoadUnsafe(ref b, (nuint)bo), s0);
            s1 = Fma(x, Vector512.LoadUnsafe(ref b, (nuint)(bo + w)), s1);
        }

        s0.StoreUnsafe(ref c, 0);
        s1.StoreUnsafe(ref c, (nuint)w);
    }

    /// <summary>Register tile: one row of C, eight vectors of columns (the matrix–vector product of batch 1).</summary>
    private static void Tile1x8<T>(ref T a, ref T b, int ldb, int kc, ref T c, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        var s0 = Start(ref c, 0, add);
        var s1 = Start(ref c, w, add);
        var s2 = Start(ref c, 2 * w, add);
        var s3 = Start(ref c, 3 * w, add);
        var s4 = Start(ref c, 4 * w, add);
        var s5 = Start(ref c, 5 * w, add);
        var s6 = Start(ref c, 6 * w, add);
        var s7 = Start(ref c, 7 * w, add);
        nint bo = 0;
        for (int q = 0; q < kc; q++, bo += ldb)
        {
            var x = Vector512.Create(Unsafe.Add(ref a, q));
            ref T y = ref Unsafe.Add(ref b, bo);
            s0 = Fma(x, Vector512.LoadUnsafe(ref y), s0);
            s1 = Fma(x, Vector512.LoadUnsafe(ref y, (nuint)w), s1);
            s2 = Fma(x, Vector512.LoadUnsafe(ref y, (nuint)(2 * w)), s2);
            s3 = Fma(x, Vector512.LoadUnsafe(ref y, (nuint)(3 * w)), s3);
            s4 = Fma(x, Vector512.LoadUnsafe(ref y, (nuint)(4 * w)), s4);
            s5 = Fma(x, Vector512.LoadUnsafe(ref y, (nuint)(5 * w)), s5);
            s6 = Fma(x, Vector512.LoadUnsafe(ref y, (nuint)(6 * w)), s6);
            s7 = Fma(x, Vector512.LoadUnsafe(ref y, (nuint)(7 * w)), s7);
        }

        s0.StoreUnsafe(ref c, 0);
        s1.StoreUnsafe(ref c, (nuint)w);
        s2.StoreUnsafe(ref c, (nuint)(2 * w));
        s3.StoreUnsafe(ref c, (nuint)(3 * w));
        s4.StoreUnsafe(ref c, (nuint)(4 * w));
        s5.StoreUnsafe(ref c, (nuint)(5 * w));
        s6.StoreUnsafe(ref c, (nuint)(6 * w));
        s7.StoreUnsafe(ref c, (nuint)(7 * w));
    }

    /// <summary>
    /// Register tile: one row of C against four consecutive packed panels (eight vectors of columns), each panel read as one
    /// sequential stream of kc × 2 vectors; the same κ order and fused multiply–adds per entry as <see cref="Tile1x2{T}"/>.
    /// </summary>
    private static void Tile1x8Packed<T>(ref T a, ref T b, int kc, ref T c, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        int panel = 2 * w;
        nint ps = (nint)kc * panel;
        ref T p0 = ref b;
        ref T p1 = ref Unsafe.Add(ref b, ps);
        ref T p2 = ref Unsafe.Add(ref p1, ps);
        ref T p3 = ref Unsafe.Add(ref p2, ps);
        var s0 = Start(ref c, 0, add);
        var s1 = Start(ref c, w, add);
        var s2 = Start(ref c, 2 * w, add);
        var s3 = Start(ref c, 3 * w, add);
        var s4 = Start(ref c, 4 * w, add);
        var s5 = Start(ref c, 5 * w, add);
        var s6 = Start(ref c, 6 * w, add);
        var s7 = Start(ref c, 7 * w, add);
        nint bo = 0;
        for (int q = 0; q < kc; q++, bo += panel)
        {
            var x = Vector512.Create(Unsafe.Add(ref a, q));
            s0 = Fma(x, Vector512.LoadUnsafe(ref p0, (nuint)bo), s0);
            s1 = Fma(x, Vector512.LoadUnsafe(ref p0, (nuint)(bo + w)), s1);
            s2 = Fma(x, Vector512.LoadUnsafe(ref p1, (nuint)bo), s2);
            s3 = Fma(x, Vector512.LoadUnsafe(ref p1, (nuint)(bo + w)), s3);
            s4 = Fma(x, Vector512.LoadUnsafe(ref p2, (nuint)bo), s4);
            s5 = Fma(x, Vector512.LoadUnsafe(ref p2, (nuint)(bo + w)), s5);
            s6 = Fma(x, Vector512.LoadUnsafe(ref p3, (nuint)bo), s6);
            s7 = Fma(x, Vector512.LoadUnsafe(ref p3, (nuint)(bo + w)), s7);
        }

        s0.StoreUnsafe(ref c, 0);
        s1.StoreUnsafe(ref c, (nuint)w);
        s2.StoreUnsafe(ref c, (nuint)(2 * w));
        s3.StoreUnsafe(ref c, (nuint)(3 * w));
        s4.StoreUnsafe(ref c, (nuint)(4 * w));
        s5.StoreUnsafe(ref c, (nuint)(5 * w));
        s6.StoreUnsafe(ref c, (nuint)(6 * w));
        s7.StoreUnsafe(ref c, (nuint)(7 * w));
    }
}

/// <summary>A matrix packed once by <see cref="Kernels.PackOnce{T}"/>: its panels, the depth k and the tiled column count.</summary>
internal sealed class PackedPanels<T>(AlignedArray<T> data, int depth, int columns, int kBlock)
{
    /// <summary>The depth of each k block the panels were packed in (the product runs its k blocks with it).</summary>
    public int KBlock { get; } = kBlock;

    /// <summary>The panels, k block after k block.</summary>
    public AlignedArray<T> Data { get; } = data;

    /// <summary>The first element of the panels (64-byte aligned).</summary>
    public ref T Start => ref Data.Start;

    /// <summary>k, the rows of B.</summary>
    public int Depth { get; } = depth;

    /// <summary>The columns covered by full panels.</summary>
    public int Columns { get; } = columns;
}

/// <summary>
/// A buffer of <see cref="Length"/> elements whose first element is 64-byte aligned (one cache line, one 512-bit vector), so
/// that the full-width loads of the product's panels never straddle two cache lines. It is carved out of a slightly longer
/// array on the pinned object heap, which the garbage collector never moves, so the alignment holds for its lifetime.
/// </summary>
internal sealed class AlignedArray<T>
{
    private const int Alignment = 64;
    private readonly T[] _array;
    private readonly int _offset;

    /// <summary>Allocates <paramref name="length"/> zeroed elements.</summary>
    public AlignedArray(int length)
    {
        int size = Unsafe.SizeOf<T>();
        _array = GC.AllocateArray<T>(length + (Alignment / size), pinned: true);
        nint address;
        unsafe
        {
            address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
        }

        _offset = (int)((Alignment - (address % Alignment)) % Alignment) / size;
        Length = length;
    }

    /// <summary>The number of usable elements.</summary>
    public int Length { get; }

    /// <summary>The usable elements.</summary>
    public Span<T> Span => _array.AsSpan(_offset, Length);

    /// <summary>The first usable element.</summary>
    public ref T Start => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_array), _offset);
}
