using System.Text;
using RnnVerify.Properties;

namespace RnnVerify.Report;

/// <summary>Renders the catalogue evidence as markdown pages: <c>index.md</c> and <c>theorems/SLUG.md</c>.</summary>
internal static class CataloguePages
{
    /// <summary>The page name of an entry (its id as a slug).</summary>
    public static string Slug(Catalogue.Entry e) => Fmt.Slug(e.Id);

    /// <summary>The command that regenerates the report.</summary>
    public static string Command(CatalogueOptions o) =>
        $"dotnet run --project src/Oracle -- report --cases {Fmt.I(o.Cases)} --seed {o.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The index page; <paramref name="link"/> maps an entry to its link target, <paramref name="image"/> a figure to its image source.</summary>
    public static string Index(IReadOnlyList<TheoremEvidence> ev, IReadOnlyList<Figure> figures, CatalogueOptions o,
        Func<Catalogue.Entry, string> link, Func<Figure, string> image)
    {
        var sb = new StringBuilder();
        int holds = ev.Count(e => e.Holds);
        sb.Append("# RnnVerify theorem catalogue: report\n\n");
        sb.Append($"Each theorem of the catalogue (tests/Properties) was rerun by `{Command(o)}` — the same properties, generators and checks that ");
        sb.Append("`dotnet test` runs, with this report's seed and case count. Each page gives the statement, the hypotheses (built by generators, ");
        sb.Append("not filtered for), the proof, the evidence and the verdict.\n\n");
        sb.Append($"- Theorems: {Fmt.I(ev.Count)}; hold: {Fmt.I(holds)}; refuted or incomplete: {Fmt.I(ev.Count - holds)}.\n");
        sb.Append($"- Cases per theorem: min({Fmt.I(o.Cases)}, the theorem's count in `dotnet test`); FsCheck sizes {Fmt.I(Evidence.startSize)}…{Fmt.I(Evidence.endSize)}.\n");
        sb.Append($"- Master seed {o.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)}; each theorem's FsCheck seed is derived from it and the statement (shown on its page, with the command that replays it).\n\n");
        sb.Append("| id | theorem | verdict | cases (report / tests) | examples | refutations | worst measured ÷ bound |\n|---|---|---|---|---|---|---|\n");
        foreach (var e in ev)
        {
            string cases = e.Run is null ? "—" : $"{Fmt.I(e.Run.Tests)} / {Fmt.I(e.CasesInTests)}";
            string worst = e.Worst is { } w ? Fmt.G(Ratio(w)) : e.Run is { ExactCases: > 0 } ? "exact" : "—";
            sb.Append($"| {Fmt.Cell(e.Entry.Id)} | [{Fmt.Cell(e.Entry.Statement)}]({link(e.Entry)}) | {Verdict(e)} | {cases} | ");
            sb.Append($"{Counts(e.Examples)} | {Counts(e.Refutations)} | {worst} |\n");
        }
        sb.Append("\nVerdicts: **holds** — the property held on every case, every example passed, and every refutation test showed that the ");
        sb.Append("theorem rejects a deliberately broken implementation; **REFUTED** — a case or example failed (the page shows the shrunk counterexample); ");
        sb.Append("**EXHAUSTED** — the generator could not produce enough cases; **VACUOUS?** — the theorem held but accepted a broken implementation.\n\n");
        sb.Append("Worst measured ÷ bound: over all cases, the largest ratio of the quantity the theorem measures (named on its page) to the bound it asserts ");
        sb.Append("for it — at most 1 when the theorem holds, and the closer to 1 the tighter the bound; **exact**: the theorem compares exact values ");
        sb.Append("(equalities of rationals or integers, or rigorous enclosures), so there is no ratio.\n\n");
        if (figures.Count > 0)
        {
            sb.Append("## Figures\n\n");
            foreach (var f in figures)
                sb.Append($"### {f.Title}\n\n![{f.Title}]({image(f)})\n\n{f.Caption}\n\n");
        }
        return sb.ToString();
    }

    /// <summary>One theorem's page.</summary>
    public static string Page(TheoremEvidence ev, IReadOnlyList<Figure> figures, CatalogueOptions o, Func<Figure, string> image, string? back, string heading)
    {
        var e = ev.Entry;
        var sb = new StringBuilder();
        sb.Append($"{heading} {Fmt.Cell(e.Id)}\n\n");
        if (back is not null) sb.Append($"[← index]({back})\n\n");
        sb.Append($"**Theorem.** {e.Statement}\n\n");
        sb.Append("**Hypotheses** (each built by a generator):\n\n");
        foreach (var h in e.Hypotheses) sb.Append($"- {h}\n");
        sb.Append($"\n**Source.** {e.Source}\n\n");
        sb.Append($"**Proof.** {e.Proof}\n\n");
        if (Derivations.For(Derivations.Section(e.Id)) is { } d)
            sb.Append(d.ReplaceLineEndings("\n").TrimEnd()).Append("\n\n");
        sb.Append($"**How it is decided.** {e.Decided}\n\n");
        sb.Append("### Evidence\n\n");
        if (ev.Run is { } r)
        {
            sb.Append("| quantity | value |\n|---|---|\n");
            sb.Append($"| cases run | {Fmt.I(r.Tests)} (in `dotnet test`: {Fmt.I(ev.CasesInTests)}) |\n");
            sb.Append($"| property evaluations (with shrinking) | {Fmt.I(r.Evaluations)} |\n");
            sb.Append($"| generator sizes | FsCheck size {Fmt.I(Evidence.startSize)}…{Fmt.I(Evidence.endSize)}, spread over the cases; ranges as in the hypotheses |\n");
            sb.Append($"| seed | `{r.SeedA},{r.SeedB}` |\n");
            if (ev.CasesInTests == Theorem.cases)
                sb.Append($"| replay | `RNNVERIFY_SEED={r.SeedA},{r.SeedB} RNNVERIFY_CASES={Fmt.I(r.Tests)} dotnet test tests/Properties` (same seed and case count, hence the same cases) |\n");
            else if (r.Tests == ev.CasesInTests)
                sb.Append($"| replay | `RNNVERIFY_SEED={r.SeedA},{r.SeedB} dotnet test tests/Properties` (this theorem runs a fixed {Fmt.I(ev.CasesInTests)} cases) |\n");
            else
                sb.Append($"| replay | this theorem runs a fixed {Fmt.I(ev.CasesInTests)} cases in `dotnet test`; FsCheck spreads sizes over the case count, so this run ({Fmt.I(r.Tests)} cases) replays with `--cases {Fmt.I(r.Tests)} --seed {o.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)}` of `rnnverify report` |\n");
            if (ev.Worst is { } w)
            {
                sb.Append($"| observations | {Fmt.I(r.Observations)} |\n");
                sb.Append($"| worst case: {Fmt.Cell(w.Quantity)} | {Fmt.R(w.Measured)} against the bound {Fmt.R(w.Bound)} (ratio {Fmt.G(Ratio(w))}) |\n\n");
                sb.Append("The case attaining it:\n\n").Append(Fmt.Fence(Fmt.Cap(w.Case, 2000))).Append('\n');
            }
            else if (r.ExactCases > 0)
            {
                sb.Append($"| measured quantity | none: decided exactly — each of the {Fmt.I(r.ExactCases)} evaluations compared exact values (equality or order of rationals, integers or ball end points), so there is no error to set against a tolerance |\n\n");
            }
            else
            {
                sb.Append("| measured quantity | not exposed by this theorem's check (it decides pass/fail per case; see \"How it is decided\") |\n\n");
            }
        }
        else
        {
            sb.Append("No random property: the theorem is checked on the named examples below.\n\n");
        }
        if (ev.Examples.Count > 0)
        {
            sb.Append("**Examples.**\n\n");
            foreach (var x in ev.Examples) sb.Append($"- {(x.Passed ? "pass" : "**FAIL**")}: {Fmt.Cell(x.Name)}\n");
            sb.Append('\n');
        }
        if (ev.Refutations.Count > 0)
        {
            sb.Append("**The theorem can fail.** Each broken implementation below is rejected on at least one of 200 cases from the theorem's own generator:\n\n");
            foreach (var x in ev.Refutations) sb.Append($"- {(x.Passed ? "rejected" : "**ACCEPTED (the check is vacuous for it)**")}: {Fmt.Cell(x.Name)}\n");
            sb.Append('\n');
        }
        int section = Derivations.Section(e.Id);
        foreach (var f in figures.Where(f => f.Sections.Contains(section)))
            sb.Append($"![{f.Title}]({image(f)})\n\n{f.Caption}\n\n");
        sb.Append($"### Verdict: {Verdict(ev)}\n\n");
        if (ev.Run is { Passed: false, Exhausted: false } failed)
        {
            sb.Append($"Failed after {Fmt.I(failed.Tests)} cases; shrunk {Fmt.I(failed.Shrinks)} times.\n\n");
            sb.Append("Shrunk counterexample:\n\n").Append(Fmt.Fence(Fmt.Cap(failed.Shrunk, 4000))).Append('\n');
            sb.Append("What the check reported:\n\n").Append(Fmt.Fence(Fmt.Cap(failed.Message, 4000))).Append('\n');
            sb.Append("As first generated:\n\n").Append(Fmt.Fence(Fmt.Cap(failed.Original, 4000))).Append('\n');
        }
        foreach (var x in ev.Examples.Where(x => !x.Passed))
            sb.Append($"Example {Fmt.Cell(x.Name)} failed:\n\n").Append(Fmt.Fence(Fmt.Cap(x.Failure!, 4000))).Append('\n');
        foreach (var x in ev.Refutations.Where(x => !x.Passed))
            sb.Append($"Refutation {Fmt.Cell(x.Name)}:\n\n").Append(Fmt.Fence(Fmt.Cap(x.Failure!, 4000))).Append('\n');
        return sb.ToString();
    }

    private static double Ratio(Catalogue.Observation w) => w.Bound > 0 ? w.Measured / w.Bound : double.PositiveInfinity;

    private static string Verdict(TheoremEvidence e) => e.Holds ? "holds" : $"**{e.Verdict}**";

    private static string Counts(IReadOnlyList<NamedCheck> c) =>
        c.Count == 0 ? "—" : $"{Fmt.I(c.Count(x => x.Passed))}/{Fmt.I(c.Count)}";
}
