using RnnVerify.Oracle;
using Xunit;

namespace RnnVerify.Golden.Oracle;

/// <summary>
/// Every file in tests/Golden/cases/bad/ is unusable: <c>rnnverify check</c> prints exactly one line on stderr naming the
/// file and the field, no stack trace, exits 2, and still checks the other files of the same run.
/// </summary>
public class BadInputTests
{
    internal static string CasesDir => Path.Combine(AppContext.BaseDirectory, "cases");

    /// <summary>File, then the expected stderr line after "FILE: " (written from the case-format spec, not from the code's output).</summary>
    public static TheoryData<string, string> BadFiles() => new()
    {
        { "bad_hex_float.json", "x: \"0x1.8q+1\" at [0,0,0] is neither a number nor a hex float like \"0x1.8p+1\"" },
        { "claimed_shape_mismatch.json", "claimed.c_n: axis 2 (hidden_size) has length 2, expected 1" },
        { "empty_file.json", "malformed JSON at line 1, byte 1: The input does not contain any JSON tokens. Expected the input to start with a valid JSON token, when isFinalBlock is true." },
        { "gru_given_lstm_weights.json", "weights.weight_ih_l0: axis 0 (3·hidden_size) has length 4, expected 3" },
        { "hidden_size_beyond_limit.json", "hidden_size: 5000 is outside the documented limits 1..4096" },
        { "infinite_input.json", "x: Infinity at [1,0,1]: inputs and weights must be finite" },
        { "malformed_json.json", "malformed JSON at line 11, byte 14: Expected end of string, but instead reached end of data." },
        { "missing_weight.json", "weights.bias_hh_l0: missing weight (expected shape [4] [4·hidden_size])" },
        { "nan_weight.json", "weights.weight_ih_l0: NaN at [1,0]: inputs and weights must be finite" },
        { "number_overflow.json", "x: number 1e400 at [0,0,0] is outside the double range" },
        { "ragged_x.json", "x: axis 2 has length 1 at [1,0], expected 2 like the first (ragged array)" },
        { "seq_len_beyond_steps.json", "seq_lens: element [0] is 3, expected an integer in 0..2 (the sequence length)" },
        { "unknown_attribute.json", "attributes.forget_bias: unknown attribute (expected one of: activations, clip, clip_reading, input_forget, input_forget_reading, linear_before_reset, reset_after, direction, hidden_size, nonlinearity, padding, reverse_order)" },
        { "unknown_cell.json", "cell: unknown cell \"lstmx\" (expected lstm, gru, rnn_tanh, rnn_relu)" },
        { "unknown_layout.json", "layout: unknown layout \"tensorflow\" (expected pytorch, onnx, keras)" },
        { "unsupported_format.json", "format: \"rnnverify-case/2\" is not supported; expected \"rnnverify-case/1\"" },
        { "weight_shape_mismatch.json", "weights.weight_hh_l0: axis 1 (hidden_size) has length 2, expected 1" },
        { "x_shape_mismatch.json", "x: axis 2 (input_size) has length 3, expected 2" },
    };

    [Fact]
    public void Every_file_in_the_bad_directory_has_a_test()
    {
        var files = Directory.GetFiles(Path.Combine(CasesDir, "bad"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        var tested = BadFiles().Select(row => (string)row[0]).Order(StringComparer.Ordinal);
        Assert.Equal(tested, files);
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_bad_file_gives_one_line_naming_file_and_field_and_exit_code_2(string file, string expected)
    {
        string path = Path.Combine(CasesDir, "bad", file);
        var (code, stdout, stderr) = Check(path);
        Assert.Equal(CheckCommand.ExitUnusable, code);
        Assert.Equal($"{path}: {expected}", stderr.TrimEnd('\n'));
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal); // no stack trace
        Assert.Contains("1 unusable", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_file_is_named_and_gives_exit_code_2()
    {
        string path = Path.Combine(CasesDir, "no_such_case.json");
        var (code, _, stderr) = Check(path);
        Assert.Equal(CheckCommand.ExitUnusable, code);
        Assert.StartsWith($"{path}: cannot read the file: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Other_files_in_the_same_run_are_still_checked()
    {
        string good = Path.Combine(CasesDir, "good", "lstm_pytorch_ort.json");
        var (code, stdout, stderr) = Check(Path.Combine(CasesDir, "bad"), good);
        Assert.Equal(CheckCommand.ExitUnusable, code);
        Assert.Equal(BadFiles().Count, stderr.TrimEnd('\n').Split('\n').Length);
        Assert.Contains($"PASS  {good}", stdout, StringComparison.Ordinal);
        Assert.Contains($"{BadFiles().Count + 1} case(s): 1 passed, 0 failed, {BadFiles().Count} unusable", stdout, StringComparison.Ordinal);
    }

    internal static (int Code, string Stdout, string Stderr) Check(params string[] paths)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        o.NewLine = "\n";
        e.NewLine = "\n";
        int code = CheckCommand.Run(paths, null, null, o, e);
        return (code, o.ToString(), e.ToString());
    }
}
