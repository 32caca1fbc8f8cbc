using RnnVerify.Verify.Golden;
using Xunit;

namespace RnnVerify.Golden.Vectors;

/// <summary>
/// The committed golden vectors are current: <c>rnnverify golden --out DIR --seed 1</c> into an empty directory writes exactly
/// the committed files (no file missing or extra), byte for byte.
/// </summary>
public sealed class RegenerationTests
{
    private const string Regenerate = "rm -r tests/Golden/vectors && dotnet run --project src/Oracle -- golden --out tests/Golden/vectors --seed 1";

    [Fact]
    public void Regenerating_the_golden_vectors_gives_byte_identical_files_and_no_missing_or_extra_file()
    {
        string fresh = Path.Combine(Path.GetTempPath(), "rnnverify-golden-" + Guid.NewGuid().ToString("N"));
        try
        {
            GoldenVectors.Write(fresh, GoldenVectors.DefaultSeed);
            var a = Files(Vectors.Directory);
            var b = Files(fresh);
            var missing = b.Except(a, StringComparer.Ordinal).ToList();
            var extra = a.Except(b, StringComparer.Ordinal).ToList();
            Assert.True(missing.Count == 0 && extra.Count == 0,
                $"the committed vectors are not current: {missing.Count} new files [{string.Join(", ", missing.Take(5))}], {extra.Count} stale files [{string.Join(", ", extra.Take(5))}]; regenerate with `{Regenerate}`");
            foreach (var f in a)
            {
                byte[] x = File.ReadAllBytes(Path.Combine(Vectors.Directory, f)), y = File.ReadAllBytes(Path.Combine(fresh, f));
                if (!x.AsSpan().SequenceEqual(y))
                {
                    int i = 0;
                    while (i < x.Length && i < y.Length && x[i] == y[i]) i++;
                    Assert.Fail($"tests/Golden/vectors/{f} differs from a fresh run at byte {i} (committed {x.Length} bytes, fresh {y.Length}); regenerate with `{Regenerate}`");
                }
            }
        }
        finally
        {
            if (Directory.Exists(fresh))
                Directory.Delete(fresh, recursive: true);
        }
    }

    [Fact]
    public void Every_vector_of_the_covering_set_has_a_float64_and_a_float32_file_and_the_index_lists_it()
    {
        string index = File.ReadAllText(Path.Combine(Vectors.Directory, "README.md"));
        foreach (var g in GoldenSet.Cases)
        {
            Assert.True(File.Exists(Path.Combine(Vectors.Directory, g.Name + ".float64.json")), g.Name + ".float64.json is missing");
            Assert.True(File.Exists(Path.Combine(Vectors.Directory, g.Name + ".float32.json")), g.Name + ".float32.json is missing");
            Assert.Contains($"| `{g.Name}` |", index, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Rnnverify_check_passes_every_vector_with_every_claimed_tensor_judged_including_gradients()
    {
        var (code, stdout, stderr) = Oracle.BadInputTests.Check(Vectors.Directory);
        int n = 2 * GoldenSet.Cases.Count;
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal("", stderr);
        Assert.Contains($"{n} case(s): {n} passed, 0 failed, 0 unusable", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("unchecked", stdout, StringComparison.Ordinal);
        Assert.Contains("grad.weights.", stdout, StringComparison.Ordinal);
    }

    private static List<string> Files(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
}
