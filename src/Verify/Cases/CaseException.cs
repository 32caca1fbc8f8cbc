namespace RnnVerify.Verify.Cases;

/// <summary>
/// A case file that cannot be used: <see cref="Field"/> is the JSON path of the offending field
/// (<c>weights.W</c>, <c>x</c>, <c>attributes.clip</c>; empty when the whole file is at fault) and the message says
/// what is wrong and what was expected, in one line.
/// </summary>
public sealed class CaseException : Exception
{
    /// <summary>Creates the exception for <paramref name="field"/>.</summary>
    public CaseException(string field, string message) : base(message) => Field = field;

    /// <summary>Creates the exception for <paramref name="field"/>, wrapping <paramref name="inner"/>.</summary>
    public CaseException(string field, string message, Exception inner) : base(message, inner) => Field = field;

    /// <summary>Creates the exception without a field.</summary>
    public CaseException() : this("", "") { }

    /// <summary>Creates the exception without a field.</summary>
    public CaseException(string message) : this("", message) { }

    /// <summary>Creates the exception without a field, wrapping <paramref name="inner"/>.</summary>
    public CaseException(string message, Exception inner) : this("", message, inner) { }

    /// <summary>JSON path of the offending field, or empty.</summary>
    public string Field { get; }

    /// <summary>The one-line diagnostic: <c>FILE: FIELD: MESSAGE</c> (the field part omitted when empty).</summary>
    public string Diagnostic(string file) => Field.Length == 0 ? $"{file}: {Message}" : $"{file}: {Field}: {Message}";
}

/// <summary>
/// Size limits a case must respect (so a malformed or hostile file fails fast instead of exhausting memory).
/// They are far above any case an oracle run needs and are documented in docs/case-format.md.
/// </summary>
public static class CaseLimits
{
    /// <summary>Largest input_size and hidden_size.</summary>
    public const int MaxFeatures = 4096;
    /// <summary>Largest sequence length T.</summary>
    public const int MaxSteps = 100_000;
    /// <summary>Largest batch B.</summary>
    public const int MaxBatch = 4096;
    /// <summary>Largest num_layers.</summary>
    public const int MaxLayers = 16;
    /// <summary>Largest number of elements in one tensor and in the whole case.</summary>
    public const long MaxElements = 100_000_000;
    /// <summary>Largest file size in bytes (2^31 − 1, the most one JSON document can hold).</summary>
    public const long MaxFileBytes = int.MaxValue;
}
