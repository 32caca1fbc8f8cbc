using System.CommandLine;
using RnnVerify.Verify.Engines;
using RnnVerify.Verify.Golden;

namespace RnnVerify.Oracle;

/// <summary>
/// <c>rnnverify golden --out DIR [--seed S]</c>: writes the golden vectors (<see cref="GoldenSet"/>, two files each) and their
/// index README.md into DIR. Same seed, same bytes; the committed set is <c>--out tests/Golden/vectors --seed 1</c>.
/// </summary>
internal static class GoldenCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Directory to write the vectors into (created if needed)", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the weights and inputs", DefaultValueFactory = _ => GoldenVectors.DefaultSeed };
        var cmd = new Command("golden", "Write the golden vectors: rnnverify-case/1 files whose claimed values are the reference's, float64 and float32, with gradients")
        {
            output, seed,
        };
        cmd.SetAction(r => Run(r.GetValue(output)!, r.GetValue(seed), Console.Out, Console.Error));
        return cmd;
    }

    public static int Run(string outDir, int seed, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var files = GoldenVectors.Write(outDir, seed);
            stdout.WriteLine($"wrote {files.Count} files ({GoldenSet.Cases.Count} vectors × float64, float32; ONNX backend tests; README.md) to {outDir}");
            return CheckCommand.ExitPass;
        }
        catch (EngineException e)
        {
            stderr.WriteLine($"{outDir}: the reference cannot certify a vector: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"{outDir}: cannot write: {e.Message}");
        }
        return CheckCommand.ExitUnusable;
    }
}
