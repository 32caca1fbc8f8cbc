using System.Text;
using RnnVerify.Report;
using Xunit;

namespace RnnVerify.Golden.Reports;

/// <summary>
/// The committed catalogue report (docs/reports/catalogue) is current: regenerating it with the options it was made with
/// gives byte-identical files (same seed ⇒ same numbers, same text, same plots), and no file is missing or extra.
/// </summary>
public sealed class CommittedReportTests
{
    /// <summary>The options docs/reports/catalogue was generated with (docs/reports.md gives the command).</summary>
    public static readonly CatalogueOptions Committed = new(Cases: 100, Seed: 1);

    private const string Regenerate =
        "dotnet run --project src/Oracle -- report --out docs/reports/catalogue --cases 100 --seed 1 --quiet";

    /// <summary>The repository root: the nearest ancestor of the test binaries holding RnnVerify.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "RnnVerify.sln")))
                return d.FullName;
        }
        throw new DirectoryNotFoundException($"no RnnVerify.sln above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void Regenerating_the_committed_catalogue_report_gives_byte_identical_files()
    {
        string committed = Path.Combine(RepositoryRoot(), "docs", "reports", "catalogue");
        string fresh = Path.Combine(Path.GetTempPath(), "rnnverify-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            CatalogueReport.Write(fresh, Committed);
            var a = Files(committed);
            var b = Files(fresh);
            var missing = b.Except(a, StringComparer.Ordinal).ToList();
            var extra = a.Except(b, StringComparer.Ordinal).ToList();
            Assert.True(missing.Count == 0 && extra.Count == 0,
                $"the committed report is not current: new files [{string.Join(", ", missing)}], stale files [{string.Join(", ", extra)}]; regenerate with `{Regenerate}` (after deleting docs/reports/catalogue)");
            foreach (var f in a)
            {
                byte[] x = File.ReadAllBytes(Path.Combine(committed, f)), y = File.ReadAllBytes(Path.Combine(fresh, f));
                if (!x.AsSpan().SequenceEqual(y))
                    Assert.Fail($"docs/reports/catalogue/{f} differs from a fresh run ({FirstDifference(x, y)}); regenerate with `{Regenerate}`");
            }
        }
        finally
        {
            if (Directory.Exists(fresh))
                Directory.Delete(fresh, recursive: true);
        }
    }

    [Fact]
    public void Each_theorem_seed_is_a_pure_function_of_the_master_seed_and_the_statement_and_its_gamma_is_odd()
    {
        string[] statements = ["superposition", "BIBO bound", "superposition "];
        foreach (string s in statements)
        {
            var a = CatalogueRunner.SeedFor(7, s);
            Assert.Equal(a, CatalogueRunner.SeedFor(7, s));
            Assert.NotEqual(a, CatalogueRunner.SeedFor(8, s));
            Assert.Equal(1UL, a.B & 1UL);
        }
        Assert.NotEqual(CatalogueRunner.SeedFor(7, statements[0]), CatalogueRunner.SeedFor(7, statements[2]));
    }

    private static List<string> Files(string dir) =>
        Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList()
            : [];

    private static string FirstDifference(byte[] x, byte[] y)
    {
        int n = Math.Min(x.Length, y.Length), k = 0;
        while (k < n && x[k] == y[k]) k++;
        int line = 1 + x.AsSpan(0, k).Count((byte)'\n');
        string Near(byte[] b) => Encoding.UTF8.GetString(b, k, Math.Min(60, b.Length - k)).ReplaceLineEndings("⏎");
        return $"first difference at byte {k}, line {line}: committed \"{Near(x)}\", fresh \"{Near(y)}\"";
    }
}
