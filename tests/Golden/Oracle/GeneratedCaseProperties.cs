using FsCheck;
using FsCheck.Fluent;
using RnnVerify.Verify;
using RnnVerify.Verify.Cases;
using RnnVerify.Verify.Engines;
using RnnVerify.Verify.Generators;
using Xunit;

namespace RnnVerify.Golden.Oracle;

/// <summary>Properties over the public case generators (FsCheck prints the replay seed on failure).</summary>
public class GeneratedCaseProperties
{
    /// <summary>Every generated case is valid: its text reads back to a case that writes the same text.</summary>
    [Fact]
    public void Every_generated_case_survives_write_then_read_byte_for_byte() =>
        Prop.ForAll(CaseGenerators.SmallFloat32Cases(), c =>
        {
            string text = CaseWriter.Write(c);
            return text == CaseWriter.Write(CaseReader.Parse(text));
        }).QuickCheckThrowOnFailure();

    /// <summary>
    /// ONNX Runtime passes check on every generated case, whatever the layout the weights were stored in.
    /// 100 cases (not 1,000): each builds and runs an ORT session, and 100 already cover every cell × layout many times.
    /// </summary>
    [Fact]
    public void Onnxruntime_passes_check_on_generated_cases_in_every_layout() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.ForAll(CaseGenerators.SmallFloat32Cases(), c =>
        {
            var v = Verifier.Check(c, new OnnxRuntimeEngine().Run(c, Dtype.Float32));
            return v.Pass.Label($"{c.Cell} {c.Layout} ratios {string.Join(", ", v.Tensors.Select(t => $"{t.Name} {t.WorstRatio:R}"))}");
        }));
}
