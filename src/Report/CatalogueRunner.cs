using Microsoft.FSharp.Core;
using RnnVerify.Properties;

namespace RnnVerify.Report;

/// <summary>How the catalogue is rerun for a report.</summary>
/// <param name="Cases">Cases per theorem: min(Cases, the theorem's own count in <c>dotnet test</c>).</param>
/// <param name="Seed">Master seed; each theorem's FsCheck seed is derived from it and the statement, so adding a theorem changes no other theorem's evidence.</param>
public sealed record CatalogueOptions(int Cases = 1000, ulong Seed = 1);

/// <summary>A named test of the catalogue that is not a random property: an example or a refutation.</summary>
/// <param name="Name">The test name.</param>
/// <param name="Failure">Null when the test passed, else its failure message.</param>
public sealed record NamedCheck(string Name, string? Failure)
{
    /// <summary>True when the test passed.</summary>
    public bool Passed => Failure is null;
}

/// <summary>Everything the report knows about one theorem.</summary>
/// <param name="Entry">The catalogue entry (statement, hypotheses, source, proof, how it is decided).</param>
/// <param name="Run">The property run, or null when the theorem has no random property (examples only).</param>
/// <param name="CasesInTests">Cases per run in <c>dotnet test</c> (0 when there is no property).</param>
/// <param name="Examples">Named examples ("statement [case]").</param>
/// <param name="Refutations">Refutation tests ("Id catches …"): each must pass, i.e. the theorem rejects the broken implementation.</param>
public sealed record TheoremEvidence(
    Catalogue.Entry Entry, Evidence.TheoremRun? Run, int CasesInTests, IReadOnlyList<NamedCheck> Examples, IReadOnlyList<NamedCheck> Refutations)
{
    /// <summary>True when the property (if any), every example and every refutation passed.</summary>
    public bool Holds => (Run is null || Run.Passed) && Examples.All(e => e.Passed) && Refutations.All(r => r.Passed);

    /// <summary>One-word verdict: holds, REFUTED, EXHAUSTED, or NOT-VACUOUS-FAILED when only a refutation test failed.</summary>
    public string Verdict =>
        Run is { Passed: false, Exhausted: true } ? "EXHAUSTED"
        : Run is { Passed: false } || Examples.Any(e => !e.Passed) ? "REFUTED"
        : Refutations.Any(r => !r.Passed) ? "VACUOUS?"
        : "holds";

    /// <summary>The worst observation, when the theorem exposes a measured quantity.</summary>
    public Catalogue.Observation? Worst => Run is { Worst: var w } && FSharpOption<Catalogue.Observation>.get_IsSome(w) ? w.Value : null;
}

/// <summary>Reruns the theorem catalogue of tests/Properties (the same code <c>dotnet test</c> runs) and collects the evidence.</summary>
public static class CatalogueRunner
{
    /// <summary>
    /// The FsCheck seed of one theorem: (Mix(seed ⊕ FNV(statement)), Mix(…) | 1) — replay it with
    /// RNNVERIFY_SEED="a,b" and RNNVERIFY_CASES=n in <c>dotnet test</c>.
    /// </summary>
    public static (ulong A, ulong B) SeedFor(ulong seed, string statement)
    {
        ulong a = Fmt.Mix(seed ^ Fmt.Fnv(statement));
        return (a, Fmt.Mix(a) | 1UL);
    }

    /// <summary>Runs every theorem sequentially; <paramref name="progress"/> receives (done, total, statement) before each.</summary>
    public static IReadOnlyList<TheoremEvidence> Run(CatalogueOptions options, Action<int, int, string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tests = Evidence.tests().Select(t => (Name: t.Item1, Code: t.Item2)).ToList(); // also registers every theorem
        var registered = Catalogue.registered().ToDictionary(r => r.Entry.Statement, StringComparer.Ordinal);
        var entries = Catalogue.entries().ToList();
        var result = new List<TheoremEvidence>();
        for (int k = 0; k < entries.Count; k++)
        {
            var e = entries[k];
            progress?.Invoke(k, entries.Count, e.Statement);
            Evidence.TheoremRun? run = null;
            int inTests = 0;
            if (registered.TryGetValue(e.Statement, out var r))
            {
                inTests = r.Cases;
                var (a, b) = SeedFor(options.Seed, e.Statement);
                run = Evidence.run(r, Math.Min(options.Cases, r.Cases), a, b);
            }
            var examples = tests.Where(t => t.Name.StartsWith(e.Statement + " [", StringComparison.Ordinal))
                .Select(t => new NamedCheck(t.Name, Evidence.runTest(t.Code))).ToList();
            var refutations = tests.Where(t => t.Name.StartsWith(e.Id + " catches ", StringComparison.Ordinal))
                .Select(t => new NamedCheck(t.Name, Evidence.runTest(t.Code))).ToList();
            result.Add(new TheoremEvidence(e, run, inTests, examples, refutations));
        }
        progress?.Invoke(entries.Count, entries.Count, "");
        return result;
    }
}
