namespace RnnVerify.Cells;

/// <summary>The one place that builds argument-validation messages for the cells' public boundary.</summary>
internal static class ThrowHelper
{
    /// <summary>Throws when <paramref name="actual"/> differs from <paramref name="expected"/>.</summary>
    /// <param name="name">Argument name, e.g. "h0".</param>
    /// <param name="actual">Length received.</param>
    /// <param name="formula">How the expected length is formed, e.g. "numLayers·directions·batch·hiddenSize".</param>
    /// <param name="expected">Expected length.</param>
    public static void CheckLength(string name, int actual, string formula, int expected)
    {
        if (actual != expected)
        {
            ThrowLength(name, actual, formula, expected);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/>: "name has length a, expected formula = e".</summary>
    public static void ThrowLength(string name, int actual, string formula, int expected) =>
        throw new ArgumentException($"{name} has length {actual}, expected {formula} = {expected}", name);

    /// <summary>Throws <see cref="ArgumentException"/> with a message naming the argument.</summary>
    public static void ThrowInvalid(string name, string message) =>
        throw new ArgumentException($"{name}: {message}", name);
}
