namespace RnnVerify.Verify.Engines;

/// <summary>The engines by command-line name.</summary>
public static class EngineRegistry
{
    /// <summary>Names accepted by <see cref="Get"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cells", "reference", "onnxruntime"];

    /// <summary>The engine called <paramref name="name"/>, or null when unknown.</summary>
    public static IEngine? Get(string name) => name switch
    {
        "onnxruntime" => new OnnxRuntimeEngine(),
        "reference" => new ReferenceEngine(),
        "cells" => new CellsEngine(),
        _ => null,
    };
}
