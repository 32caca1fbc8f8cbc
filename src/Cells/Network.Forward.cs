using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnVerify.Cells;

public sealed partial class Network<T>
{
    /// <summary>
    /// Runs the network over a batch of sequences.
    /// <para>Per layer and direction, at each valid step t &lt; len_b (in processing order: forward t = 0…len−1, reverse
    /// t = len−1…0): RNN h_t = f(W_x x_t + b_x + W_h h_{t−1} + b_h); LSTM and GRU as in docs/cells.md. At padded steps the state
    /// is kept and the output follows <see cref="CellSpec.Padding"/>. Layer l &gt; 0 reads concat(forward, reverse) outputs of layer l − 1.</para>
    /// </summary>
    /// <param name="batch">B ≥ 1.</param>
    /// <param name="x">Input [T][B][InputSize]; its length fixes T ≥ 1.</param>
    /// <param name="seqLens">Length per batch entry [B], 0 ≤ len ≤ T; empty means every entry has length T.</param>
    /// <param name="h0">Initial hidden states [L·D][B][H]; empty means zeros.</param>
    /// <param name="c0">LSTM initial cell states [L·D][B][H]; empty means zeros (must be empty for RNN and GRU).</param>
    /// <param name="y">Destination [T][B][D·H] of the last layer's outputs (reverse direction ordered per
    /// <see cref="CellSpec.ReverseOrder"/>); empty to skip.</param>
    /// <param name="hN">Destination [L·D][B][H]: hidden state after each entry's last valid step; empty to skip.</param>
    /// <param name="cN">Destination [L·D][B][H]: LSTM cell state likewise; empty to skip.</param>
    /// <exception cref="ArgumentException">A span has a length inconsistent with the spec, <paramref name="batch"/> and T.</exception>
    public void Forward(int batch, ReadOnlySpan<T> x, ReadOnlySpan<int> seqLens, ReadOnlySpan<T> h0, ReadOnlySpan<T> c0,
        Span<T> y, Span<T> hN, Span<T> cN)
    {
        var ws = Prepare(batch, x.Length, seqLens, h0.Length, c0.Length, out int steps);
        CheckOutputs(steps, batch, y.Length, hN.Length, cN.Length);
        ForwardCore(ws, x, h0, c0);
        WriteUserOutput(ws, y);
        CopyStates(ws, hN, cN);
    }

    private void CheckOutputs(int steps, int batch, int yLength, int hNLength, int cNLength)
    {
        if (yLength != 0)
        {
            ThrowHelper.CheckLength("y", yLength, "steps·batch·directions·hiddenSize", steps * batch * D * H);
        }

        int states = Spec.NumLayers * D * batch * H;
        if (hNLength != 0)
        {
            ThrowHelper.CheckLength("hN", hNLength, "numLayers·directions·batch·hiddenSize", states);
        }

        if (cNLength != 0)
        {
            if (Spec.Kind != CellKind.Lstm)
            {
                ThrowHelper.ThrowInvalid("cN", $"has length {cNLength}, but only an LSTM has a cell state (pass an empty span)");
            }

            ThrowHelper.CheckLength("cN", cNLength, "numLayers·directions·batch·hiddenSize", states);
        }
    }

    private void CopyStates(Workspace<T> ws, Span<T> hN, Span<T> cN)
    {
        int bh = ws.Batch * H;
        for (int ld = 0; ld < ws.Tapes.Length; ld++)
        {
            if (!hN.IsEmpty)
            {
                ws.Tapes[ld].H.CopyTo(hN.Slice(ld * bh, bh));
            }

            if (!cN.IsEmpty)
            {
                ws.Tapes[ld].C.CopyTo(cN.Slice(ld * bh, bh));
            }
        }
    }

    /// <summary>Forward pass recording the tape; leaves final states in the tapes and each layer's output in Out.</summary>
    private void ForwardCore(Workspace<T> ws, ReadOnlySpan<T> x, ReadOnlySpan<T> h0, ReadOnlySpan<T> c0)
    {
        int steps = ws.Steps;
        int batch = ws.Batch;
        int h = H;
        int g = Spec.Gates * h;
        int dh = D * h;
        int bh = batch * h;
        for (int l = 0; l < Spec.NumLayers; l++)
        {
            ReadOnlySpan<T> input = l == 0 ? x : ws.Out[l - 1];
            Span<T> output = ws.Out[l];
            for (int d = 0; d < D; d++)
            {
                int ld = (l * D) + d;
                var p = _params[ld];
                var tape = ws.Tapes[ld];

                // Input projection for every step at once: Pre[t][b] = W_x x_t,b; the bias is added step by step below (by the
                // fused pass itself where it runs, so that Pre is not swept once more). At batch 1 with a large W_h, only the
                // rows of the first and the last (partial) block of steps: the other blocks are computed inside the recurrent
                // products of the block before them (InterleaveBlocks).
                int blocks = InterleaveBlocks(batch, steps, p);
                if (blocks == 0)
                {
                    Kernels.MatMul(input, steps * batch, p.InputSize, p.InputSize, p.WxT, g, g, tape.Pre, g, accumulate: false, p.WxTPacked);
                }
                else
                {
                    int tail = steps - (blocks * InterleaveRows);
                    int first = d == 0 ? 0 : steps - InterleaveRows, last = d == 0 ? steps - tail : 0;
                    Kernels.MatMul(input.Slice(first * p.InputSize), InterleaveRows, p.InputSize, p.InputSize, p.WxT, g, g,
                        tape.Pre.AsSpan(first * g), g, accumulate: false, p.WxTPacked);
                    Kernels.MatMul(input.Slice(last * p.InputSize), tail, p.InputSize, p.InputSize, p.WxT, g, g,
                        tape.Pre.AsSpan(last * g), g, accumulate: false, p.WxTPacked);
                }

                if (h0.IsEmpty)
                {
                    Array.Clear(tape.H);
                }
                else
                {
                    h0.Slice(ld * bh, bh).CopyTo(tape.H);
                }

                if (Spec.Kind == CellKind.Lstm)
                {
                    if (c0.IsEmpty)
                    {
                        Array.Clear(tape.C);
                    }
                    else
                    {
                        c0.Slice(ld * bh, bh).CopyTo(tape.C);
                    }
                }

                for (int s = 0; s < steps; s++)
                {
                    int t = d == 0 ? s : steps - 1 - s;
                    if (!IsFusedStep(ws, p, t))
                    {
                        for (int r = t * batch; r < (t + 1) * batch; r++)
                        {
                            Span<T> row = tape.Pre.AsSpan(r * g, g);
                            TensorPrimitives.Add(row, p.ProjectionBias, row);
                        }
                    }

                    // Block m = s / R + 1 of the projection (R = InterleaveRows steps), a R-th of its columns per step of block m − 1.
                    bool recurrentDone = false;
                    int next = (s / InterleaveRows) + 1;
                    if (next < blocks)
                    {
                        int row0 = d == 0 ? next * InterleaveRows : steps - ((next + 1) * InterleaveRows);
                        int panels = Kernels.Panels(p.WxTPacked!), share = s % InterleaveRows;
                        Kernels.MatVecWithProjection<T>(tape.H, p.WhTPacked!, ws.Rec, Alternate(t), input.Slice(row0 * p.InputSize), p.InputSize,
                            p.WxTPacked!, tape.Pre.AsSpan(row0 * g), g, panels * share / InterleaveRows, panels * (share + 1) / InterleaveRows, InterleaveRows);
                        recurrentDone = true;
                    }

                    switch (Spec.Kind)
                    {
                        case CellKind.Lstm:
                            LstmStep(ws, p, tape, t, recurrentDone);
                            break;
                        case CellKind.Gru:
                            GruStep(ws, p, tape, t, recurrentDone);
                            break;
                        default:
                            RnnStep(ws, p, tape, t, recurrentDone);
                            break;
                    }

                    bool carry = Spec.Padding == PaddingReading.CarryLast;
                    for (int b = 0; b < batch; b++)
                    {
                        Span<T> dst = output.Slice((((t * batch) + b) * dh) + (d * h), h);
                        if (t < ws.Lens[b] || carry)
                        {
                            tape.H.AsSpan(b * h, h).CopyTo(dst);
                        }
                        else
                        {
                            dst.Clear();
                        }
                    }
                }
            }
        }

    }

    /// <summary>
    /// <paramref name="y"/> (unless empty) = last layer's output with the reverse direction reordered per
    /// <see cref="CellSpec.ReverseOrder"/>: written straight into the caller's array (a second copy of [T·B][D·H] through a
    /// workspace array cost about 1 % of a batch-64 forward) and not at all by the backward, which does not need it.
    /// </summary>
    private void WriteUserOutput(Workspace<T> ws, Span<T> y)
    {
        if (y.IsEmpty)
        {
            return;
        }

        var top = ws.Out[Spec.NumLayers - 1];
        top.CopyTo(y);
        if (D == 1 || Spec.ReverseOrder == ReverseOutputOrder.TimeAligned)
        {
            return;
        }

        int steps = ws.Steps;
        int batch = ws.Batch;
        int h = H;
        int dh = 2 * h;
        var rev = ws.Tapes[((Spec.NumLayers - 1) * 2) + 1];
        for (int b = 0; b < batch; b++)
        {
            int len = ws.Lens[b];
            for (int k = 0; k < steps; k++)
            {
                Span<T> dst = y.Slice((((k * batch) + b) * dh) + h, h);
                if (k < len)
                {
                    top.AsSpan((((len - 1 - k) * batch) + b) * dh + h, h).CopyTo(dst);
                }
                else if (Spec.Padding == PaddingReading.CarryLast)
                {
                    rev.H.AsSpan(b * h, h).CopyTo(dst);
                }
                else
                {
                    dst.Clear();
                }
            }
        }
    }

    /// <summary>Steps per block of the input projection computed inside the recurrent products at batch 1 (rows of its tile).</summary>
    private const int InterleaveRows = 8;

    /// <summary>Bytes of the packed W_hᵀ from which the projection is interleaved (below it, W_h stays in L2 and the
    /// product is not bound by its stream: measured slower at H = 64, 10–14 % faster from 256 KB on).</summary>
    private const int InterleaveMinimumBytes = 256 * 1024;

    /// <summary>
    /// The number of full blocks of <see cref="InterleaveRows"/> steps when the input projection is interleaved with the
    /// recurrent products (<see cref="Kernels.MatVecWithProjection{T}"/>): batch 1, W_hᵀ and W_xᵀ packed once for the 512-bit
    /// tiles with no column tail, input size = hidden size, W_hᵀ of at least <see cref="InterleaveMinimumBytes"/>, at least
    /// two blocks; 0 otherwise (the projection then runs for every step at once).
    /// </summary>
    private int InterleaveBlocks(int batch, int steps, Params p)
    {
        var wh = p.WhTPacked;
        var wx = p.WxTPacked;
        int g = Spec.Gates * H;
        int recurrentColumns = Spec.Kind == CellKind.Gru && !Spec.LinearBeforeReset ? 2 * H : g;
        bool applies = batch == 1 && Kernels.CanInterleave(wh, wx) && wh!.Columns == recurrentColumns && wx!.Columns == g
            && (long)wh.Depth * wh.Columns * Unsafe.SizeOf<T>() >= InterleaveMinimumBytes && steps / InterleaveRows >= 2;
        return applies ? steps / InterleaveRows : 0;
    }

    /// <summary>
    /// Whether step t's recurrent product at batch 1 runs its columns in descending order: alternating from step to step, each
    /// product starts on the part of the packed W_hᵀ the previous one read last, which is still in cache (the order of the
    /// columns does not change any entry's sum).
    /// </summary>
    private static bool Alternate(int t) => (t & 1) != 0;

    /// <summary>RNN step at time t for every valid row: h = f(clip(W_x x + b_x + W_h h + b_h)).</summary>
    private void RnnStep(Workspace<T> ws, Params p, Workspace<T>.Tape tape, int t, bool recurrentDone)
    {
        int h = H;
        int batch = ws.Batch;
        if (!recurrentDone)
        {
            Kernels.MatMul<T>(tape.H, batch, h, h, p.WhT, h, h, ws.Rec, h, accumulate: false, p.WhTPacked, Alternate(t));
        }

        for (int b = 0; b < batch; b++)
        {
            if (t >= ws.Lens[b])
            {
                continue;
            }

            int row = (t * batch) + b;
            Span<T> pre = tape.Pre.AsSpan(row * h, h);
            TensorPrimitives.Add(pre, ws.Rec.AsSpan(b * h, h), pre);
            Span<T> state = tape.H.AsSpan(b * h, h);
            state.CopyTo(tape.HPrev.AsSpan(row * h, h));
            Span<T> act = tape.Act.AsSpan(row * h, h);
            ActivationMath.Apply(_f, pre, act, _clip);
            act.CopyTo(state);
        }
    }

    /// <summary>
    /// LSTM step at time t for every valid row (gates i, f, g, o; peepholes P_i, P_f on c_{t−1}, P_o on c_t):
    /// i = f(a_i), f = f(a_f) (or 1 − i / i = 1 − f under input_forget), g = g(a_g), c = f ⊙ c_{t−1} + i ⊙ g (clipped under
    /// <see cref="ClipReading.GateInputsAndCell"/>), o = f(a_o + P_o ⊙ c), h = o ⊙ h(c).
    /// </summary>
    private void LstmStep(Workspace<T> ws, Params p, Workspace<T>.Tape tape, int t, bool recurrentDone)
    {
        int h = H;
        int g = 4 * h;
        int batch = ws.Batch;
        if (!recurrentDone)
        {
            Kernels.MatMul<T>(tape.H, batch, h, h, p.WhT, g, g, ws.Rec, g, accumulate: false, p.WhTPacked, Alternate(t));
        }

        if (IsFusedStep(ws, p, t))
        {
            LstmStepFused(ws, p, tape, t);
            return;
        }

        if (t < ws.MinLen && p.P is null && !Spec.InputForget && h >= BlockMinimum)
        {
            LstmStepBlock(ws, tape, t);
            return;
        }

        for (int b = 0; b < batch; b++)
        {
            if (t >= ws.Lens[b])
            {
                continue;
            }

            int row = (t * batch) + b;
            Span<T> pre = tape.Pre.AsSpan(row * g, g);
            TensorPrimitives.Add(pre, ws.Rec.AsSpan(b * g, g), pre);
            Span<T> hState = tape.H.AsSpan(b * h, h);
            Span<T> cState = tape.C.AsSpan(b * h, h);
            Span<T> hp = tape.HPrev.AsSpan(row * h, h);
            Span<T> cp = tape.CPrev.AsSpan(row * h, h);
            hState.CopyTo(hp);
            cState.CopyTo(cp);
            Span<T> preI = pre.Slice(0, h), preF = pre.Slice(h, h), preG = pre.Slice(2 * h, h), preO = pre.Slice(3 * h, h);
            Span<T> act = tape.Act.AsSpan(row * g, g);
            Span<T> i = act.Slice(0, h), f = act.Slice(h, h), gg = act.Slice(2 * h, h), o = act.Slice(3 * h, h);
            if (p.P is not null)
            {
                TensorPrimitives.MultiplyAdd(p.P.AsSpan(0, h), cp, preI, preI);
                TensorPrimitives.MultiplyAdd(p.P.AsSpan(h, h), cp, preF, preF);
            }

            ActivationMath.Apply(_f, preI, i, _clip);
            ActivationMath.Apply(_f, preF, f, _clip);
            ActivationMath.Apply(_g, preG, gg, _clip);
            if (Spec.InputForget)
            {
                if (Spec.InputForgetReading == InputForgetReading.ForgetFromInput)
                {
                    TensorPrimitives.Subtract(T.One, i, f);
                }
                else
                {
                    TensorPrimitives.Subtract(T.One, f, i);
                }
            }

            Span<T> cRaw = tape.CRaw.AsSpan(row * h, h);
            TensorPrimitives.Multiply(f, cp, cRaw);
            TensorPrimitives.MultiplyAdd(i, gg, cRaw, cRaw);
            if (_clipCell)
            {
                TensorPrimitives.Clamp(cRaw, -_clip, _clip, cState);
            }
            else
            {
                cRaw.CopyTo(cState);
            }

            if (p.P is not null)
            {
                TensorPrimitives.MultiplyAdd(p.P.AsSpan(2 * h, h), cState, preO, preO);
            }

            ActivationMath.Apply(_f, preO, o, _clip);
            Span<T> hc = tape.HC.AsSpan(row * h, h);
            ActivationMath.Apply(_h, cState, hc, T.Zero);
            TensorPrimitives.Multiply(o, hc, hState);
        }
    }

    /// <summary>
    /// GRU step at time t for every valid row (gates r, z, n): r = f(a_r), z = f(a_z),
    /// n = g(W_n x + b_xn + r ⊙ (U_n h + b_hn)) (reset after) or g(W_n x + b_xn + U_n (r ⊙ h) + b_hn) (reset before),
    /// h' = (1 − z) ⊙ n + z ⊙ h, evaluated as n + z ⊙ (h − n).
    /// </summary>
    private void GruStep(Workspace<T> ws, Params p, Workspace<T>.Tape tape, int t, bool recurrentDone)
    {
        int h = H;
        int g = 3 * h;
        int batch = ws.Batch;
        bool after = Spec.LinearBeforeReset;
        ReadOnlySpan<T> un = p.Wh.AsSpan(2 * h * h, h * h);
        ReadOnlySpan<T> bhn = p.Bh.AsSpan(2 * h, h);
        // W_hᵀ holds every gate's columns when the reset acts after the product, only r and z otherwise.
        if (!recurrentDone)
        {
            Kernels.MatMul<T>(tape.H, batch, h, h, p.WhT, g, after ? g : 2 * h, ws.Rec, g, accumulate: false, p.WhTPacked, Alternate(t));
        }

        if (IsFusedStep(ws, p, t))
        {
            GruStepFused(ws, p, tape, t);
            return;
        }

        if (t < ws.MinLen && after && h >= BlockMinimum)
        {
            GruStepBlock(ws, p, tape, t);
            return;
        }

        for (int b = 0; b < batch; b++)
        {
            if (t >= ws.Lens[b])
            {
                continue;
            }

            int row = (t * batch) + b;
            Span<T> pre = tape.Pre.AsSpan(row * g, g);
            Span<T> rec = ws.Rec.AsSpan(b * g, g);
            Span<T> preRz = pre.Slice(0, 2 * h);
            TensorPrimitives.Add(preRz, rec.Slice(0, 2 * h), preRz);
            Span<T> hState = tape.H.AsSpan(b * h, h);
            Span<T> hp = tape.HPrev.AsSpan(row * h, h);
            hState.CopyTo(hp);
            Span<T> act = tape.Act.AsSpan(row * g, g);
            Span<T> r = act.Slice(0, h), z = act.Slice(h, h), n = act.Slice(2 * h, h);
            ActivationMath.Apply(_f, pre.Slice(0, h), r, _clip);
            ActivationMath.Apply(_f, pre.Slice(h, h), z, _clip);
            Span<T> ghn = tape.GhN.AsSpan(row * h, h);
            Span<T> preN = pre.Slice(2 * h, h);
            if (after)
            {
                TensorPrimitives.Add(rec.Slice(2 * h, h), bhn, ghn);
                TensorPrimitives.MultiplyAdd(r, ghn, preN, preN);
            }
            else
            {
                Span<T> rh = ws.Tmp.AsSpan(b * h, h);
                TensorPrimitives.Multiply(r, hp, rh);
                Kernels.MatMulABt<T>(rh, 1, un, h, h, ghn, h, accumulate: false);
                TensorPrimitives.Add(ghn, bhn, ghn);
                TensorPrimitives.Add(preN, ghn, preN);
            }

            ActivationMath.Apply(_g, preN, n, _clip);
            TensorPrimitives.Subtract(hp, n, hState);
            TensorPrimitives.MultiplyAdd(z, hState, n, hState);
        }
    }

    /// <summary>
    /// The hidden size from which a step's pointwise work runs over the whole batch block at once: the widest accelerated vector's
    /// element count. From there on the per-row <see cref="TensorPrimitives"/> calls of the row-by-row path already took the
    /// widest vector path with no scalar remainder, so one call over the block runs every element through the same code and
    /// gives the same bits; smaller rows (the test suite's small cells among them) keep the row-by-row path.
    /// </summary>
    private static int BlockMinimum =>
        Vector512.IsHardwareAccelerated ? Vector512<T>.Count
        : Vector256.IsHardwareAccelerated ? Vector256<T>.Count
        : Vector128<T>.Count;

    /// <summary>Loads one vector of <paramref name="s"/> at <paramref name="at"/> (the caller keeps at + Vector&lt;T&gt;.Count ≤ length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> LoadAt(ReadOnlySpan<T> s, int at) => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)at);

    /// <summary>Stores one vector into <paramref name="s"/> at <paramref name="at"/> (the caller keeps it in bounds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreAt(Vector<T> v, Span<T> s, int at) => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)at);

    /// <summary>Elements of a row handled by whole vectors of <see cref="Vector{T}"/> (the rest by a scalar loop).</summary>
    private static int WholeVectors(int n) =>
        Vector.IsHardwareAccelerated && Vector<T>.IsSupported ? n - (n % Vector<T>.Count) : 0;

    /// <summary>
    /// <see cref="LstmStep"/> when every row is valid at t, without peepholes or input_forget: the same operations per element,
    /// grouped into few calls over the batch block [B][4H] instead of a dozen calls per row — f on every gate column at once (the
    /// g columns are then overwritten by g), one fused pass per row for c = f ⊙ c_{t−1} + i ⊙ g, h(c) over [B][H], and one fused
    /// pass per row for h = o ⊙ h(c). Each element is the same chain of roundings as on the row-by-row path.
    /// </summary>
    private void LstmStepBlock(Workspace<T> ws, Workspace<T>.Tape tape, int t)
    {
        int h = H, g = 4 * h, batch = ws.Batch, bh = batch * h;
        Span<T> pre = tape.Pre.AsSpan(t * batch * g, batch * g);
        Span<T> act = tape.Act.AsSpan(t * batch * g, batch * g);
        TensorPrimitives.Add(pre, ws.Rec.AsSpan(0, batch * g), pre);
        Span<T> cp = tape.CPrev.AsSpan(t * bh, bh);
        tape.H.AsSpan(0, bh).CopyTo(tape.HPrev.AsSpan(t * bh, bh));
        tape.C.AsSpan(0, bh).CopyTo(cp);
        ActivationMath.Apply(_f, pre, act, _clip);
        for (int b = 0; b < batch; b++)
        {
            ActivationMath.Apply(_g, pre.Slice((b * g) + (2 * h), h), act.Slice((b * g) + (2 * h), h), _clip);
        }

        Span<T> cRaw = tape.CRaw.AsSpan(t * bh, bh);
        int vectorEnd = WholeVectors(h);
        for (int b = 0; b < batch; b++)
        {
            // c = (f ⊙ c_{t−1}) + (i ⊙ g), as the row path's Multiply then MultiplyAdd.
            ReadOnlySpan<T> i = act.Slice(b * g, h), f = act.Slice((b * g) + h, h), gg = act.Slice((b * g) + (2 * h), h);
            ReadOnlySpan<T> cpb = cp.Slice(b * h, h);
            Span<T> cr = cRaw.Slice(b * h, h);
            int j = 0;
            for (; j < vectorEnd; j += Vector<T>.Count)
            {
                StoreAt((LoadAt(i, j) * LoadAt(gg, j)) + (LoadAt(f, j) * LoadAt(cpb, j)), cr, j);
            }

            for (; j < h; j++)
            {
                cr[j] = (i[j] * gg[j]) + (f[j] * cpb[j]);
            }
        }

        if (_clipCell)
        {
            TensorPrimitives.Clamp(cRaw, -_clip, _clip, tape.C.AsSpan(0, bh));
        }
        else
        {
            cRaw.CopyTo(tape.C);
        }

        Span<T> hc = tape.HC.AsSpan(t * bh, bh);
        ActivationMath.Apply(_h, tape.C.AsSpan(0, bh), hc, T.Zero);
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> o = act.Slice((b * g) + (3 * h), h), hcb = hc.Slice(b * h, h);
            Span<T> hs = tape.H.AsSpan(b * h, h);
            int j = 0;
            for (; j < vectorEnd; j += Vector<T>.Count)
            {
                StoreAt(LoadAt(o, j) * LoadAt(hcb, j), hs, j);
            }

            for (; j < h; j++)
            {
                hs[j] = o[j] * hcb[j];
            }
        }
    }

    /// <summary>
    /// <see cref="GruStep"/> with the reset after the product when every row is valid at t: f over the whole block [B][3H] at once
    /// (the n columns are then overwritten), one fused pass per row for U_n h + b_hn and a_n + r ⊙ (U_n h + b_hn), g per row, and
    /// one fused pass per row for h' = z ⊙ (h − n) + n. Each element is the same chain of roundings as on the row-by-row path.
    /// </summary>
    private void GruStepBlock(Workspace<T> ws, Params p, Workspace<T>.Tape tape, int t)
    {
        int h = H, g = 3 * h, batch = ws.Batch, bh = batch * h;
        Span<T> pre = tape.Pre.AsSpan(t * batch * g, batch * g);
        Span<T> act = tape.Act.AsSpan(t * batch * g, batch * g);
        ReadOnlySpan<T> rec = ws.Rec.AsSpan(0, batch * g);
        ReadOnlySpan<T> bhn = p.Bh.AsSpan(2 * h, h);
        Span<T> hp = tape.HPrev.AsSpan(t * bh, bh);
        tape.H.AsSpan(0, bh).CopyTo(hp);
        for (int b = 0; b < batch; b++)
        {
            Span<T> preRz = pre.Slice(b * g, 2 * h);
            TensorPrimitives.Add(preRz, rec.Slice(b * g, 2 * h), preRz);
        }

        ActivationMath.Apply(_f, pre, act, _clip);
        Span<T> ghnAll = tape.GhN.AsSpan(t * bh, bh);
        int vectorEnd = WholeVectors(h);
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> r = act.Slice(b * g, h), recN = rec.Slice((b * g) + (2 * h), h);
            Span<T> ghn = ghnAll.Slice(b * h, h), preN = pre.Slice((b * g) + (2 * h), h);
            int j = 0;
            for (; j < vectorEnd; j += Vector<T>.Count)
            {
                var gh = LoadAt(recN, j) + LoadAt(bhn, j);
                StoreAt(gh, ghn, j);
                StoreAt((LoadAt(r, j) * gh) + LoadAt(preN, j), preN, j);
            }

            for (; j < h; j++)
            {
                T gh = recN[j] + bhn[j];
                ghn[j] = gh;
                preN[j] = (r[j] * gh) + preN[j];
            }

            ActivationMath.Apply(_g, preN, act.Slice((b * g) + (2 * h), h), _clip);
        }

        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> z = act.Slice((b * g) + h, h), n = act.Slice((b * g) + (2 * h), h), hpb = hp.Slice(b * h, h);
            Span<T> hs = tape.H.AsSpan(b * h, h);
            int j = 0;
            for (; j < vectorEnd; j += Vector<T>.Count)
            {
                var nj = LoadAt(n, j);
                StoreAt((LoadAt(z, j) * (LoadAt(hpb, j) - nj)) + nj, hs, j);
            }

            for (; j < h; j++)
            {
                hs[j] = (z[j] * (hpb[j] - n[j])) + n[j];
            }
        }
    }
}
