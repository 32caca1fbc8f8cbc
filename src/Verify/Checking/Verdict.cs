namespace RnnVerify.Verify.Checking;

/// <summary>
/// The verdict on one claimed tensor. Error e_k = |claimed_k − expected_k| (∞ when claimed_k is NaN or ±∞ and expected_k is finite).
/// </summary>
/// <param name="Name">The tensor (<c>y</c>, <c>grad.weights.W</c>, …).</param>
/// <param name="Count">Number of elements.</param>
/// <param name="WorstUlps">max_k e_k / ulp(expected_k) in the claimed dtype (ulp of a float32 is 2^(e−23), at least 2^−149).</param>
/// <param name="WorstRatio">max_k e_k / bound_k: ≤ 1 means within the allowed bound (a zero bound admits only e_k = 0).</param>
/// <param name="WorstIndex">Multi-index of the element attaining <paramref name="WorstRatio"/>.</param>
/// <param name="WorstExpected">Expected value there.</param>
/// <param name="WorstClaimed">Claimed value there.</param>
/// <param name="WorstBound">Allowed bound there.</param>
/// <param name="OnnxRatio">max_k e_k / (1e−7 + 1e−3·|expected_k|): ONNX's backend test tolerance; ≤ 1 means ONNX would pass it.</param>
/// <param name="GradcheckRatio">max_k e_k / (1e−5 + 1e−3·|expected_k|): PyTorch gradcheck's tolerance.</param>
public sealed record TensorVerdict(
    string Name, int Count, double WorstUlps, double WorstRatio, int[] WorstIndex,
    double WorstExpected, double WorstClaimed, double WorstBound, double OnnxRatio, double GradcheckRatio)
{
    /// <summary>True when every element lies within its allowed bound.</summary>
    public bool Pass => WorstRatio <= 1;
}

/// <summary>The verdict on one case file; <see cref="Error"/> is set (and <see cref="Tensors"/> empty) when the case could not be used.</summary>
/// <param name="File">The file the case came from (or a caller-chosen label).</param>
/// <param name="Judge">The judge's description.</param>
/// <param name="Tensors">One verdict per claimed tensor.</param>
/// <param name="Error">The one-line diagnostic when the input was unusable, else null.</param>
public sealed record CaseVerdict(string File, string Judge, IReadOnlyList<TensorVerdict> Tensors, string? Error = null)
{
    /// <summary>Claimed tensors the judge gave no expectation for (reported, neither passed nor failed).</summary>
    public IReadOnlyList<string> Unchecked { get; init; } = [];

    /// <summary>True when the case was usable, at least one tensor was checked, and every checked tensor passed.</summary>
    public bool Pass => Error is null && Tensors.Count > 0 && Tensors.All(t => t.Pass);
    /// <summary>True when the case could not be used (exit code 2).</summary>
    public bool Unusable => Error is not null;
}
