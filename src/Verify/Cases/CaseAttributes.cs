using System.Text.Json;
using RnnVerify.Cells;

namespace RnnVerify.Verify.Cases;

/// <summary>
/// The <c>attributes</c> object of a case: layout-native options mapped onto <see cref="CellSpec"/>, and the named
/// variants where runtimes read the ONNX text differently. docs/case-format.md lists them.
/// </summary>
public static class CaseAttributes
{
    /// <summary>Every attribute name a case may carry.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "activations", "clip", "clip_reading", "input_forget", "input_forget_reading", "linear_before_reset", "reset_after",
        "direction", "hidden_size", "nonlinearity", "padding", "reverse_order",
    ];

    /// <summary>Builds the spec; <paramref name="attrs"/> is the attributes object or <c>default</c> when absent.</summary>
    /// <exception cref="CaseException">An attribute is unknown, ill-typed, contradicts the cell, or is not supported.</exception>
    public static CellSpec BuildSpec(CellKind kind, string cell, string layout, JsonElement attrs, int inputSize, int hiddenSize,
        int numLayers, bool bidirectional, bool onnxPeepholes)
    {
        bool lbrDefault = layout != "onnx"; // ONNX defaults to linear_before_reset = 0; PyTorch and Keras (reset_after) to 1
        var spec = new CellSpec
        {
            Kind = kind,
            InputSize = inputSize,
            HiddenSize = hiddenSize,
            NumLayers = numLayers,
            Bidirectional = bidirectional,
            Peepholes = kind == CellKind.Lstm && onnxPeepholes,
            LinearBeforeReset = kind != CellKind.Gru || lbrDefault,
            Activations = kind == CellKind.Rnn ? [cell == "rnn_relu" ? Activation.Relu : Activation.Tanh] : null,
        };
        if (attrs.ValueKind != JsonValueKind.Object)
            return spec;

        foreach (var p in attrs.EnumerateObject())
        {
            string f = "attributes." + p.Name;
            var v = p.Value;
            switch (p.Name)
            {
                case "activations":
                    spec = spec with { Activations = Activations(v, f, kind, cell, bidirectional) };
                    break;
                case "clip":
                    if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double clip) || !(clip > 0) || !double.IsFinite(clip))
                        throw new CaseException(f, $"expected a positive finite number, found {v.GetRawText()}");
                    spec = spec with { Clip = clip };
                    break;
                case "clip_reading":
                    spec = spec with
                    {
                        ClipReading = Choice(v, f, ("gate_inputs", ClipReading.GateInputs), ("gate_inputs_and_cell", ClipReading.GateInputsAndCell)),
                    };
                    break;
                case "input_forget":
                    RequireKind(kind, CellKind.Lstm, f, cell);
                    spec = spec with { InputForget = Flag(v, f) };
                    break;
                case "input_forget_reading":
                    RequireKind(kind, CellKind.Lstm, f, cell);
                    spec = spec with
                    {
                        InputForgetReading = Choice(v, f, ("forget_from_input", InputForgetReading.ForgetFromInput), ("input_from_forget", InputForgetReading.InputFromForget)),
                    };
                    break;
                case "linear_before_reset":
                case "reset_after":
                    RequireKind(kind, CellKind.Gru, f, cell);
                    spec = spec with { LinearBeforeReset = Flag(v, f) };
                    break;
                case "direction":
                    string dir = Choice(v, f, ("forward", "forward"), ("bidirectional", "bidirectional"), ("reverse", "reverse"));
                    if (dir == "reverse")
                        throw new CaseException(f, "\"reverse\" alone is not supported; run the reversed sequence forward, or use a bidirectional case");
                    if ((dir == "bidirectional") != bidirectional)
                        throw new CaseException(f, $"\"{dir}\" contradicts \"bidirectional\": {(bidirectional ? "true" : "false")}");
                    break;
                case "hidden_size":
                    if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int hs) || hs != hiddenSize)
                        throw new CaseException(f, $"{v.GetRawText()} contradicts \"hidden_size\": {hiddenSize}");
                    break;
                case "nonlinearity":
                    RequireKind(kind, CellKind.Rnn, f, cell);
                    string nl = Choice(v, f, ("tanh", "rnn_tanh"), ("relu", "rnn_relu"));
                    if (nl != cell)
                        throw new CaseException(f, $"{v.GetRawText()} contradicts the cell \"{cell}\"");
                    break;
                case "padding":
                    spec = spec with { Padding = Choice(v, f, ("zeros", PaddingReading.Zeros), ("carry_last", PaddingReading.CarryLast)) };
                    break;
                case "reverse_order":
                    spec = spec with
                    {
                        ReverseOrder = Choice(v, f, ("time_aligned", ReverseOutputOrder.TimeAligned), ("processing_order", ReverseOutputOrder.ProcessingOrder)),
                    };
                    break;
                default:
                    throw new CaseException(f, $"unknown attribute (expected one of: {string.Join(", ", Names)})");
            }
        }
        return spec;
    }

    private static void RequireKind(CellKind kind, CellKind needed, string field, string cell)
    {
        if (kind != needed)
            throw new CaseException(field, $"applies only to {needed.ToString().ToUpperInvariant()} cells; this case's cell is {cell}");
    }

    private static bool Flag(JsonElement v, string field) => v.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when v.TryGetInt32(out int i) && i is 0 or 1 => i == 1,
        _ => throw new CaseException(field, $"expected 0, 1, true or false, found {v.GetRawText()}"),
    };

    private static T Choice<T>(JsonElement v, string field, params (string Name, T Value)[] options)
    {
        if (v.ValueKind == JsonValueKind.String)
        {
            var s = v.GetString();
            foreach (var (name, value) in options)
                if (name == s) return value;
        }
        throw new CaseException(field, $"{v.GetRawText()} is not one of {string.Join(", ", options.Select(o => "\"" + o.Name + "\""))}");
    }

    private static Activation[] Activations(JsonElement v, string field, CellKind kind, string cell, bool bidirectional)
    {
        int n = kind switch { CellKind.Lstm => 3, CellKind.Gru => 2, _ => 1 };
        if (v.ValueKind != JsonValueKind.Array)
            throw new CaseException(field, $"expected an array of {n} (or {2 * n} when bidirectional) activation names");
        var list = new List<Activation>();
        int i = 0;
        foreach (var e in v.EnumerateArray())
        {
            string? s = e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            list.Add(s?.ToUpperInvariant() switch
            {
                "SIGMOID" => Activation.Sigmoid,
                "TANH" => Activation.Tanh,
                "RELU" => Activation.Relu,
                "IDENTITY" => Activation.Identity,
                _ => throw new CaseException(field, $"element [{i}] {e.GetRawText()} is not a supported activation (Sigmoid, Tanh, Relu, Identity)"),
            });
            i++;
        }
        if (list.Count == 2 * n && bidirectional)
        {
            if (!list.Take(n).SequenceEqual(list.Skip(n)))
                throw new CaseException(field, "different activations for the forward and reverse directions are not supported");
            list.RemoveRange(n, n);
        }
        if (list.Count != n)
            throw new CaseException(field, $"has {list.Count} names, expected {n}{(bidirectional ? $" or {2 * n}" : "")} for {cell}");
        // ONNX's RNN allows any f; rnn_tanh / rnn_relu name the family, so only the other of the two contradicts.
        var named = cell == "rnn_relu" ? Activation.Relu : Activation.Tanh;
        if (kind == CellKind.Rnn && list[0] is Activation.Tanh or Activation.Relu && list[0] != named)
            throw new CaseException(field, $"{list[0]} contradicts the cell \"{cell}\"");
        return [.. list];
    }
}
