using System.Net;
using System.Reflection;
using System.Text;
using Markdig;

namespace RnnVerify.Report;

/// <summary>
/// One self-contained HTML page from markdown (Markdig); images must already be data URIs. Mathematics (Markdig's
/// <c>$…$</c> and <c>$$…$$</c> spans) is rendered in the browser by the embedded KaTeX (assets/katex.min.js, MIT licence,
/// assets/KATEX-LICENSE) to MathML, which needs no fonts or style sheets, so the page works offline.
/// </summary>
internal static class HtmlPage
{
    /// <summary>
    /// GitHub's flavour, as far as the pages use it: pipe tables, math, heading identifiers, autolinks and task lists, and of
    /// the emphasis extras only ~~strikethrough~~ — not Markdig's ^superscript^ and ~subscript~, which would pair the carets
    /// of plain-text formulas such as s^{t+1} … s^k (GitHub shows those literally), nor generic {attributes}.
    /// </summary>
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseMathematics()
        .UseAutoIdentifiers()
        .UseAutoLinks()
        .UseTaskLists()
        .UseEmphasisExtras(Markdig.Extensions.EmphasisExtras.EmphasisExtraOptions.Strikethrough)
        .Build();

    private const string Style = """
        body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #222; }
        table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
        th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; vertical-align: top; }
        pre { background: #f6f6f6; padding: 0.5rem; overflow-x: auto; font-size: 0.85rem; }
        .math { font-family: 'STIX Two Math', 'Cambria Math', serif; color: #1a3d6d; }
        div.math { overflow-x: auto; overflow-y: hidden; padding: 0.25rem 0; margin: 0.5rem 0; }
        img { max-width: 100%; }
        hr { margin: 2.5rem 0; }
        """;

    /// <summary>
    /// Replaces each math span Markdig wrote (<c>&lt;span class="math"&gt;\(…\)&lt;/span&gt;</c>, <c>&lt;div class="math"&gt;\[…\]&lt;/div&gt;</c>)
    /// by KaTeX's MathML rendering; a formula KaTeX cannot parse keeps its source text.
    /// </summary>
    private const string RenderMath = """
        document.querySelectorAll('.math').forEach(function (el) {
          var display = el.tagName === 'DIV';
          var tex = el.textContent.trim();
          tex = display ? tex.replace(/^\\\[/, '').replace(/\\\]$/, '') : tex.replace(/^\\\(/, '').replace(/\\\)$/, '');
          try { katex.render(tex, el, { displayMode: display, output: 'mathml', throwOnError: false }); } catch (e) { }
        });
        """;

    private static readonly Lazy<string> KaTeX = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("RnnVerify.Report.assets.katex.min.js")
            ?? throw new InvalidOperationException("the embedded KaTeX script is missing");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });

    /// <summary>The HTML document for <paramref name="markdown"/> with the given title.</summary>
    public static string Render(string title, string markdown)
    {
        var sb = new StringBuilder();
        string body = Markdown.ToHtml(markdown.ReplaceLineEndings("\n"), Pipeline);
        bool math = body.Contains("class=\"math\"", StringComparison.Ordinal);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append($"<title>{WebUtility.HtmlEncode(title)}</title>\n<style>\n{Style}\n</style>\n</head>\n<body>\n");
        sb.Append(body);
        if (math)
        {
            // KaTeX (MIT licence: src/Report/assets/KATEX-LICENSE), inlined so that the page needs no network.
            sb.Append("<script>\n").Append(KaTeX.Value).Append("\n</script>\n");
            sb.Append("<script>\n").Append(RenderMath).Append("\n</script>\n");
        }
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>A PNG as a data URI.</summary>
    public static string DataUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);
}
