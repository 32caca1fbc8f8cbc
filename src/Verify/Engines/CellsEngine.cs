using RnnVerify.Verify.Cases;

namespace RnnVerify.Verify.Engines;

/// <summary>The C# cells of src/Cells in float32 or float64, forward and (when the case gives dy) backward.</summary>
public sealed class CellsEngine : IEngine
{
    /// <inheritdoc/>
    public string Name => "cells";

    /// <inheritdoc/>
    public Claimed Run(RnnCase c, Dtype dtype) =>
        throw new EngineException("the cells engine is not wired in yet (the cells' network API has not landed)");
}
