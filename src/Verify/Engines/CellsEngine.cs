using System.Numerics;
using RnnVerify.Cells;
using RnnVerify.Cells.Layouts;
using RnnVerify.Verify.Cases;

namespace RnnVerify.Verify.Engines;

/// <summary>
/// The C# cells of src/Cells (<see cref="Network{T}"/>) in float32 or float64: forward, and when the case gives
/// <c>claimed.grad.dy</c> the vector–Jacobian product (∂L/∂x, ∂L/∂h0, ∂L/∂c0 and ∂L/∂w per layout weight) for
/// L = ⟨dy, y⟩ + ⟨dh_n, h_n⟩ + ⟨dc_n, c_n⟩. Inputs and weights are rounded to the dtype first.
/// </summary>
public sealed class CellsEngine : IEngine
{
    /// <inheritdoc/>
    public string Name => "cells";

    /// <inheritdoc/>
    public Claimed Run(RnnCase c, Dtype dtype)
    {
        ArgumentNullException.ThrowIfNull(c);
        try
        {
            return dtype == Dtype.Float32 ? RunAs<float>(c) : RunAs<double>(c);
        }
        catch (ArgumentException e)
        {
            throw new EngineException($"the cells refused the case: {e.Message}", e);
        }
    }

    private static T[] Convert<T>(double[]? d) where T : unmanaged, IFloatingPointIeee754<T> =>
        d is null ? [] : Array.ConvertAll(d, T.CreateTruncating); // CreateTruncating double → float rounds to nearest

    private static Tensor Widen<T>(T[] data, int[] shape) where T : unmanaged, IFloatingPointIeee754<T> =>
        new(shape, Array.ConvertAll(data, double.CreateTruncating));

    private static Claimed RunAs<T>(RnnCase c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var spec = c.Spec;
        var net = new Network<T>(c.Weights);
        int B = c.Batch, D = spec.Directions, H = spec.HiddenSize, LD = spec.NumLayers * D;
        int[] yShape = [c.T, B, D * H], sShape = [LD, B, H];
        bool lstm = spec.Kind == CellKind.Lstm;
        var x = Convert<T>(c.X.Data);
        var h0 = Convert<T>(c.H0?.Data);
        var c0 = Convert<T>(c.C0?.Data);
        ReadOnlySpan<int> lens = c.SeqLens ?? [];
        var y = new T[c.T * B * D * H];
        var hN = new T[LD * B * H];
        var cN = lstm ? new T[LD * B * H] : [];
        net.Forward(B, x, lens, h0, c0, y, hN, cN);
        ClaimedGrad? grad = null;
        if (c.Claimed.Grad is { } g)
        {
            var grads = new NetworkGradients<T>(spec);
            var dx = new T[x.Length];
            var dh0 = new T[LD * B * H];
            var dc0 = lstm ? new T[LD * B * H] : [];
            net.Backward(B, x, lens, h0, c0, Convert<T>(g.Dy.Data), Convert<T>(g.DhN?.Data), lstm ? Convert<T>(g.DcN?.Data) : [],
                grads, dx, dh0, dc0);
            grad = new ClaimedGrad
            {
                Dy = g.Dy,
                DhN = g.DhN,
                DcN = g.DcN,
                X = Widen(dx, c.X.Shape),
                H0 = Widen(dh0, sShape),
                C0 = lstm ? Widen(dc0, sShape) : null,
                Weights = LayoutGradients(c, grads.ToNetworkWeights()),
            };
        }
        return new Claimed
        {
            Y = Widen(y, yShape),
            HN = Widen(hN, sShape),
            CN = lstm ? Widen(cN, sShape) : null,
            Grad = grad,
        };
    }

    /// <summary>
    /// Canonical gradients in the case's layout. Every layout maps weights by permutation and transposition, so gradients
    /// map the same way; the exception is a layout's single bias b (Keras except GRU reset_after), imported as b_x with
    /// b_h = 0: its gradient is ∂L/∂b_x alone, so ∂L/∂b_h is dropped before the export (which would add it).
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> LayoutGradients(RnnCase c, NetworkWeights canonicalGradients)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(canonicalGradients);
        var g = canonicalGradients;
        if (c.Layout == "keras" && !(c.Spec.Kind == CellKind.Gru && c.Spec.LinearBeforeReset))
            g = g with { Layers = g.Layers.Select(l => l with { Bh = new double[l.Bh.Length] }).ToArray() };
        return WeightLayouts.Get(c.Layout)!.Export(g).ToDictionary(kv => kv.Key, kv => new Tensor(kv.Value.Shape, kv.Value.Data), StringComparer.Ordinal);
    }
}
