using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Checking;

namespace RnnVerify.Verify;

/// <summary>
/// One-call checks for a .NET implementation's own tests: build or read a case, fill <see cref="RnnCase.Claimed"/> with
/// the implementation's results, and assert <c>Verifier.Check(c).Pass</c>.
/// </summary>
public static class Verifier
{
    /// <summary>The judge <c>rnnverify check</c> uses: reference values and the derived tolerance model.</summary>
    public static IJudge DefaultJudge { get; } = new ToleranceJudge();

    /// <summary>Checks <paramref name="c"/> with <see cref="DefaultJudge"/>.</summary>
    /// <exception cref="JudgeException">The judge cannot evaluate the case.</exception>
    public static CaseVerdict Check(RnnCase c, string label = "") => Checker.Check(c, DefaultJudge, label);

    /// <summary>Checks <paramref name="c"/> with the results replaced by <paramref name="claimed"/>.</summary>
    public static CaseVerdict Check(RnnCase c, Claimed claimed, string label = "")
    {
        ArgumentNullException.ThrowIfNull(c);
        return Check(c with { Claimed = claimed }, label);
    }

    /// <summary>Reads and checks one case file; an unusable file gives a verdict with <see cref="CaseVerdict.Error"/> set, never an exception.</summary>
    public static CaseVerdict CheckFile(string path)
    {
        try
        {
            var c = CaseReader.ReadFile(path);
            var v = Check(c, path);
            if (v.Tensors.Count == 0)
                return v with
                {
                    Error = v.Unchecked.Count == 0
                        ? $"{path}: claimed: nothing to check (the case claims no y, h_n, c_n or gradient)"
                        : $"{path}: claimed: the judge gives no bound for any of the claimed tensors ({string.Join(", ", v.Unchecked)})",
                };
            return v;
        }
        catch (CaseException e)
        {
            return new CaseVerdict(path, DefaultJudge.Description, [], e.Diagnostic(path));
        }
        catch (JudgeException e)
        {
            return new CaseVerdict(path, DefaultJudge.Description, [], $"{path}: {e.Message}");
        }
    }
}
