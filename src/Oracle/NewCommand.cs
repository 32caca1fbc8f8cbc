using System.CommandLine;
using RnnVerify.Cells;
using RnnVerify.Verify.Cases;

namespace RnnVerify.Oracle;

/// <summary>
/// <c>rnnverify new --cell C --layout L [sizes] --seed N -o OUT.json</c>: a random non-degenerate case without claimed
/// results (fill them with <c>rnnverify run</c> or with the implementation under test). Same arguments, same bytes.
/// </summary>
internal static class NewCommand
{
    public static Command Create()
    {
        var cell = new Option<string>("--cell") { Description = "lstm, gru, rnn_tanh or rnn_relu", Required = true };
        cell.AcceptOnlyFromAmong("lstm", "gru", "rnn_tanh", "rnn_relu");
        var layout = new Option<string>("--layout") { Description = "pytorch, onnx or keras", DefaultValueFactory = _ => "pytorch" };
        layout.AcceptOnlyFromAmong("pytorch", "onnx", "keras");
        var dtype = new Option<string>("--dtype") { Description = "float32 or float64", DefaultValueFactory = _ => "float32" };
        dtype.AcceptOnlyFromAmong("float32", "float64");
        var input = new Option<int>("--input-size") { DefaultValueFactory = _ => 3 };
        var hidden = new Option<int>("--hidden-size") { DefaultValueFactory = _ => 4 };
        var layers = new Option<int>("--layers") { DefaultValueFactory = _ => 1 };
        var bidi = new Option<bool>("--bidirectional");
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 5 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 2 };
        var seqLens = new Option<bool>("--seq-lens") { Description = "Give random sequence lengths in 1..steps (one entry full length)" };
        var peep = new Option<bool>("--peepholes") { Description = "LSTM peepholes (onnx layout only)" };
        var lbr = new Option<int?>("--linear-before-reset") { Description = "GRU: 1 applies the reset gate after the recurrent product" };
        var grad = new Option<bool>("--grad") { Description = "Give random upstream gradients claimed.grad.dy (and dh_n, dc_n) so engines fill gradients" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--output", "-o") { Required = true };
        var cmd = new Command("new", "Write a random non-degenerate case (no claimed results)")
        {
            cell, layout, dtype, input, hidden, layers, bidi, steps, batch, seqLens, peep, lbr, grad, seed, output,
        };
        cmd.SetAction(r =>
        {
            string c = r.GetValue(cell)!;
            var kind = c switch { "lstm" => CellKind.Lstm, "gru" => CellKind.Gru, _ => CellKind.Rnn };
            var spec = new CellSpec
            {
                Kind = kind,
                InputSize = r.GetValue(input),
                HiddenSize = r.GetValue(hidden),
                NumLayers = r.GetValue(layers),
                Bidirectional = r.GetValue(bidi),
                Peepholes = kind == CellKind.Lstm && r.GetValue(peep),
                LinearBeforeReset = kind != CellKind.Gru || (r.GetValue(lbr) ?? (r.GetValue(layout) == "onnx" ? 0 : 1)) == 1,
                Activations = c == "rnn_relu" ? [Activation.Relu] : null,
            };
            try
            {
                var rng = new Random(r.GetValue(seed));
                var rc = CaseBuilder.Random(spec, r.GetValue(layout)!, DtypeNames.Parse(r.GetValue(dtype))!.Value,
                    r.GetValue(steps), r.GetValue(batch), rng, r.GetValue(seqLens), minSeqLen: 1);
                if (r.GetValue(grad))
                    rc = rc with { Claimed = new Claimed { Grad = CaseBuilder.RandomUpstream(rc, rng) } };
                // Validate by reading the written text back: what `new` writes, `check` accepts.
                var text = CaseWriter.Write(rc);
                CaseReader.Parse(text);
                File.WriteAllText(r.GetValue(output)!, text);
                return 0;
            }
            catch (Exception e) when (e is CaseException or ArgumentException or Cells.Layouts.LayoutException or IOException)
            {
                Console.Error.WriteLine($"{r.GetValue(output)}: {e.Message}");
                return CheckCommand.ExitUnusable;
            }
        });
        return cmd;
    }
}
