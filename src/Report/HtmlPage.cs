using System.Net;
using System.Text;
using Markdig;

namespace RnnVerify.Report;

/// <summary>One self-contained HTML page from markdown (Markdig); images must already be data URIs.</summary>
internal static class HtmlPage
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    private const string Style = """
        body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #222; }
        table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
        th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; vertical-align: top; }
        pre { background: #f6f6f6; padding: 0.5rem; overflow-x: auto; font-size: 0.85rem; }
        .math { font-family: 'STIX Two Math', 'Cambria Math', serif; color: #1a3d6d; }
        img { max-width: 100%; }
        hr { margin: 2.5rem 0; }
        """;

    /// <summary>The HTML document for <paramref name="markdown"/> with the given title.</summary>
    public static string Render(string title, string markdown)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append($"<title>{WebUtility.HtmlEncode(title)}</title>\n<style>\n{Style}\n</style>\n</head>\n<body>\n");
        sb.Append("<p><em>Offline page: mathematics is shown as its LaTeX source; the markdown pages beside this file render it on GitHub.</em></p>\n");
        sb.Append(Markdown.ToHtml(markdown.ReplaceLineEndings("\n"), Pipeline));
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>A PNG as a data URI.</summary>
    public static string DataUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);
}
