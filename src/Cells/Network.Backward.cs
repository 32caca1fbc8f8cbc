using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnVerify.Cells;

public sealed partial class Network<T>
{
    /// <summary>Which part of the upstream output gradient one backward sweep propagates.</summary>
    private enum Selection
    {
        /// <summary>Every step (untruncated BPTT).</summary>
        All,
        /// <summary>Only the valid step <c>term</c> (one loss term of truncated BPTT).</summary>
        Step,
        /// <summary>Only padded steps (their carried outputs belong to the final-state term).</summary>
        Padded,
    }

    /// <summary>
    /// Backpropagation through time: the vector–Jacobian product of the whole network, as PyTorch's
    /// <c>torch.autograd.backward((y, h_n, c_n), (dy, dh_n, dc_n))</c>. Runs the forward pass first (recording the tape),
    /// then writes ∂L/∂θ for L = ⟨dy, y⟩ + ⟨dh_n, h_n⟩ + ⟨dc_n, c_n⟩.
    /// <para>Conventions: no gradient flows through padded steps (the state is copied, the copy has derivative 1 and the cell is
    /// not applied); where a pre-activation (or, under <see cref="ClipReading.GateInputsAndCell"/>, the cell state) was clipped
    /// (|a| &gt; clip) its derivative is 0, at |a| = clip it is 1; relu'(0) = 0; under input_forget the derived gate's own weights get
    /// zero gradient.</para>
    /// </summary>
    /// <param name="batch">B ≥ 1.</param>
    /// <param name="x">[T][B][InputSize].</param>
    /// <param name="seqLens">[B] or empty (all T).</param>
    /// <param name="h0">[L·D][B][H] or empty (zeros).</param>
    /// <param name="c0">[L·D][B][H] or empty (LSTM only).</param>
    /// <param name="dy">Upstream gradient on y, [T][B][D·H] in the same order as y; empty means zero.</param>
    /// <param name="dhN">Upstream gradient on h_n, [L·D][B][H]; empty means zero.</param>
    /// <param name="dcN">Upstream gradient on c_n, [L·D][B][H] (LSTM only); empty means zero.</param>
    /// <param name="gradients">Destination: overwritten with ∂L/∂(W_x, W_h, b_x, b_h, P) in the canonical layout.</param>
    /// <param name="dx">Destination ∂L/∂x, [T][B][InputSize]; empty to skip.</param>
    /// <param name="dh0">Destination ∂L/∂h0, [L·D][B][H]; empty to skip.</param>
    /// <param name="dc0">Destination ∂L/∂c0, [L·D][B][H] (LSTM only); empty to skip.</param>
    /// <param name="truncationWindow">0 for full BPTT; k ≥ 1 lets the gradient of each term (dy at step t, or the final states of an
    /// entry, which sit at its last valid step) reach only steps s with t − s &lt; k (unidirectional networks only).</param>
    /// <exception cref="ArgumentException">A length is inconsistent, or truncation is asked of a bidirectional network.</exception>
    public void Backward(int batch, ReadOnlySpan<T> x, ReadOnlySpan<int> seqLens, ReadOnlySpan<T> h0, ReadOnlySpan<T> c0,
        ReadOnlySpan<T> dy, ReadOnlySpan<T> dhN, ReadOnlySpan<T> dcN,
        NetworkGradients<T> gradients, Span<T> dx, Span<T> dh0, Span<T> dc0, int truncationWindow = 0)
    {
        var ws = Prepare(batch, x.Length, seqLens, h0.Length, c0.Length, out int steps);
        CheckOutputs(steps, batch, dy.Length, dhN.Length, dcN.Length);
        CheckGradientDestinations(steps, batch, gradients, dx.Length, dh0.Length, dc0.Length, truncationWindow);
        ForwardCore(ws, x, h0, c0);
        BackwardCore(ws, x, dy, dhN, dcN, gradients, dx, dh0, dc0, truncationWindow);
    }

    private void CheckGradientDestinations(int steps, int batch, NetworkGradients<T> gradients, int dxLength, int dh0Length, int dc0Length, int window)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        if (gradients.Spec != Spec)
        {
            ThrowHelper.ThrowInvalid(nameof(gradients), "was created for a different spec");
        }

        if (dxLength != 0)
        {
            ThrowHelper.CheckLength("dx", dxLength, "steps·batch·inputSize", steps * batch * Spec.InputSize);
        }

        int states = Spec.NumLayers * D * batch * H;
        if (dh0Length != 0)
        {
            ThrowHelper.CheckLength("dh0", dh0Length, "numLayers·directions·batch·hiddenSize", states);
        }

        if (dc0Length != 0)
        {
            if (Spec.Kind != CellKind.Lstm)
            {
                ThrowHelper.ThrowInvalid("dc0", $"has length {dc0Length}, but only an LSTM has a cell state (pass an empty span)");
            }

            ThrowHelper.CheckLength("dc0", dc0Length, "numLayers·directions·batch·hiddenSize", states);
        }

        if (window < 0)
        {
            ThrowHelper.ThrowInvalid("truncationWindow", $"is {window}, expected 0 (full BPTT) or a window k ≥ 1");
        }

        if (window > 0 && D == 2)
        {
            ThrowHelper.ThrowInvalid("truncationWindow", "truncated BPTT is defined for unidirectional networks only");
        }
    }

    /// <summary>Backward pass over the tape recorded by the last <see cref="ForwardCore"/>; clears then accumulates every destination.</summary>
    private void BackwardCore(Workspace<T> ws, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, ReadOnlySpan<T> dhN, ReadOnlySpan<T> dcN,
        NetworkGradients<T> gradients, Span<T> dx, Span<T> dh0, Span<T> dc0, int window)
    {
        int steps = ws.Steps;
        bool single = window <= 0 || window >= steps;
        // A full sweep makes exactly one contribution to each dW_x and dW_h, which then writes them instead of adding to
        // zeros cleared first (the same bits: every entry's chain starts from +0 either way).
        gradients.Clear(weights: !single);
        dx.Clear();
        dh0.Clear();
        dc0.Clear();
        if (single)
        {
            Array.Clear(ws.Lo);
            Sweep(ws, x, dy, Selection.All, 0, steps - 1, true, dhN, dcN, gradients, dx, dh0, dc0, overwrite: true);
            return;
        }

        // One sweep per term, each confined to its window (cost O(T·k) steps instead of O(T)).
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < ws.Batch; b++)
            {
                ws.Lo[b] = Math.Max(0, t - window + 1);
            }

            Sweep(ws, x, dy, Selection.Step, t, t, false, default, default, gradients, dx, dh0, dc0);
        }

        for (int b = 0; b < ws.Batch; b++)
        {
            ws.Lo[b] = Math.Max(0, ws.Lens[b] - window);
        }

        Sweep(ws, x, dy, Selection.Padded, 0, steps - 1, true, dhN, dcN, gradients, dx, dh0, dc0);
    }

    /// <summary>
    /// One backward sweep through every layer (top down) and direction, over time-aligned steps ≤ <paramref name="hi"/> and, per entry b,
    /// ≥ Lo[b]; gradients are added to the destinations.
    /// </summary>
    private void Sweep(Workspace<T> ws, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Selection selection, int term, int hi, bool finalTerm,
        ReadOnlySpan<T> dhN, ReadOnlySpan<T> dcN, NetworkGradients<T> gradients, Span<T> dx, Span<T> dh0, Span<T> dc0, bool overwrite = false)
    {
        BuildTopGradient(ws, dy, selection, term, finalTerm);
        for (int l = Spec.NumLayers - 1; l >= 0; l--)
        {
            Span<T> dIn = dx;
            ReadOnlySpan<T> input = x;
            if (l > 0)
            {
                dIn = ws.DOut[l - 1];
                dIn.Clear();
                input = ws.Out[l - 1];
            }

            for (int d = 0; d < D; d++)
            {
                LayerBackward(ws, l, d, input, dIn, hi, finalTerm, dhN, dcN, gradients[l, d], dh0, dc0, overwrite);
            }
        }
    }

    /// <summary>DOut[top] = the selected part of dy, time-aligned; DFinal = reordered padded outputs' gradient on final states.</summary>
    private void BuildTopGradient(Workspace<T> ws, ReadOnlySpan<T> dy, Selection selection, int term, bool finalTerm)
    {
        int steps = ws.Steps, batch = ws.Batch, h = H, dh = D * h;
        var top = ws.DOut[Spec.NumLayers - 1];
        Array.Clear(top);
        Array.Clear(ws.DFinal);
        if (dy.IsEmpty)
        {
            return;
        }

        bool reorder = D == 2 && Spec.ReverseOrder == ReverseOutputOrder.ProcessingOrder;
        int revLd = ((Spec.NumLayers - 1) * D) + 1;
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                int len = ws.Lens[b];
                bool take = selection switch
                {
                    Selection.All => true,
                    Selection.Step => t == term && t < len,
                    _ => t >= len,
                };
                if (!take)
                {
                    continue;
                }

                int at = ((t * batch) + b) * dh;
                for (int d = 0; d < D; d++)
                {
                    var src = dy.Slice(at + (d * h), h);
                    if (d == 1 && reorder)
                    {
                        if (t < len)
                        {
                            src.CopyTo(top.AsSpan((((len - 1 - t) * batch) + b) * dh + h, h));
                        }
                        else if (finalTerm && Spec.Padding == PaddingReading.CarryLast)
                        {
                            var fin = ws.DFinal.AsSpan(((revLd * batch) + b) * h, h);
                            TensorPrimitives.Add(fin, src, fin);
                        }
                    }
                    else
                    {
                        src.CopyTo(top.AsSpan(at + (d * h), h));
                    }
                }
            }
        }
    }

    /// <summary>Backward through one layer and direction, in reverse processing order.</summary>
    private void LayerBackward(Workspace<T> ws, int l, int d, ReadOnlySpan<T> input, Span<T> dIn, int hi, bool finalTerm,
        ReadOnlySpan<T> dhN, ReadOnlySpan<T> dcN, LayerGradients<T> grad, Span<T> dh0, Span<T> dc0, bool overwrite)
    {
        int steps = ws.Steps, batch = ws.Batch, h = H, dh = D * h, bh = batch * h;
        int ld = (l * D) + d;
        var p = _params[ld];
        var tape = ws.Tapes[ld];
        var dyAligned = ws.DOut[l];
        int g = Spec.Gates * h;
        Array.Clear(ws.DH);
        Array.Clear(ws.DC);
        Array.Clear(ws.Active);
        if (finalTerm)
        {
            if (!dhN.IsEmpty)
            {
                dhN.Slice(ld * bh, bh).CopyTo(ws.DH);
            }

            if (!dcN.IsEmpty)
            {
                dcN.Slice(ld * bh, bh).CopyTo(ws.DC);
            }

            var fin = ws.DFinal.AsSpan(ld * bh, bh);
            TensorPrimitives.Add(ws.DH, fin, ws.DH);
        }

        bool carry = Spec.Padding == PaddingReading.CarryLast;
        // Rows of W_h that act on h (GRU with the reset before the product: the candidate rows act on r ⊙ h instead).
        int whRows = Spec.Kind == CellKind.Gru && !Spec.LinearBeforeReset ? 2 * h : g;
        // The LSTM and the RNN have dA_h = dA_x (one pre-activation per gate): one array serves both.
        T[] dAhAll = DAh(ws);
        bool interleave = BackwardInterleaves(ws, p, hi, dIn);
        for (int s = 0; s < steps; s++)
        {
            int t = d == 0 ? hi - s : s;
            if (t < 0)
            {
                break;
            }

            for (int b = 0; b < batch; b++)
            {
                Span<T> dhb = ws.DH.AsSpan(b * h, h);
                ReadOnlySpan<T> dyb = dyAligned.AsSpan((((t * batch) + b) * dh) + (d * h), h);
                int row = (t * batch) + b;
                if (t >= ws.Lens[b] || t < ws.Lo[b])
                {
                    if (t >= ws.Lens[b] && carry)
                    {
                        TensorPrimitives.Add(dhb, dyb, dhb);
                    }

                    // No cell at this row: its dA is zero (every row the products below read is visited here, so the arrays
                    // need no clearing beforehand).
                    ws.DAxAll.AsSpan(row * g, g).Clear();
                    dAhAll.AsSpan(row * g, g).Clear();
                    continue;
                }

                switch (Spec.Kind)
                {
                    case CellKind.Lstm:
                        LstmRowBackward(ws, p, tape, grad, row, b, dyb);
                        break;
                    case CellKind.Gru:
                        GruRowBackward(ws, p, tape, row, b, dyb);
                        break;
                    default:
                        RnnRowBackward(ws, tape, row, b, dyb);
                        break;
                }

                ws.Active[row] = true;
            }

            // dh_{t−1} += W_hᵀ dA_h for the whole batch at once (rows without a cell have dA_h = 0); W_h is packed once.
            // Block m = s / R − 1 of dX (R = InterleaveRows steps, in processing order), complete since the previous block of
            // steps, a R-th of its columns inside each product of this block (only while this block is a full one).
            int done = (s / InterleaveRows) - 1;
            if (interleave && done >= 0 && (done + 2) * InterleaveRows <= steps)
            {
                int row0 = d == 0 ? hi - ((done + 1) * InterleaveRows) + 1 : done * InterleaveRows;
                int panels = Kernels.Panels(p.WxPacked!), share = s % InterleaveRows;
                Kernels.MatVecWithProjection<T>(dAhAll.AsSpan(t * g, g), p.WhPacked!, ws.DH, Alternate(t), ws.DAxAll.AsSpan(row0 * g), g,
                    p.WxPacked!, dIn.Slice(row0 * p.InputSize), p.InputSize, panels * share / InterleaveRows, panels * (share + 1) / InterleaveRows,
                    InterleaveRows, accumulate: true);
            }
            else if (!dh0.IsEmpty || t != (d == 0 ? 0 : steps - 1))
            {
                Kernels.MatMul<T>(dAhAll.AsSpan(t * batch * g, batch * g), batch, whRows, g, p.Wh, h, h, ws.DH, h, accumulate: true, p.WhPacked, Alternate(t));
            }

            // (The product of the last step in processing order gives ∂L/∂h0 only: skipped when dh0 is not asked for.)
        }

        // dX of the rows not computed inside the products: the processing steps from the last complete block on.
        int t0 = d == 0 ? MinLo(ws) : 0, t1 = d == 0 ? hi + 1 : steps;
        int dxT0 = t0, dxT1 = t1;
        if (interleave)
        {
            int rest = ((t1 - t0) / InterleaveRows * InterleaveRows) - InterleaveRows;
            dxT0 = d == 0 ? t0 : t0 + rest;
            dxT1 = d == 0 ? t1 - rest : t1;
        }

        WeightGradients(ws, p, tape, grad, input, dIn, t0, t1, dxT0, dxT1, overwrite);

        for (int b = 0; b < batch; b++)
        {
            if (ws.Lo[b] != 0)
            {
                continue;
            }

            int at = (ld * bh) + (b * h);
            if (!dh0.IsEmpty)
            {
                var dst = dh0.Slice(at, h);
                TensorPrimitives.Add(dst, ws.DH.AsSpan(b * h, h), dst);
            }

            if (!dc0.IsEmpty)
            {
                var dst = dc0.Slice(at, h);
                TensorPrimitives.Add(dst, ws.DC.AsSpan(b * h, h), dst);
            }
        }
    }

    /// <summary>
    /// Whether the time loop of a layer's backward pass computes dIn += dA_x W_x of each complete block of
    /// <see cref="InterleaveRows"/> steps inside the products dh += dA_h W_h of the next block
    /// (<see cref="Kernels.MatVecWithProjection{T}"/>; the same entries, chains of roundings and starting values as the product
    /// after the loop): batch 1, a full sweep (no truncation window), dIn wanted, W_h and W_x packed once with no column tail and the
    /// same depth (every row of W_h acts on h), W_h of at least <see cref="InterleaveMinimumBytes"/>, at least two blocks.
    /// </summary>
    private bool BackwardInterleaves(Workspace<T> ws, Params p, int hi, Span<T> dIn)
    {
        var wh = p.WhPacked;
        var wx = p.WxPacked;
        return ws.Batch == 1 && !dIn.IsEmpty && MinLo(ws) == 0 && hi == ws.Steps - 1 && Kernels.CanInterleave(wh, wx)
            && wh!.Columns == H && wx!.Columns == p.InputSize && wh.Depth == Spec.Gates * H
            && (long)wh.Depth * wh.Columns * Unsafe.SizeOf<T>() >= InterleaveMinimumBytes && ws.Steps / InterleaveRows >= 2;
    }

    private static int MinLo(Workspace<T> ws)
    {
        int lo = int.MaxValue;
        foreach (int v in ws.Lo)
        {
            lo = Math.Min(lo, v);
        }

        return lo;
    }

    /// <summary>
    /// After the time loop, for rows of steps [t0, t1): db_x += Σ dA_x, db_h += Σ dA_h, dW_x += dA_xᵀ X (dW_x and dW_h written
    /// instead of added to when <paramref name="overwrite"/>: the only contribution of a full sweep), dW_h += dA_hᵀ H_prev
    /// (GRU with the reset before the product: candidate rows against r ⊙ h), and for the rows of steps [dxT0, dxT1) (all of
    /// them but those computed inside the time loop's products, <see cref="BackwardInterleaves"/>) dIn += dA_x W_x — each one
    /// blocked matrix product over its rows.
    /// Rows where no cell was applied contribute exact zeros (their inputs are not read, so padding may hold anything).
    /// </summary>
    private void WeightGradients(Workspace<T> ws, Params p, Workspace<T>.Tape tape, LayerGradients<T> grad, ReadOnlySpan<T> input, Span<T> dIn,
        int t0, int t1, int dxT0, int dxT1, bool overwrite)
    {
        int h = H, g = Spec.Gates * h, batch = ws.Batch, inSize = p.InputSize;
        int r0 = t0 * batch, n = (t1 - t0) * batch;
        if (n <= 0)
        {
            if (overwrite)
            {
                Array.Clear(grad.Wx);
                Array.Clear(grad.Wh);
            }

            return;
        }

        bool accumulate = !overwrite;

        T[] dAhAll = DAh(ws);
        ReadOnlySpan<T> dAx = ws.DAxAll.AsSpan(r0 * g, n * g);
        ReadOnlySpan<T> dAh = dAhAll.AsSpan(r0 * g, n * g);
        if (ws.Active.AsSpan(r0, n).Contains(false))
        {
            WeightGradientsWithGaps(ws, tape, grad, input, inSize, r0, n, accumulate);
        }
        else
        {
            // Every row active: the inputs are read in place, and each pass over dA ([T·B][G·H], 52 MB at B = 64 and H = 512,
            // from memory) serves both weight gradients and the bias: dW_x += dA_xᵀ X and dW_h += dA_hᵀ H_prev share dA on the
            // rows where dA_h = dA_x (all of them for the LSTM and the RNN; the GRU's r and z rows, and with the reset before
            // the product its candidate rows too, against r ⊙ h), and db_x += Σ dA_x comes from the products' copies of dA.
            // db_h = db_x on those rows: the same additions of the same values in the same order.
            ReadOnlySpan<T> xs = input.Slice(r0 * inSize, n * inSize), hs = tape.HPrev.AsSpan(r0 * h, n * h);
            bool gru = Spec.Kind == CellKind.Gru;
            int pair = gru ? 2 * h : g;
            Kernels.MatMulTransposedA<T>(dAx, pair, n, g, xs, inSize, inSize, grad.Wx, inSize, hs, h, h, grad.Wh, h, accumulate, grad.Bx.AsSpan(0, pair));
            if (gru && Spec.LinearBeforeReset)
            {
                Kernels.MatMulTransposedA<T>(dAx.Slice(pair), h, n, g, xs, inSize, inSize, grad.Wx.AsSpan(pair * inSize), inSize, accumulate,
                    grad.Bx.AsSpan(pair, h));
                Kernels.MatMulTransposedA<T>(dAh.Slice(pair), h, n, g, hs, h, h, grad.Wh.AsSpan(pair * h), h, accumulate, grad.Bh.AsSpan(pair, h));
            }
            else if (gru)
            {
                Span<T> rh = ws.TransB.AsSpan(0, n * h);
                for (int r = 0; r < n; r++)
                {
                    TensorPrimitives.Multiply(tape.Act.AsSpan((r0 + r) * g, h), hs.Slice(r * h, h), rh.Slice(r * h, h));
                }

                Kernels.MatMulTransposedA<T>(dAx.Slice(pair), h, n, g, xs, inSize, inSize, grad.Wx.AsSpan(pair * inSize), inSize,
                    rh, h, h, grad.Wh.AsSpan(pair * h), h, accumulate, grad.Bx.AsSpan(pair, h));
                pair = g;
            }

            grad.Bx.AsSpan(0, pair).CopyTo(grad.Bh.AsSpan(0, pair));
        }

        if (!dIn.IsEmpty && dxT1 > dxT0)
        {
            int dxR0 = dxT0 * batch, dxN = (dxT1 - dxT0) * batch;
            Kernels.MatMul<T>(ws.DAxAll.AsSpan(dxR0 * g, dxN * g), dxN, g, g, p.Wx, inSize, inSize, dIn.Slice(dxR0 * inSize), inSize,
                accumulate: true, p.WxPacked);
        }
    }

    /// <summary>
    /// The weight and bias gradients of <see cref="WeightGradients"/> when some rows had no cell: db += the active rows' dA in
    /// row order (the inactive rows' zeros are skipped, as adding them could turn a −0 sum into +0), and the products over the
    /// input and H_prev with the inactive rows zeroed (their content is not defined).
    /// </summary>
    private void WeightGradientsWithGaps(Workspace<T> ws, Workspace<T>.Tape tape, LayerGradients<T> grad, ReadOnlySpan<T> input, int inSize,
        int r0, int n, bool accumulate)
    {
        int h = H, g = Spec.Gates * h;
        T[] dAhAll = DAh(ws);
        bool shared = ReferenceEquals(dAhAll, ws.DAxAll);
        for (int r = r0; r < r0 + n; r++)
        {
            if (ws.Active[r])
            {
                TensorPrimitives.Add(grad.Bx, ws.DAxAll.AsSpan(r * g, g), grad.Bx);
                if (!shared)
                {
                    TensorPrimitives.Add(grad.Bh, dAhAll.AsSpan(r * g, g), grad.Bh);
                }
            }
        }

        if (shared)
        {
            grad.Bx.CopyTo(grad.Bh);
        }

        ReadOnlySpan<T> dAx = ws.DAxAll.AsSpan(r0 * g, n * g);
        ReadOnlySpan<T> dAh = dAhAll.AsSpan(r0 * g, n * g);
        Kernels.MatMulTransposedA<T>(dAx, g, n, g, ActiveRows(ws, input, inSize, r0, n, ws.TransB), inSize, inSize, grad.Wx, inSize, accumulate);
        ReadOnlySpan<T> hPrev = ActiveRows(ws, tape.HPrev, h, r0, n, ws.TransB);
        if (Spec.Kind == CellKind.Gru && !Spec.LinearBeforeReset)
        {
            Kernels.MatMulTransposedA<T>(dAh, 2 * h, n, g, hPrev, h, h, grad.Wh, h, accumulate);
            for (int r = r0; r < r0 + n; r++)
            {
                // r ⊙ h_prev of each row, in place of H_prev.
                Span<T> dst = ws.TransB.AsSpan((r - r0) * h, h);
                if (ws.Active[r])
                {
                    TensorPrimitives.Multiply(tape.Act.AsSpan(r * g, h), tape.HPrev.AsSpan(r * h, h), dst);
                }
                else
                {
                    dst.Clear();
                }
            }

            Kernels.MatMulTransposedA<T>(dAh.Slice(2 * h), h, n, g, ws.TransB, h, h, grad.Wh.AsSpan(2 * h * h), h, accumulate);
        }
        else
        {
            Kernels.MatMulTransposedA<T>(dAh, g, n, g, hPrev, h, h, grad.Wh, h, accumulate);
        }
    }

    /// <summary>The array of dA_h: DAhAll for the GRU, DAxAll itself for the LSTM and the RNN (where dA_h = dA_x).</summary>
    private T[] DAh(Workspace<T> ws) => Spec.Kind == CellKind.Gru ? ws.DAhAll : ws.DAxAll;

    /// <summary>
    /// Rows [r0, r0 + n) of src [rows][cols] with the rows where no cell was applied replaced by zeros (their content is not
    /// defined): src itself when every row is active, else a copy in <paramref name="scratch"/>.
    /// </summary>
    private static ReadOnlySpan<T> ActiveRows(Workspace<T> ws, ReadOnlySpan<T> src, int cols, int r0, int n, Span<T> scratch)
    {
        if (!ws.Active.AsSpan(r0, n).Contains(false))
        {
            return src.Slice(r0 * cols, n * cols);
        }

        for (int r = r0; r < r0 + n; r++)
        {
            Span<T> dst = scratch.Slice((r - r0) * cols, cols);
            if (ws.Active[r])
            {
                src.Slice(r * cols, cols).CopyTo(dst);
            }
            else
            {
                dst.Clear();
            }
        }

        return scratch.Slice(0, n * cols);
    }

    /// <summary>Loads one vector of <paramref name="s"/> at <paramref name="at"/> (the caller keeps at + Vector&lt;T&gt;.Count ≤ length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Load(ReadOnlySpan<T> s, int at) => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)at);

    /// <summary>Stores one vector into <paramref name="s"/> at <paramref name="at"/> (the caller keeps it in bounds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector<T> v, Span<T> s, int at) => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)at);

    /// <summary>
    /// v ⊙ clip'(a) for the pre-activations a at <paramref name="at"/>: without a clip the factor is exactly 1 for every a, so
    /// v is returned as it is (the same bits) and the tape's pre-activations are not read (at B = 64 they come from memory and are
    /// a third of what the LSTM's row pass reads).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector<T> Clipped(Vector<T> v, ReadOnlySpan<T> pre, int at) =>
        _clip <= T.Zero ? v : v * ActivationMath.ClipDerivative(Load(pre, at), _clip);

    /// <summary>Elements of a row handled by whole vectors (the rest, fewer than one vector, by the scalar loop).</summary>
    private static int VectorPart(int h) =>
        Vector.IsHardwareAccelerated && Vector<T>.IsSupported ? h - (h % Vector<T>.Count) : 0;

    /// <summary>
    /// RNN: dA = (dh_t ⊙ f'(a)) ⊙ clip'(a) with dh_t = dh + dy, seen by both W_x and W_h; the carried dh is cleared (it is refilled
    /// with W_hᵀ dA by the caller). Vectorised over the row; every lane is the scalar formula's chain of roundings.
    /// </summary>
    private void RnnRowBackward(Workspace<T> ws, Workspace<T>.Tape tape, int row, int b, ReadOnlySpan<T> dyb)
    {
        int h = H;
        ReadOnlySpan<T> pre = tape.Pre.AsSpan(row * h, h), act = tape.Act.AsSpan(row * h, h);
        Span<T> dhb = ws.DH.AsSpan(b * h, h), dA = ws.DAxAll.AsSpan(row * h, h);
        int j = 0;
        for (int end = VectorPart(h); j < end; j += Vector<T>.Count)
        {
            var dhT = Load(dhb, j) + Load(dyb, j);
            Store(Clipped(dhT * ActivationMath.DerivativeFromOutput(_f, Load(act, j)), pre, j), dA, j);
        }

        for (; j < h; j++)
        {
            T dhT = dhb[j] + dyb[j];
            dA[j] = dhT * ActivationMath.DerivativeFromOutput(_f, act[j]) * ActivationMath.ClipDerivative(pre[j], _clip);
        }

        dhb.Clear();
    }

    /// <summary>
    /// LSTM row: from dh_t = dh + dy and the carried dc_t (DC) to dA = ∂/∂(a_i, a_f, a_g, a_o) (written into DAxAll, which W_h
    /// sees too), dc_{t−1} (DC, overwritten), dP; the carried dh is cleared (it is refilled with W_hᵀ dA by the caller).
    /// Vectorised over the row; every lane is the scalar formula's chain of roundings (no contraction into FMAs).
    /// </summary>
    private void LstmRowBackward(Workspace<T> ws, Params p, Workspace<T>.Tape tape, LayerGradients<T> grad, int row, int b, ReadOnlySpan<T> dyb)
    {
        int h = H, g = 4 * h;
        ReadOnlySpan<T> pre = tape.Pre.AsSpan(row * g, g), act = tape.Act.AsSpan(row * g, g);
        ReadOnlySpan<T> hc = tape.HC.AsSpan(row * h, h), cRaw = tape.CRaw.AsSpan(row * h, h), cp = tape.CPrev.AsSpan(row * h, h);
        Span<T> dc = ws.DC.AsSpan(b * h, h), dhb = ws.DH.AsSpan(b * h, h), dA = ws.DAxAll.AsSpan(row * g, g);
        ReadOnlySpan<T> peep = p.P;
        Span<T> dP = grad.P;
        bool hasP = p.P is not null;
        bool fFromI = Spec.InputForget && Spec.InputForgetReading == InputForgetReading.ForgetFromInput;
        bool iFromF = Spec.InputForget && Spec.InputForgetReading == InputForgetReading.InputFromForget;
        int j = 0;
        var clipLo = new Vector<T>(-_clip);
        var clipHi = new Vector<T>(_clip);
        for (int end = VectorPart(h); j < end; j += Vector<T>.Count)
        {
            Vector<T> i = Load(act, j), f = Load(act, h + j), gg = Load(act, (2 * h) + j), o = Load(act, (3 * h) + j);
            Vector<T> hcj = Load(hc, j), cr = Load(cRaw, j), cpj = Load(cp, j);
            var dhT = Load(dhb, j) + Load(dyb, j);
            var dcT = Load(dc, j) + (dhT * o * ActivationMath.DerivativeFromOutput(_h, hcj));
            var daO = Clipped(dhT * hcj * ActivationMath.DerivativeFromOutput(_f, o), pre, (3 * h) + j);
            if (hasP)
            {
                var c = _clipCell ? Vector.Min(Vector.Max(cr, clipLo), clipHi) : cr;
                dcT += daO * Load(peep, (2 * h) + j);
                Store(Load(dP, (2 * h) + j) + (daO * c), dP, (2 * h) + j);
            }

            var dcRaw = _clipCell ? dcT * ActivationMath.ClipDerivative(cr, _clip) : dcT;
            Vector<T> di = dcRaw * gg, dg = dcRaw * i, df = dcRaw * cpj;
            var dcPrev = dcRaw * f;
            if (fFromI)
            {
                di -= df;
                df = Vector<T>.Zero;
            }
            else if (iFromF)
            {
                df -= di;
                di = Vector<T>.Zero;
            }

            var daI = Clipped(di * ActivationMath.DerivativeFromOutput(_f, i), pre, j);
            var daF = Clipped(df * ActivationMath.DerivativeFromOutput(_f, f), pre, h + j);
            var daG = Clipped(dg * ActivationMath.DerivativeFromOutput(_g, gg), pre, (2 * h) + j);
            if (hasP)
            {
                dcPrev += (daI * Load(peep, j)) + (daF * Load(peep, h + j));
                Store(Load(dP, j) + (daI * cpj), dP, j);
                Store(Load(dP, h + j) + (daF * cpj), dP, h + j);
            }

            Store(daI, dA, j);
            Store(daF, dA, h + j);
            Store(daG, dA, (2 * h) + j);
            Store(daO, dA, (3 * h) + j);
            Store(dcPrev, dc, j);
        }

        for (; j < h; j++)
        {
            T i = act[j], f = act[h + j], gg = act[(2 * h) + j], o = act[(3 * h) + j];
            T c = _clipCell ? T.Clamp(cRaw[j], -_clip, _clip) : cRaw[j];
            T dhT = dhb[j] + dyb[j];
            T dcT = dc[j] + (dhT * o * ActivationMath.DerivativeFromOutput(_h, hc[j]));
            T daO = dhT * hc[j] * ActivationMath.DerivativeFromOutput(_f, o) * ActivationMath.ClipDerivative(pre[(3 * h) + j], _clip);
            if (hasP)
            {
                dcT += daO * peep[(2 * h) + j];
                dP[(2 * h) + j] += daO * c;
            }

            T dcRaw = _clipCell ? dcT * ActivationMath.ClipDerivative(cRaw[j], _clip) : dcT;
            T di = dcRaw * gg, dg = dcRaw * i, df = dcRaw * cp[j];
            T dcPrev = dcRaw * f;
            if (fFromI)
            {
                di -= df;
                df = T.Zero;
            }
            else if (iFromF)
            {
                df -= di;
                di = T.Zero;
            }

            T daI = di * ActivationMath.DerivativeFromOutput(_f, i) * ActivationMath.ClipDerivative(pre[j], _clip);
            T daF = df * ActivationMath.DerivativeFromOutput(_f, f) * ActivationMath.ClipDerivative(pre[h + j], _clip);
            T daG = dg * ActivationMath.DerivativeFromOutput(_g, gg) * ActivationMath.ClipDerivative(pre[(2 * h) + j], _clip);
            if (hasP)
            {
                dcPrev += (daI * peep[j]) + (daF * peep[h + j]);
                dP[j] += daI * cp[j];
                dP[h + j] += daF * cp[j];
            }

            dA[j] = daI;
            dA[h + j] = daF;
            dA[(2 * h) + j] = daG;
            dA[(3 * h) + j] = daO;
            dc[j] = dcPrev;
        }

        dhb.Clear();
    }

    /// <summary>
    /// GRU row: h' = n + z ⊙ (h − n). From dh' = dh + dy to dA_x = ∂/∂(W_x-side pre-activations) (DAxAll), dA_h = ∂/∂(recurrent
    /// products) (DAhAll) and the direct part of dh (DH, overwritten: z ⊙ dh', plus r ⊙ U_nᵀ da_n when the reset precedes the
    /// product). Vectorised over the row; every lane is the scalar formula's chain of roundings.
    /// </summary>
    private void GruRowBackward(Workspace<T> ws, Params p, Workspace<T>.Tape tape, int row, int b, ReadOnlySpan<T> dyb)
    {
        int h = H, g = 3 * h;
        bool after = Spec.LinearBeforeReset;
        ReadOnlySpan<T> pre = tape.Pre.AsSpan(row * g, g), act = tape.Act.AsSpan(row * g, g);
        ReadOnlySpan<T> hp = tape.HPrev.AsSpan(row * h, h), ghn = tape.GhN.AsSpan(row * h, h);
        Span<T> dhb = ws.DH.AsSpan(b * h, h), dAx = ws.DAxAll.AsSpan(row * g, g), dAh = ws.DAhAll.AsSpan(row * g, g);
        int vectorEnd = VectorPart(h);
        int j = 0;
        for (; j < vectorEnd; j += Vector<T>.Count)
        {
            Vector<T> r = Load(act, j), z = Load(act, h + j), n = Load(act, (2 * h) + j);
            var dhT = Load(dhb, j) + Load(dyb, j);
            var dn = dhT * (Vector<T>.One - z);
            var dz = dhT * (Load(hp, j) - n);
            Store(dhT * z, dhb, j);
            var daN = Clipped(dn * ActivationMath.DerivativeFromOutput(_g, n), pre, (2 * h) + j);
            var daZ = Clipped(dz * ActivationMath.DerivativeFromOutput(_f, z), pre, h + j);
            Store(daN, dAx, (2 * h) + j);
            Store(daZ, dAx, h + j);
            Store(daZ, dAh, h + j);
            if (after)
            {
                // dr = da_n ⊙ (U_n h + b_hn), turned into da_r.
                Store(daN * r, dAh, (2 * h) + j);
                var daR = daN * Load(ghn, j) * Clipped(ActivationMath.DerivativeFromOutput(_f, r), pre, j);
                Store(daR, dAx, j);
                Store(daR, dAh, j);
            }
            else
            {
                Store(daN, dAh, (2 * h) + j);
            }
        }

        for (; j < h; j++)
        {
            T r = act[j], z = act[h + j], n = act[(2 * h) + j];
            T dhT = dhb[j] + dyb[j];
            T dn = dhT * (T.One - z);
            T dz = dhT * (hp[j] - n);
            dhb[j] = dhT * z;
            T daN = dn * ActivationMath.DerivativeFromOutput(_g, n) * ActivationMath.ClipDerivative(pre[(2 * h) + j], _clip);
            T daZ = dz * ActivationMath.DerivativeFromOutput(_f, z) * ActivationMath.ClipDerivative(pre[h + j], _clip);
            dAx[(2 * h) + j] = daN;
            dAx[h + j] = daZ;
            dAh[h + j] = daZ;
            if (after)
            {
                dAh[(2 * h) + j] = daN * r;
                T daR = daN * ghn[j] * (ActivationMath.DerivativeFromOutput(_f, r) * ActivationMath.ClipDerivative(pre[j], _clip));
                dAx[j] = daR;
                dAh[j] = daR;
            }
            else
            {
                dAh[(2 * h) + j] = daN;
            }
        }

        if (after)
        {
            return;
        }

        // a_n contains U_n (r ⊙ h): ∂/∂(r ⊙ h) = U_nᵀ da_n, then dr = that ⊙ h and dh += that ⊙ r.
        var drh = ws.DRh.AsSpan();
        drh.Clear();
        Kernels.AddTransposedProduct<T>(p.Wh.AsSpan(2 * h * h, h * h), h, h, dAx.Slice(2 * h, h), drh);
        for (j = 0; j < vectorEnd; j += Vector<T>.Count)
        {
            var d = Load(drh, j);
            var daR = d * Load(hp, j) * Clipped(ActivationMath.DerivativeFromOutput(_f, Load(act, j)), pre, j);
            Store(Load(dhb, j) + (d * Load(act, j)), dhb, j);
            Store(daR, dAx, j);
            Store(daR, dAh, j);
        }

        for (; j < h; j++)
        {
            T daR = drh[j] * hp[j] * (ActivationMath.DerivativeFromOutput(_f, act[j]) * ActivationMath.ClipDerivative(pre[j], _clip));
            dhb[j] += drh[j] * act[j];
            dAx[j] = daR;
            dAh[j] = daR;
        }
    }
}
