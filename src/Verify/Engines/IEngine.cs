using RnnVerify.Verify.Cases;

namespace RnnVerify.Verify.Engines;

/// <summary>
/// An implementation that computes a case's results: <see cref="Run"/> returns what it claims for y, h_n, c_n and,
/// when the case gives <c>claimed.grad.dy</c> and the engine can differentiate, the gradients.
/// </summary>
public interface IEngine
{
    /// <summary>The engine's name on the command line: <c>cells</c>, <c>reference</c>, <c>onnxruntime</c>.</summary>
    string Name { get; }

    /// <summary>Computes the results of <paramref name="c"/> in <paramref name="dtype"/>.</summary>
    /// <exception cref="EngineException">The engine cannot compute this case (an attribute it lacks, a dtype it does not support).</exception>
    Claimed Run(RnnCase c, Dtype dtype);
}

/// <summary>An engine that cannot compute a case; the message says which feature of the case is the obstacle.</summary>
public sealed class EngineException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EngineException() { }
    /// <summary>Creates the exception with a message.</summary>
    public EngineException(string message) : base(message) { }
    /// <summary>Creates the exception with a message and the underlying failure.</summary>
    public EngineException(string message, Exception inner) : base(message, inner) { }
}
