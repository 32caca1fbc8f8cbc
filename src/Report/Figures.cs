namespace RnnVerify.Report;

/// <summary>The report's plots, computed with the project's own cells, reference and catalogue generators.</summary>
public static class Figures
{
    /// <summary>Every figure of the catalogue report, in display order.</summary>
    public static IReadOnlyList<Figure> All() => [];
}
