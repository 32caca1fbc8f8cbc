using System.CommandLine;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Engines;

namespace RnnVerify.Oracle;

/// <summary><c>rnnverify run --engine cells|reference|onnxruntime [--dtype float32|float64] CASE.json -o OUT.json</c>.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("case") { Description = "The case file whose claimed results to compute" };
        var engine = new Option<string>("--engine") { Description = "cells, reference or onnxruntime", Required = true };
        engine.AcceptOnlyFromAmong([.. EngineRegistry.Names]);
        var dtype = new Option<string?>("--dtype") { Description = "float32 or float64 (default: the case's dtype)" };
        dtype.AcceptOnlyFromAmong("float32", "float64");
        var output = new Option<string>("--output", "-o") { Description = "Where to write the case with its claimed results", Required = true };
        var cmd = new Command("run", "Fill a case's claimed results with an engine's outputs (and gradients when the case gives claimed.grad.dy)")
        {
            input, engine, dtype, output,
        };
        cmd.SetAction(r => Run(r.GetValue(input)!, r.GetValue(engine)!, r.GetValue(dtype), r.GetValue(output)!, Console.Error));
        return cmd;
    }

    public static int Run(string input, string engineName, string? dtypeName, string output, TextWriter stderr)
    {
        if (string.Equals(Path.GetFullPath(input), Path.GetFullPath(output), StringComparison.Ordinal))
        {
            stderr.WriteLine($"{output}: refusing to overwrite the input case; choose another -o");
            return CheckCommand.ExitUnusable;
        }
        var engine = EngineRegistry.Get(engineName)!;
        try
        {
            var c = CaseReader.ReadFile(input);
            var dtype = DtypeNames.Parse(dtypeName) ?? c.Dtype;
            var claimed = engine.Run(c, dtype);
            if (c.Claimed.Grad is not null && claimed.Grad is null)
                stderr.WriteLine($"{input}: claimed.grad: the {engine.Name} engine computes no gradients; they are left out of {output}");
            CaseWriter.WriteFile(c with { Claimed = claimed, Dtype = dtype }, output);
            return CheckCommand.ExitPass;
        }
        catch (CaseException e)
        {
            stderr.WriteLine(e.Diagnostic(input));
        }
        catch (EngineException e)
        {
            stderr.WriteLine($"{input}: engine {engine.Name}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"{output}: cannot write: {e.Message}");
        }
        return CheckCommand.ExitUnusable;
    }
}
