namespace RnnVerify.Report;

/// <summary>A rendered plot: its file name under <c>figures/</c>, a caption saying what was computed and how, and the PNG bytes.</summary>
/// <param name="File">File name, e.g. <c>eigen-growth.png</c>.</param>
/// <param name="Title">Short title.</param>
/// <param name="Caption">What is plotted, from which code, and what a reader should see.</param>
/// <param name="Sections">Catalogue sections whose pages show it.</param>
/// <param name="Png">The image.</param>
public sealed record Figure(string File, string Title, string Caption, IReadOnlyList<int> Sections, byte[] Png);
