using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnVerify.Cells;

public sealed partial class Network<T>
{
    /// <summary>
    /// Whether a step whose rows are all valid runs its pointwise work as one fused pass per row (<see cref="LstmStepFused"/>,
    /// <see cref="GruStepFused"/>): float32 cells (for double the span exponential is not lane for lane
    /// <see cref="Vector.Exp(Vector{double})"/>), the default activations (σ for the gates, tanh for the candidate and the LSTM's h), no clip,
    /// vectors accelerated, and H a multiple of <see cref="Vector{T}"/>'s width and at least the widest accelerated vector's
    /// element count. There the row-by-row path's <see cref="System.Numerics.Tensors.TensorPrimitives"/> calls evaluate every
    /// element with the vectorised σ and tanh (no scalar remainder), which <see cref="ActivationMath.Sigmoid(Vector{float})"/>
    /// and <see cref="ActivationMath.Tanh(Vector{float})"/> reproduce bit for bit, and the fused pass needs no remainder loop.
    /// </summary>
    private static bool FusedGatesApply(CellKind kind, int hiddenSize, Activation f, Activation g, Activation h, T clip, bool clipCell) =>
        kind != CellKind.Rnn
        && f == Activation.Sigmoid && g == Activation.Tanh && (kind != CellKind.Lstm || h == Activation.Tanh)
        && !(clip > T.Zero) && !clipCell
        && typeof(T) == typeof(float) && Vector.IsHardwareAccelerated
        && hiddenSize % Vector<float>.Count == 0 && hiddenSize >= BlockMinimum;

    /// <summary>
    /// Whether step t runs fused: every row valid (t below the shortest length), <see cref="_fusedGates"/>, and an LSTM without
    /// peepholes or input_forget or a GRU with the reset after the product. A fused step also adds the projection bias itself.
    /// </summary>
    private bool IsFusedStep(Workspace<T> ws, Params p, int t) =>
        _fusedGates && t < ws.MinLen
        && (Spec.Kind == CellKind.Lstm ? p.P is null && !Spec.InputForget : Spec.LinearBeforeReset);

    /// <summary>
    /// <see cref="LstmStep"/> when every row is valid at t, without peepholes or input_forget, under <see cref="_fusedGates"/>:
    /// one pass over each row that reads the input projection and the recurrent product of the four gates and the states, and
    /// writes the tape (pre-activations, gates, c_{t−1}, c before the clip, h(c), h_{t−1}) and the new states while they are in
    /// registers: a_k = (pre_k + b_k) + rec_k (pre the input projection, b = b_x + b_h), i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o), c = (i ⊙ g) + (f ⊙ c_{t−1}),
    /// h = o ⊙ tanh(c). Each element is the same chain of roundings as on the row-by-row path.
    /// </summary>
    private void LstmStepFused(Workspace<T> ws, Params p, Workspace<T>.Tape tape, int t)
    {
        int h = H, g = 4 * h, batch = ws.Batch, w = Vector<float>.Count;
        ReadOnlySpan<float> bias = F(p.ProjectionBias);
        if (Vector512.IsHardwareAccelerated && Vector<float>.Count < Vector512<float>.Count && h % Vector512<float>.Count == 0)
        {
            LstmStepFused512(ws, p, tape, t);
            return;
        }

        for (int b = 0; b < batch; b++)
        {
            int row = (t * batch) + b;
            Span<float> pre = F(tape.Pre.AsSpan(row * g, g)), act = F(tape.Act.AsSpan(row * g, g));
            ReadOnlySpan<float> rec = F(ws.Rec.AsSpan(b * g, g));
            Span<float> hs = F(tape.H.AsSpan(b * h, h)), cs = F(tape.C.AsSpan(b * h, h));
            Span<float> hp = F(tape.HPrev.AsSpan(row * h, h)), cp = F(tape.CPrev.AsSpan(row * h, h));
            Span<float> cr = F(tape.CRaw.AsSpan(row * h, h)), hc = F(tape.HC.AsSpan(row * h, h));
            for (int j = 0; j < h; j += w)
            {
                var ai = (LoadF(pre, j) + LoadF(bias, j)) + LoadF(rec, j);
                var af = (LoadF(pre, h + j) + LoadF(bias, h + j)) + LoadF(rec, h + j);
                var ag = (LoadF(pre, (2 * h) + j) + LoadF(bias, (2 * h) + j)) + LoadF(rec, (2 * h) + j);
                var ao = (LoadF(pre, (3 * h) + j) + LoadF(bias, (3 * h) + j)) + LoadF(rec, (3 * h) + j);
                StoreF(ai, pre, j);
                StoreF(af, pre, h + j);
                StoreF(ag, pre, (2 * h) + j);
                StoreF(ao, pre, (3 * h) + j);
                var i = ActivationMath.Sigmoid(ai);
                var f = ActivationMath.Sigmoid(af);
                var gg = ActivationMath.Tanh(ag);
                var o = ActivationMath.Sigmoid(ao);
                StoreF(i, act, j);
                StoreF(f, act, h + j);
                StoreF(gg, act, (2 * h) + j);
                StoreF(o, act, (3 * h) + j);
                var cPrev = LoadF(cs, j);
                StoreF(cPrev, cp, j);
                var c = (i * gg) + (f * cPrev);
                StoreF(c, cr, j);
                StoreF(c, cs, j);
                var tc = ActivationMath.Tanh(c);
                StoreF(tc, hc, j);
                StoreF(LoadF(hs, j), hp, j);
                StoreF(o * tc, hs, j);
            }
        }
    }

    /// <summary>
    /// <see cref="LstmStepFused"/> on 512-bit vectors where they are accelerated but <see cref="Vector{T}"/> is narrower (its
    /// default width is 256 bits) and H is a multiple of 16: the same operations per element, hence the same bits (every
    /// operation is lane by lane, and the exponential is the same algorithm at every width), in half the loop iterations.
    /// </summary>
    private void LstmStepFused512(Workspace<T> ws, Params p, Workspace<T>.Tape tape, int t)
    {
        int h = H, g = 4 * h, batch = ws.Batch, w = Vector512<float>.Count;
        ref float bias = ref MemoryMarshal.GetReference(F(p.ProjectionBias));
        for (int b = 0; b < batch; b++)
        {
            int row = (t * batch) + b;
            ref float pre = ref MemoryMarshal.GetReference(F(tape.Pre.AsSpan(row * g, g)));
            ref float act = ref MemoryMarshal.GetReference(F(tape.Act.AsSpan(row * g, g)));
            ref float rec = ref MemoryMarshal.GetReference(F(ws.Rec.AsSpan(b * g, g)));
            ref float hs = ref MemoryMarshal.GetReference(F(tape.H.AsSpan(b * h, h)));
            ref float cs = ref MemoryMarshal.GetReference(F(tape.C.AsSpan(b * h, h)));
            ref float hp = ref MemoryMarshal.GetReference(F(tape.HPrev.AsSpan(row * h, h)));
            ref float cp = ref MemoryMarshal.GetReference(F(tape.CPrev.AsSpan(row * h, h)));
            ref float cr = ref MemoryMarshal.GetReference(F(tape.CRaw.AsSpan(row * h, h)));
            ref float hc = ref MemoryMarshal.GetReference(F(tape.HC.AsSpan(row * h, h)));
            nuint uh = (nuint)h;
            for (nuint j = 0; j < uh; j += (nuint)w)
            {
                var ai = (Vector512.LoadUnsafe(ref pre, j) + Vector512.LoadUnsafe(ref bias, j)) + Vector512.LoadUnsafe(ref rec, j);
                var af = (Vector512.LoadUnsafe(ref pre, uh + j) + Vector512.LoadUnsafe(ref bias, uh + j)) + Vector512.LoadUnsafe(ref rec, uh + j);
                var ag = (Vector512.LoadUnsafe(ref pre, (2 * uh) + j) + Vector512.LoadUnsafe(ref bias, (2 * uh) + j))
                    + Vector512.LoadUnsafe(ref rec, (2 * uh) + j);
                var ao = (Vector512.LoadUnsafe(ref pre, (3 * uh) + j) + Vector512.LoadUnsafe(ref bias, (3 * uh) + j))
                    + Vector512.LoadUnsafe(ref rec, (3 * uh) + j);
                ai.StoreUnsafe(ref pre, j);
                af.StoreUnsafe(ref pre, uh + j);
                ag.StoreUnsafe(ref pre, (2 * uh) + j);
                ao.StoreUnsafe(ref pre, (3 * uh) + j);
                var i = ActivationMath.Sigmoid(ai);
                var f = ActivationMath.Sigmoid(af);
                var gg = ActivationMath.Tanh(ag);
                var o = ActivationMath.Sigmoid(ao);
                i.StoreUnsafe(ref act, j);
                f.StoreUnsafe(ref act, uh + j);
                gg.StoreUnsafe(ref act, (2 * uh) + j);
                o.StoreUnsafe(ref act, (3 * uh) + j);
                var cPrev = Vector512.LoadUnsafe(ref cs, j);
                cPrev.StoreUnsafe(ref cp, j);
                var c = (i * gg) + (f * cPrev);
                c.StoreUnsafe(ref cr, j);
                c.StoreUnsafe(ref cs, j);
                var tc = ActivationMath.Tanh(c);
                tc.StoreUnsafe(ref hc, j);
                Vector512.LoadUnsafe(ref hs, j).StoreUnsafe(ref hp, j);
                (o * tc).StoreUnsafe(ref hs, j);
            }
        }
    }

    /// <summary>
    /// <see cref="GruStep"/> with the reset after the product when every row is valid at t, under <see cref="_fusedGates"/>: one
    /// pass over the r and z columns of each row (a = (pre + b) + rec with the projection bias b, σ(a)), then one over its n columns that forms U_n h + b_hn,
    /// (pre_n + b_xn) + r ⊙ (U_n h + b_hn), n = tanh(a_n) and h' = z ⊙ (h − n) + n, writing the tape and the new state while they are in
    /// registers. Each element is the same chain of roundings as on the row-by-row path.
    /// </summary>
    private void GruStepFused(Workspace<T> ws, Params p, Workspace<T>.Tape tape, int t)
    {
        int h = H, g = 3 * h, batch = ws.Batch, w = Vector<float>.Count;
        ReadOnlySpan<float> bhn = F(p.Bh.AsSpan(2 * h, h)), bias = F(p.ProjectionBias);
        for (int b = 0; b < batch; b++)
        {
            int row = (t * batch) + b;
            Span<float> pre = F(tape.Pre.AsSpan(row * g, g)), act = F(tape.Act.AsSpan(row * g, g));
            ReadOnlySpan<float> rec = F(ws.Rec.AsSpan(b * g, g));
            Span<float> hs = F(tape.H.AsSpan(b * h, h)), hp = F(tape.HPrev.AsSpan(row * h, h)), ghn = F(tape.GhN.AsSpan(row * h, h));
            for (int j = 0; j < 2 * h; j += w)
            {
                var a = (LoadF(pre, j) + LoadF(bias, j)) + LoadF(rec, j);
                StoreF(a, pre, j);
                StoreF(ActivationMath.Sigmoid(a), act, j);
            }

            for (int j = 0; j < h; j += w)
            {
                var gh = LoadF(rec, (2 * h) + j) + LoadF(bhn, j);
                StoreF(gh, ghn, j);
                var an = (LoadF(act, j) * gh) + (LoadF(pre, (2 * h) + j) + LoadF(bias, (2 * h) + j));
                StoreF(an, pre, (2 * h) + j);
                var n = ActivationMath.Tanh(an);
                StoreF(n, act, (2 * h) + j);
                var hPrev = LoadF(hs, j);
                StoreF(hPrev, hp, j);
                StoreF((LoadF(act, h + j) * (hPrev - n)) + n, hs, j);
            }
        }
    }

    /// <summary>A float32 network's span as floats (the fused passes run only when T is float).</summary>
    private static Span<float> F(Span<T> s) => MemoryMarshal.Cast<T, float>(s);

    /// <summary>Loads one vector of <paramref name="s"/> at <paramref name="at"/> (the caller keeps it in bounds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> LoadF(ReadOnlySpan<float> s, int at) => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)at);

    /// <summary>Stores one vector into <paramref name="s"/> at <paramref name="at"/> (the caller keeps it in bounds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreF(Vector<float> v, Span<float> s, int at) => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)at);
}
