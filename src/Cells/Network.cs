using System.Numerics;

namespace RnnVerify.Cells;

/// <summary>
/// A stacked, optionally bidirectional Elman RNN, LSTM or GRU network over element type <typeparamref name="T"/>
/// (float or double), with forward evaluation and backpropagation through time. See docs/cells.md for the equations.
/// <para>
/// Shapes (sequence-first, flattened row-major): x [T][B][InputSize]; y [T][B][D·H]; h0, c0, h_n, c_n [L·D][B][H],
/// with L = NumLayers, D = Directions, H = HiddenSize, B the batch and T the number of steps (T ≥ 1, B ≥ 1).
/// Sequence lengths: one per batch entry, 0 ≤ len ≤ T; steps t ≥ len are padding.
/// </para>
/// <para>
/// An instance keeps the weights converted to <typeparamref name="T"/> and a workspace reused across calls of the same size,
/// so it is not safe to call one instance from several threads at once; use one instance per thread.
/// </para>
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
public sealed partial class Network<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Params[] _params;
    private readonly Activation _f;
    private readonly Activation _g;
    private readonly Activation _h;
    private readonly T _clip;
    private readonly bool _clipCell;
    private readonly bool _fusedGates;
    private Workspace<T>? _workspace;

    /// <summary>Converts and validates the weights (lengths against <see cref="NetworkWeights.Spec"/>).</summary>
    /// <exception cref="ArgumentException">A weight array has the wrong length, or the spec is inconsistent.</exception>
    public Network(NetworkWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var spec = weights.Spec;
        ValidateSpec(spec);
        Spec = spec;
        int lds = spec.NumLayers * spec.Directions;
        ThrowHelper.CheckLength("weights.Layers", weights.Layers.Count, "numLayers·directions", lds);
        int h = spec.HiddenSize;
        int g = spec.Gates * h;
        _params = new Params[lds];
        for (int l = 0; l < spec.NumLayers; l++)
        {
            int input = spec.LayerInputSize(l);
            for (int d = 0; d < spec.Directions; d++)
            {
                int ld = (l * spec.Directions) + d;
                var w = weights.Layers[ld] ?? throw new ArgumentException($"weights.Layers[{ld}] is null", nameof(weights));
                string name = $"weights.Layers[{ld}]";
                ThrowHelper.CheckLength(name + ".Wx", w.Wx.Length, "gates·hiddenSize·layerInputSize", g * input);
                ThrowHelper.CheckLength(name + ".Wh", w.Wh.Length, "gates·hiddenSize·hiddenSize", g * h);
                ThrowHelper.CheckLength(name + ".Bx", w.Bx.Length, "gates·hiddenSize", g);
                ThrowHelper.CheckLength(name + ".Bh", w.Bh.Length, "gates·hiddenSize", g);
                bool peep = spec.Kind == CellKind.Lstm && spec.Peepholes;
                if (peep)
                {
                    if (w.P is null)
                    {
                        ThrowHelper.ThrowInvalid(name + ".P", "the spec has peepholes but P is null");
                    }

                    ThrowHelper.CheckLength(name + ".P", w.P!.Length, "3·hiddenSize", 3 * h);
                }

                var bias = new T[g];
                for (int j = 0; j < g; j++)
                {
                    // The recurrent bias joins the input projection except for the GRU candidate, where the reset gate scales it.
                    bool keepApart = spec.Kind == CellKind.Gru && j >= 2 * h;
                    bias[j] = T.CreateChecked(keepApart ? w.Bx[j] : w.Bx[j] + w.Bh[j]);
                }

                var wx = Narrow(w.Wx);
                var wh = Narrow(w.Wh);
                // W_hᵀ for dh += W_hᵀ dA_h; with the GRU reset before the product the candidate rows act on r ⊙ h instead and are
                // handled apart, so their columns are left zero here.
                int rowsInWhT = spec.Kind == CellKind.Gru && !spec.LinearBeforeReset ? 2 * h : g;
                var whT = Transpose(wh, rowsInWhT, h, g);
                // The per-step recurrent product reads W_hᵀ's first recurrentColumns columns (r and z only for the GRU
                // with the reset before the product): packed once here instead of at every step.
                int recurrentColumns = spec.Kind == CellKind.Gru && !spec.LinearBeforeReset ? 2 * h : g;
                var wxT = Transpose(wx, g, input, g);
                _params[ld] = new Params(wx, wh, Narrow(w.Bh), peep ? Narrow(w.P!) : null, bias, input,
                    wxT, whT, Kernels.PackOnce<T>(whT, h, g, recurrentColumns),
                    Kernels.PackOnce<T>(wh, rowsInWhT, h, h), Kernels.PackOnce<T>(wxT, input, g, g, Kernels.KBlockProjection),
                    Kernels.PackOnce<T>(wx, g, input, input));
            }
        }

        var acts = spec.EffectiveActivations;
        _f = acts[0];
        _g = acts.Count > 1 ? acts[1] : acts[0];
        _h = acts.Count > 2 ? acts[2] : acts[0];
        _clip = spec.Clip is double c ? T.CreateChecked(c) : T.Zero;
        _clipCell = spec.Kind == CellKind.Lstm && spec.Clip is not null && spec.ClipReading == ClipReading.GateInputsAndCell;
        _fusedGates = FusedGatesApply(spec.Kind, spec.HiddenSize, _f, _g, _h, _clip, _clipCell);
    }

    /// <summary>The spec of the weights this network was built from.</summary>
    public CellSpec Spec { get; }

    private int H => Spec.HiddenSize;

    private int D => Spec.Directions;

    private static T[] Narrow(double[] a) => Array.ConvertAll(a, T.CreateChecked);

    /// <summary>The first <paramref name="rows"/> rows of a [·][cols] matrix transposed into [cols][width] (other columns zero).</summary>
    private static T[] Transpose(T[] a, int rows, int cols, int width)
    {
        var t = new T[cols * width];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                t[(c * width) + r] = a[(r * cols) + c];
            }
        }

        return t;
    }

    private static void ValidateSpec(CellSpec spec)
    {
        if (spec.InputSize < 1)
        {
            ThrowHelper.ThrowInvalid("spec.InputSize", $"is {spec.InputSize}, expected ≥ 1");
        }

        if (spec.HiddenSize < 1)
        {
            ThrowHelper.ThrowInvalid("spec.HiddenSize", $"is {spec.HiddenSize}, expected ≥ 1");
        }

        if (spec.NumLayers < 1)
        {
            ThrowHelper.ThrowInvalid("spec.NumLayers", $"is {spec.NumLayers}, expected ≥ 1");
        }

        int expected = spec.Kind switch { CellKind.Lstm => 3, CellKind.Gru => 2, _ => 1 };
        ThrowHelper.CheckLength("spec.Activations", spec.EffectiveActivations.Count, $"activations of a {spec.Kind} cell", expected);
        if (spec.Clip is double c && !(c > 0 && double.IsFinite(c)))
        {
            ThrowHelper.ThrowInvalid("spec.Clip", $"is {c:R}, expected a finite positive bound or null");
        }
    }

    /// <summary>Checks the shapes shared by every entry point and fills the workspace's sequence lengths.</summary>
    private Workspace<T> Prepare(int batch, int xLength, ReadOnlySpan<int> seqLens, int h0Length, int c0Length, out int steps)
    {
        if (batch < 1)
        {
            ThrowHelper.ThrowInvalid(nameof(batch), $"is {batch}, expected ≥ 1");
        }

        int perStep = batch * Spec.InputSize;
        if (xLength == 0 || xLength % perStep != 0)
        {
            ThrowHelper.ThrowInvalid("x", $"has length {xLength}, expected steps·batch·inputSize = T·{batch}·{Spec.InputSize} with T ≥ 1 (T = 0 is not supported)");
        }

        steps = xLength / perStep;
        int states = Spec.NumLayers * D * batch * H;
        if (h0Length != 0)
        {
            ThrowHelper.CheckLength("h0", h0Length, "numLayers·directions·batch·hiddenSize", states);
        }

        if (c0Length != 0)
        {
            if (Spec.Kind != CellKind.Lstm)
            {
                ThrowHelper.ThrowInvalid("c0", $"has length {c0Length}, but only an LSTM has a cell state (pass an empty span)");
            }

            ThrowHelper.CheckLength("c0", c0Length, "numLayers·directions·batch·hiddenSize", states);
        }

        if (!seqLens.IsEmpty)
        {
            ThrowHelper.CheckLength("seqLens", seqLens.Length, "batch", batch);
            for (int b = 0; b < batch; b++)
            {
                if ((uint)seqLens[b] > (uint)steps)
                {
                    ThrowHelper.ThrowInvalid("seqLens", $"entry {b} is {seqLens[b]}, expected 0 ≤ len ≤ steps = {steps}");
                }
            }
        }

        var ws = _workspace;
        if (ws is null || ws.Steps != steps || ws.Batch != batch)
        {
            ws = new Workspace<T>(Spec, steps, batch);
            _workspace = ws;
        }

        for (int b = 0; b < batch; b++)
        {
            ws.Lens[b] = seqLens.IsEmpty ? steps : seqLens[b];
        }

        ws.MinLen = ws.Lens.Min();

        return ws;
    }

    /// <summary>Weights of one layer and direction in <typeparamref name="T"/>.</summary>
    /// <param name="Wx">[G·H][In].</param>
    /// <param name="Wh">[G·H][H].</param>
    /// <param name="Bh">[G·H] (only the GRU candidate part is read in the time loop).</param>
    /// <param name="P">[3·H] peepholes i, f, o or null.</param>
    /// <param name="ProjectionBias">b_x + b_h, except the GRU candidate rows which hold b_xn only.</param>
    /// <param name="InputSize">In.</param>
    /// <param name="WxT">W_xᵀ, [In][G·H].</param>
    /// <param name="WhT">W_hᵀ, [H][G·H] (GRU with the reset before the product: candidate columns zero).</param>
    /// <param name="WhTPacked">W_hᵀ's recurrent columns packed once for the blocked product (null where it does not run).</param>
    /// <param name="WhPacked">W_h's rows that act on h, packed once for the backward pass's dh += dA_h·W_h (null where the blocked
    /// product does not run).</param>
    /// <param name="WxTPacked">W_xᵀ packed once, in k blocks of <see cref="Kernels.KBlockProjection"/>, for the input projection of
    /// every call (null where the blocked product does not run).</param>
    /// <param name="WxPacked">W_x packed once for the backward pass's dX = dA_x·W_x (null where the blocked product does not run).</param>
    private sealed record Params(T[] Wx, T[] Wh, T[] Bh, T[]? P, T[] ProjectionBias, int InputSize, T[] WxT, T[] WhT, PackedPanels<T>? WhTPacked,
        PackedPanels<T>? WhPacked, PackedPanels<T>? WxTPacked, PackedPanels<T>? WxPacked);
}
