using RnnVerify.Report;
using RnnVerify.Verify;
using RnnVerify.Verify.Cases;
using Xunit;

namespace RnnVerify.Golden.Reports;

/// <summary><c>rnnverify check --report</c>: the oracle run's report is complete (per tensor: verdict, histogram, worst elements), reproducible, and current where committed.</summary>
public sealed class OracleReportTests
{
    private const string Regenerate =
        "dotnet run --project src/Oracle -- check tests/Golden/cases/good --report docs/reports/check";

    private static string GoodCases => Path.Combine(CommittedReportTests.RepositoryRoot(), "tests", "Golden", "cases", "good");

    private static (string Dir, int Code) Generate(string dir)
    {
        var verdicts = Directory.EnumerateFiles(GoodCases, "*.json").Order(StringComparer.Ordinal)
            .Select(f => Verifier.CheckFile(Path.GetRelativePath(CommittedReportTests.RepositoryRoot(), f).Replace('\\', '/'))).ToList();
        int code = verdicts.Any(v => v.Unusable) ? 2 : verdicts.All(v => v.Pass) ? 0 : 1;
        OracleReport.Write(dir, verdicts, code);
        return (dir, code);
    }

    private static string Temp() => Path.Combine(Path.GetTempPath(), "rnnverify-check-report-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void The_check_report_gives_each_tensor_its_verdict_histogram_and_worst_elements_and_is_byte_reproducible()
    {
        string cwd = Environment.CurrentDirectory;
        string a = Temp(), b = Temp();
        try
        {
            Environment.CurrentDirectory = CommittedReportTests.RepositoryRoot();
            Generate(a);
            Generate(b);
            string md = File.ReadAllText(Path.Combine(a, "report.md"));
            Assert.Contains("### `y`: pass", md, StringComparison.Ordinal);
            Assert.Contains("Worst elements (by error ÷ bound)", md, StringComparison.Ordinal);
            Assert.Contains("](figures/", md, StringComparison.Ordinal);
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(a, "figures"), "*.png"));
            Assert.Contains("data:image/png;base64,", File.ReadAllText(Path.Combine(a, "report.html")), StringComparison.Ordinal);
            foreach (var f in Directory.EnumerateFiles(a, "*", SearchOption.AllDirectories))
                Assert.True(File.ReadAllBytes(f).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, Path.GetRelativePath(a, f)))),
                    $"{Path.GetRelativePath(a, f)} differs between two runs on the same cases");
        }
        finally
        {
            Environment.CurrentDirectory = cwd;
            foreach (var d in new[] { a, b })
                if (Directory.Exists(d)) Directory.Delete(d, recursive: true);
        }
    }

    [Fact]
    public void The_committed_check_report_is_current()
    {
        string root = CommittedReportTests.RepositoryRoot(), committed = Path.Combine(root, "docs", "reports", "check");
        string cwd = Environment.CurrentDirectory, fresh = Temp();
        try
        {
            Environment.CurrentDirectory = root;
            Generate(fresh);
            var a = Directory.EnumerateFiles(committed, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(committed, f)).Order(StringComparer.Ordinal).ToList();
            var b = Directory.EnumerateFiles(fresh, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(fresh, f)).Order(StringComparer.Ordinal).ToList();
            Assert.True(a.SequenceEqual(b), $"docs/reports/check has files [{string.Join(", ", a)}], a fresh run [{string.Join(", ", b)}]; regenerate with `{Regenerate}` (after deleting docs/reports/check)");
            foreach (var f in a)
                Assert.True(File.ReadAllBytes(Path.Combine(committed, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(fresh, f))),
                    $"docs/reports/check/{f} differs from a fresh run; regenerate with `{Regenerate}` (after deleting docs/reports/check)");
        }
        finally
        {
            Environment.CurrentDirectory = cwd;
            if (Directory.Exists(fresh)) Directory.Delete(fresh, recursive: true);
        }
    }

    [Fact]
    public void A_claim_perturbed_far_beyond_its_bound_is_reported_as_FAIL_with_that_element_first_among_the_worst()
    {
        string file = Directory.EnumerateFiles(GoodCases, "*.json").Order(StringComparer.Ordinal).First();
        var c = CaseReader.ReadFile(file);
        var y = c.Claimed.Y!;
        var data = (double[])y.Data.Clone();
        data[3] = (float)(data[3] + 1e-2);
        var bad = c with { Claimed = c.Claimed with { Y = new Tensor(y.Shape, data) } };
        string dir = Temp();
        try
        {
            Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, "perturbed.json");
            CaseWriter.WriteFile(bad, path);
            var v = Verifier.CheckFile(path);
            Assert.False(v.Pass, "the perturbed claim passed the checker");
            OracleReport.Write(Path.Combine(dir, "report"), [v], 1);
            string md = File.ReadAllText(Path.Combine(dir, "report", "report.md"));
            Assert.Contains("### `y`: **FAIL**", md, StringComparison.Ordinal);
            string index = "[" + string.Join(", ", y.Index(3)) + "]";
            int table = md.IndexOf("| index | claimed |", StringComparison.Ordinal);
            Assert.True(table >= 0, "no worst-elements table");
            string firstRow = md[table..].Split('\n')[2];
            Assert.StartsWith($"| {index} |", firstRow, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
