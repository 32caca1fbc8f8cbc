using System.CommandLine;
using RnnVerify.Verify;
using RnnVerify.Verify.Checking;

namespace RnnVerify.Oracle;

/// <summary><c>rnnverify check CASE.json|DIR ... [--json FILE] [--report DIR]</c>.</summary>
internal static class CheckCommand
{
    /// <summary>Every case passed.</summary>
    public const int ExitPass = 0;
    /// <summary>A claimed tensor is outside its allowed bound.</summary>
    public const int ExitFail = 1;
    /// <summary>An input could not be used (it takes precedence: the run is incomplete).</summary>
    public const int ExitUnusable = 2;

    public static Command Create()
    {
        var paths = new Argument<string[]>("cases")
        {
            Description = "Case files (rnnverify-case/1 JSON) or directories searched recursively for *.json",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = new Option<string?>("--json") { Description = "Write machine-readable verdicts to this file" };
        var report = new Option<string?>("--report") { Description = "Write a markdown report into this directory" };
        var cmd = new Command("check", "Recompute every claimed tensor in the reference and judge it against the derived tolerance")
        {
            paths, json, report,
        };
        cmd.SetAction(r => Run(r.GetValue(paths)!, r.GetValue(json), r.GetValue(report), Console.Out, Console.Error));
        return cmd;
    }

    /// <summary>Checks every case, prints verdicts to <paramref name="stdout"/> and one line per unusable input to <paramref name="stderr"/>.</summary>
    public static int Run(string[] paths, string? jsonPath, string? reportDir, TextWriter stdout, TextWriter stderr)
    {
        var files = new List<string>();
        var verdicts = new List<CaseVerdict>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
                files.AddRange(Directory.EnumerateFiles(p, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            else
                files.Add(p);
        }
        if (files.Count == 0)
        {
            stderr.WriteLine($"{string.Join(" ", paths)}: no case files (*.json) found");
            return ExitUnusable;
        }
        foreach (var f in files)
        {
            var v = SafeCheck(f);
            verdicts.Add(v);
            if (v.Error is not null)
                stderr.WriteLine(v.Error);
            else
                Text.WriteCase(stdout, v);
        }
        Text.WriteSummary(stdout, verdicts);
        int code = verdicts.Any(v => v.Unusable) ? ExitUnusable : verdicts.All(v => v.Pass) ? ExitPass : ExitFail;
        try
        {
            if (jsonPath is not null)
                JsonVerdicts.Write(jsonPath, verdicts, code);
            if (reportDir is not null)
                RnnVerify.Report.OracleReport.Write(reportDir, verdicts, code); // report: markdown + HTML with per-tensor histograms (src/Report)
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"{jsonPath ?? reportDir}: cannot write: {e.Message}");
            return ExitUnusable;
        }
        return code;
    }

    /// <summary>Never throws: a failure that is not a diagnosed bad input is still reported in one line.</summary>
    private static CaseVerdict SafeCheck(string file)
    {
        try
        {
            return Verifier.CheckFile(file);
        }
#pragma warning disable CA1031 // The command's contract is one line per unusable input, never a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new CaseVerdict(file, Verifier.DefaultJudge.Description, [], $"{file}: internal error ({e.GetType().Name}): {e.Message.ReplaceLineEndings(" ")}");
        }
    }
}
