using System.Text.RegularExpressions;
using Xunit;

namespace RnnVerify.Golden.Reports;

/// <summary>
/// The committed offline HTML pages render their mathematics without a network: the catalogue page (which has formulas)
/// inlines KaTeX and renders every Markdig math span to MathML; the oracle page (no formulas) carries no script; and
/// plain-text formulas in statements are not mangled by markdown extensions GitHub does not have.
/// </summary>
public sealed partial class OfflineHtmlTests
{
    private static string Read(params string[] parts) =>
        File.ReadAllText(Path.Combine([CommittedReportTests.RepositoryRoot(), .. parts]));

    [GeneratedRegex("<(?:script|link)[^>]*\\s(?:src|href)\\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalResource();

    [Fact]
    public void The_catalogue_page_inlines_KaTeX_renders_its_math_spans_to_MathML_and_loads_nothing_from_outside()
    {
        string html = Read("docs", "reports", "catalogue", "report.html");
        int spans = Regex.Count(html, "class=\"math\"");
        Assert.True(spans > 100, $"only {spans} math spans in the catalogue page");
        Assert.Contains("katex", html, StringComparison.Ordinal);
        Assert.Contains("output: 'mathml'", html, StringComparison.Ordinal);
        Assert.Contains("document.querySelectorAll('.math')", html, StringComparison.Ordinal);
        Assert.False(ExternalResource().IsMatch(html), "the page loads a script or style sheet from outside");
        Assert.True(File.Exists(Path.Combine(CommittedReportTests.RepositoryRoot(), "src", "Report", "assets", "KATEX-LICENSE")),
            "KaTeX's licence is not shipped beside the embedded script");
    }

    [Fact]
    public void The_oracle_page_has_no_mathematics_and_therefore_no_script()
    {
        string html = Read("docs", "reports", "check", "report.html");
        Assert.DoesNotContain("class=\"math\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Carets_and_tildes_of_plain_text_formulas_are_not_turned_into_superscripts_or_subscripts()
    {
        string html = Read("docs", "reports", "catalogue", "report.html");
        Assert.DoesNotContain("<sup>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<sub>", html, StringComparison.Ordinal);
        // Theorem 3's statement keeps its carets as GitHub shows them.
        Assert.Contains("|λ₁|^t/‖V⁻¹‖∞ ≤ ‖W^t w‖∞", System.Net.WebUtility.HtmlDecode(html), StringComparison.Ordinal);
    }
}
