using System.Numerics;
using System.Numerics.Tensors;

namespace RnnVerify.Cells;

public sealed partial class Network<T>
{
    /// <summary>
    /// Time-synchronous loss L = Σ_b Σ_{t &lt; len_b} div(ŷ_{t,b}, τ_{t,b}) and, when <paramref name="gradients"/> is given, its gradients
    /// by backpropagation through time. ŷ_t = ψ(W_y y_t + b_y) with the <paramref name="head"/>, or ŷ_t = y_t without one
    /// (y in the caller's order, see <see cref="CellSpec.ReverseOrder"/>). Padded steps contribute no loss term.
    /// </summary>
    /// <param name="batch">B ≥ 1.</param>
    /// <param name="x">[T][B][InputSize].</param>
    /// <param name="seqLens">[B] or empty (all T).</param>
    /// <param name="h0">[L·D][B][H] or empty.</param>
    /// <param name="c0">[L·D][B][H] or empty (LSTM only).</param>
    /// <param name="targets">τ, [T][B][O] with O = head.OutputSize, or D·H without a head.</param>
    /// <param name="kind">The divergence.</param>
    /// <param name="head">Optional output layer.</param>
    /// <param name="gradients">Destination of the network's parameter gradients (overwritten), or null for the loss only.</param>
    /// <param name="headGradients">Destination of the head's gradients (overwritten), or null.</param>
    /// <param name="dx">∂L/∂x, [T][B][InputSize], or empty.</param>
    /// <param name="dh0">∂L/∂h0, [L·D][B][H], or empty.</param>
    /// <param name="dc0">∂L/∂c0, [L·D][B][H], or empty.</param>
    /// <param name="truncationWindow">0 for full BPTT; k ≥ 1: the gradient of the loss term at step t reaches only steps s with
    /// t − s &lt; k (unidirectional networks only).</param>
    /// <returns>The loss L.</returns>
    public T Loss(int batch, ReadOnlySpan<T> x, ReadOnlySpan<int> seqLens, ReadOnlySpan<T> h0, ReadOnlySpan<T> c0,
        ReadOnlySpan<T> targets, LossKind kind, OutputLayer? head,
        NetworkGradients<T>? gradients, OutputLayerGradients<T>? headGradients, Span<T> dx, Span<T> dh0, Span<T> dc0,
        int truncationWindow = 0)
    {
        var ws = Prepare(batch, x.Length, seqLens, h0.Length, c0.Length, out int steps);
        int dh = D * H;
        int outputs = dh;
        if (head is not null)
        {
            outputs = head.OutputSize;
            if (outputs < 1)
            {
                ThrowHelper.ThrowInvalid("head.OutputSize", $"is {outputs}, expected ≥ 1");
            }

            ThrowHelper.CheckLength("head.Wy", head.Wy.Length, "outputSize·directions·hiddenSize", outputs * dh);
            ThrowHelper.CheckLength("head.By", head.By.Length, "outputSize", outputs);
        }

        ThrowHelper.CheckLength(nameof(targets), targets.Length, head is null ? "steps·batch·directions·hiddenSize" : "steps·batch·outputSize", steps * batch * outputs);
        if (gradients is null)
        {
            if (!dx.IsEmpty || !dh0.IsEmpty || !dc0.IsEmpty || headGradients is not null)
            {
                ThrowHelper.ThrowInvalid(nameof(gradients), "is null but other gradient destinations were given");
            }
        }
        else
        {
            CheckGradientDestinations(steps, batch, gradients, dx.Length, dh0.Length, dc0.Length, truncationWindow);
        }

        if (headGradients is not null)
        {
            if (head is null)
            {
                ThrowHelper.ThrowInvalid(nameof(headGradients), "given without a head");
            }

            ThrowHelper.CheckLength("headGradients.Wy", headGradients.Wy.Length, "outputSize·directions·hiddenSize", outputs * dh);
            Array.Clear(headGradients.Wy);
            Array.Clear(headGradients.By);
        }

        ForwardCore(ws, x, h0, c0);
        WriteUserOutput(ws, ws.YUser);
        T loss = LossCore(ws, targets, kind, head, headGradients, outputs);
        if (gradients is not null)
        {
            BackwardCore(ws, x, ws.DYUser, default, default, gradients, dx, dh0, dc0, truncationWindow);
        }

        return loss;
    }

    /// <summary>Σ div over valid steps; fills DYUser = ∂L/∂y and accumulates the head's gradients.</summary>
    private T LossCore(Workspace<T> ws, ReadOnlySpan<T> targets, LossKind kind, OutputLayer? head, OutputLayerGradients<T>? headGradients, int outputs)
    {
        int steps = ws.Steps, batch = ws.Batch, dh = D * H;
        T[]? wy = head is null ? null : Narrow(head.Wy);
        T[]? by = head is null ? null : Narrow(head.By);
        var yHat = new T[outputs];
        var dYHat = new T[outputs];
        Array.Clear(ws.DYUser);
        T loss = T.Zero;
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                if (t >= ws.Lens[b])
                {
                    continue;
                }

                int row = (t * batch) + b;
                ReadOnlySpan<T> y = ws.YUser.AsSpan(row * dh, dh);
                ReadOnlySpan<T> tau = targets.Slice(row * outputs, outputs);
                if (head is null)
                {
                    y.CopyTo(yHat);
                }
                else
                {
                    Kernels.MatMulABt(y, 1, wy!, outputs, dh, yHat, outputs, accumulate: false);
                    TensorPrimitives.Add(yHat, by!, yHat);
                    ActivationMath.Apply(head.Activation, yHat, yHat, T.Zero);
                }

                loss += Divergence(kind, yHat, tau, dYHat);
                Span<T> dyRow = ws.DYUser.AsSpan(row * dh, dh);
                if (head is null)
                {
                    dYHat.CopyTo(dyRow);
                }
                else
                {
                    for (int k = 0; k < outputs; k++)
                    {
                        dYHat[k] *= ActivationMath.DerivativeFromOutput(head.Activation, yHat[k]);
                    }

                    Kernels.AddTransposedProduct<T>(wy!, outputs, dh, dYHat, dyRow);
                    if (headGradients is not null)
                    {
                        Kernels.AddOuterProduct<T>(dYHat, y, headGradients.Wy);
                        TensorPrimitives.Add(headGradients.By, dYHat, headGradients.By);
                    }
                }
            }
        }

        return loss;
    }

    /// <summary>div(ŷ, τ) and ∂div/∂ŷ (see <see cref="LossKind"/>).</summary>
    private static T Divergence(LossKind kind, ReadOnlySpan<T> yHat, ReadOnlySpan<T> tau, Span<T> grad)
    {
        if (kind == LossKind.SquaredError)
        {
            TensorPrimitives.Subtract(yHat, tau, grad);
            return T.CreateChecked(0.5) * TensorPrimitives.SumOfSquares<T>(grad);
        }

        // Stable log-softmax: log p_k = ŷ_k − m − log Σ_j e^(ŷ_j − m), m = max ŷ.
        T m = TensorPrimitives.Max(yHat);
        TensorPrimitives.Subtract(yHat, m, grad);
        TensorPrimitives.Exp(grad, grad);
        T sum = TensorPrimitives.Sum<T>(grad);
        T logSum = m + T.Log(sum);
        T tauSum = TensorPrimitives.Sum(tau);
        T div = T.Zero;
        for (int k = 0; k < yHat.Length; k++)
        {
            if (tau[k] != T.Zero)
            {
                div -= tau[k] * (yHat[k] - logSum);
            }

            grad[k] = (grad[k] / sum * tauSum) - tau[k];
        }

        return div;
    }
}
