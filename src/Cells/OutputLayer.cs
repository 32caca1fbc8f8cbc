namespace RnnVerify.Cells;

/// <summary>
/// Optional dense output layer applied to each step of the network output: ŷ_t = ψ(W_y y_t + b_y),
/// where y_t is the network's output row [Directions·HiddenSize] for one batch entry.
/// </summary>
/// <param name="OutputSize">O, the number of outputs per step.</param>
/// <param name="Wy">Weights, [O][Directions·HiddenSize] row-major.</param>
/// <param name="By">Bias, [O].</param>
/// <param name="Activation">ψ; for <see cref="LossKind.SoftmaxCrossEntropy"/> ψ(z) are the logits.</param>
public sealed record OutputLayer(int OutputSize, double[] Wy, double[] By, Activation Activation = Activation.Identity);

/// <summary>The per-step divergence div(ŷ_t, target_t) summed over the valid steps of every batch entry.</summary>
public enum LossKind
{
    /// <summary>div(ŷ, τ) = ½ Σ_k (ŷ_k − τ_k)²; ∂div/∂ŷ = ŷ − τ.</summary>
    SquaredError,
    /// <summary>
    /// div(ŷ, τ) = −Σ_k τ_k log softmax(ŷ)_k with ŷ the logits and τ a target distribution (one-hot or soft);
    /// ∂div/∂ŷ_k = p_k Σ_j τ_j − τ_k with p = softmax(ŷ). Computed with the max shift, so any finite logits give a finite loss.
    /// </summary>
    SoftmaxCrossEntropy,
}

/// <summary>Gradients of the loss with respect to an <see cref="OutputLayer"/>'s parameters (same layout).</summary>
/// <typeparam name="T">float or double.</typeparam>
public sealed class OutputLayerGradients<T>
    where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    /// <summary>Zero gradients shaped like <paramref name="layer"/>.</summary>
    public OutputLayerGradients(OutputLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        Wy = new T[layer.Wy.Length];
        By = new T[layer.By.Length];
    }

    /// <summary>∂L/∂W_y, [O][Directions·HiddenSize].</summary>
    public T[] Wy { get; }

    /// <summary>∂L/∂b_y, [O].</summary>
    public T[] By { get; }
}
