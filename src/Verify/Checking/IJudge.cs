using RnnVerify.Verify.Cases;

namespace RnnVerify.Verify.Checking;

/// <summary>
/// What a correct implementation should have produced for one claimed tensor: per element, the expected value and the
/// largest error a correct implementation in the claimed dtype may commit (the allowed bound, ≥ 0).
/// </summary>
/// <param name="Name">The claimed tensor: <c>y</c>, <c>h_n</c>, <c>c_n</c>, <c>grad.x</c>, <c>grad.h0</c>, <c>grad.c0</c>, <c>grad.weights.NAME</c>.</param>
/// <param name="Shape">Its shape.</param>
/// <param name="Expected">Expected values, row-major.</param>
/// <param name="Bound">Allowed absolute error per element, row-major.</param>
public sealed record Expectation(string Name, int[] Shape, double[] Expected, double[] Bound);

/// <summary>
/// The source of truth for <c>rnnverify check</c>: for every tensor the case claims, an <see cref="Expectation"/>.
/// The production judge pairs correctly rounded reference values with the derived tolerance model (docs/tolerances.md);
/// the checker itself only compares, so any judge can be plugged in.
/// </summary>
public interface IJudge
{
    /// <summary>One line saying where expected values and bounds come from (printed in every report).</summary>
    string Description { get; }

    /// <summary>Expectations for exactly the tensors present in <c>c.Claimed</c>, in the order <c>y, h_n, c_n, grad.*</c>.</summary>
    /// <exception cref="JudgeException">The judge cannot evaluate this case (a feature it does not support).</exception>
    IReadOnlyList<Expectation> Judge(RnnCase c);
}

/// <summary>The judge cannot evaluate a case; the message names the feature.</summary>
public sealed class JudgeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JudgeException() { }
    /// <summary>Creates the exception with a message.</summary>
    public JudgeException(string message) : base(message) { }
    /// <summary>Creates the exception with a message and the underlying failure.</summary>
    public JudgeException(string message, Exception inner) : base(message, inner) { }
}
