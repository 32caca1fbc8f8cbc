using System.CommandLine;
using System.Globalization;
using RnnVerify.Report;
using Spectre.Console;

namespace RnnVerify.Oracle;

/// <summary><c>rnnverify report [--out DIR] [--cases N] [--seed S] [--quiet]</c>: the theorem catalogue as a proof-style report (docs/reports.md).</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Directory to write index.md, theorems/, figures/ and report.html into", DefaultValueFactory = _ => "report" };
        var cases = new Option<int>("--cases") { Description = "Cases per theorem (capped at each theorem's own count in dotnet test)", DefaultValueFactory = _ => 1000 };
        var seed = new Option<ulong>("--seed") { Description = "Master seed; the same seed and cases give byte-identical files", DefaultValueFactory = _ => 1UL };
        var quiet = new Option<bool>("--quiet") { Description = "No progress display (for CI); prints only the summary line" };
        var cmd = new Command("report", "Run the theorem catalogue and write a proof-style report: one page per theorem, an index, figures and one HTML page")
        {
            outDir, cases, seed, quiet,
        };
        cmd.SetAction(r => Run(r.GetValue(outDir)!, r.GetValue(cases), r.GetValue(seed), r.GetValue(quiet)));
        return cmd;
    }

    /// <summary>Exit code 0 when every theorem holds, 1 when any is refuted, 2 when the arguments cannot be used.</summary>
    public static int Run(string dir, int cases, ulong seed, bool quiet)
    {
        if (cases < 1)
        {
            Console.Error.WriteLine($"--cases must be at least 1, got {cases.ToString(CultureInfo.InvariantCulture)}");
            return 2;
        }
        var options = new CatalogueOptions(cases, seed);
        IReadOnlyList<TheoremEvidence> evidence;
        if (quiet || Console.IsOutputRedirected)
        {
            evidence = CatalogueReport.Write(dir, options);
        }
        else
        {
            evidence = AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("theorems");
                    return CatalogueReport.Write(dir, options, (done, total, what) =>
                    {
                        task.MaxValue = total;
                        task.Value = done;
                        task.Description = Markup.Escape(what.Length > 60 ? what[..60] + "…" : what);
                    });
                });
        }
        int refuted = evidence.Count(e => !e.Holds);
        Console.Out.WriteLine($"{evidence.Count.ToString(CultureInfo.InvariantCulture)} theorems, {(evidence.Count - refuted).ToString(CultureInfo.InvariantCulture)} hold, {refuted.ToString(CultureInfo.InvariantCulture)} refuted or incomplete; report in {Path.Combine(dir, "index.md")} and {Path.Combine(dir, "report.html")}");
        return refuted == 0 ? 0 : 1;
    }
}
