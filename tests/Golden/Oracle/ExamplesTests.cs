using RnnVerify.Oracle;
using Xunit;

namespace RnnVerify.Golden.Oracle;

/// <summary>The README's first command, <c>rnnverify check examples/cases</c>, passes on the checked-in examples.</summary>
public class ExamplesTests
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RnnVerify.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("RnnVerify.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Rnnverify_check_examples_cases_exits_0_and_checks_every_example()
    {
        string examples = Path.Combine(RepositoryRoot(), "examples", "cases");
        int files = Directory.GetFiles(examples, "*.json").Length;
        var (code, stdout, stderr) = BadInputTests.Check(examples);
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal("", stderr);
        Assert.Contains($"{files} case(s): {files} passed", stdout, StringComparison.Ordinal);
        Assert.Contains("lstm_pytorch_exported.json", stdout, StringComparison.Ordinal);
    }
}
