namespace RnnVerify.Report;

/// <summary>
/// <c>rnnverify report</c>: reruns the theorem catalogue and writes <c>index.md</c>, <c>theorems/SLUG.md</c> per theorem,
/// <c>figures/*.png</c> and <c>report.html</c> (one self-contained page) into a directory. The same options give
/// byte-identical files: no timestamps, invariant formatting, seeded generators, deterministic plots.
/// </summary>
public static class CatalogueReport
{
    /// <summary>Runs the catalogue and writes the report into <paramref name="dir"/>; returns the evidence.</summary>
    /// <param name="dir">Output directory (created; existing report files are overwritten).</param>
    /// <param name="options">Cases and seed.</param>
    /// <param name="progress">Receives (done, total, what) while theorems and figures are computed; may be null.</param>
    public static IReadOnlyList<TheoremEvidence> Write(string dir, CatalogueOptions options, Action<int, int, string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var evidence = CatalogueRunner.Run(options, progress);
        progress?.Invoke(evidence.Count, evidence.Count, "figures");
        var figures = Figures.All();
        Write(dir, evidence, figures, options);
        return evidence;
    }

    /// <summary>Writes already computed evidence and figures.</summary>
    public static void Write(string dir, IReadOnlyList<TheoremEvidence> evidence, IReadOnlyList<Figure> figures, CatalogueOptions options)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(dir);
        string figDir = Path.Combine(dir, "figures"), thmDir = Path.Combine(dir, "theorems");
        Directory.CreateDirectory(figDir);
        Directory.CreateDirectory(thmDir);
        foreach (var f in figures)
            File.WriteAllBytes(Path.Combine(figDir, f.File), f.Png);
        Fmt.Write(Path.Combine(dir, "index.md"),
            CataloguePages.Index(evidence, figures, options, e => $"theorems/{CataloguePages.Slug(e)}.md", f => $"figures/{f.File}"));
        foreach (var ev in evidence)
            Fmt.Write(Path.Combine(thmDir, CataloguePages.Slug(ev.Entry) + ".md"),
                CataloguePages.Page(ev, figures, options, f => $"../figures/{f.File}", "../index.md", "#"));

        // One offline page: the index, then every theorem, figures inlined as data URIs and links as anchors.
        var uris = figures.ToDictionary(f => f.File, f => HtmlPage.DataUri(f.Png), StringComparer.Ordinal);
        var md = new System.Text.StringBuilder();
        md.Append(CataloguePages.Index(evidence, figures, options, e => "#" + CataloguePages.Slug(e), f => uris[f.File]));
        foreach (var ev in evidence)
        {
            md.Append($"\n---\n\n<a id=\"{CataloguePages.Slug(ev.Entry)}\"></a>\n\n");
            md.Append(CataloguePages.Page(ev, [], options, f => uris[f.File], "#rnnverify-theorem-catalogue-report", "##"));
        }
        Fmt.Write(Path.Combine(dir, "report.html"), HtmlPage.Render("RnnVerify theorem catalogue: report", md.ToString()));
    }
}
