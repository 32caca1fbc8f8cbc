using System.Text.Json;
using System.Text.Json.Nodes;
using RnnVerify.Cells;
using RnnVerify.Cells.Layouts;

namespace RnnVerify.Verify.Cases;

/// <summary>
/// Reads and validates <c>rnnverify-case/1</c> files (docs/case-format.md). Every problem raises a
/// <see cref="CaseException"/> naming the field; nothing else escapes for bad input.
/// </summary>
public static partial class CaseReader
{
    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 32 };

    private static readonly HashSet<string> TopLevel =
    [
        "format", "cell", "layout", "attributes", "input_size", "hidden_size", "num_layers", "bidirectional", "dtype",
        "weights", "x", "seq_lens", "h0", "c0", "claimed", "comment", "generator", "reference",
    ];

    /// <summary>Reads the case in <paramref name="path"/>; an unreadable file is a <see cref="CaseException"/> too.</summary>
    public static RnnCase ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > CaseLimits.MaxFileBytes)
                throw new CaseException("", $"file is {info.Length} bytes, more than the limit of {CaseLimits.MaxFileBytes}");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            throw new CaseException("", $"cannot read the file: {e.Message}", e);
        }
        return Parse(bytes);
    }

    /// <summary>Parses and validates a case from UTF-8 JSON.</summary>
    public static RnnCase Parse(ReadOnlyMemory<byte> utf8)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8, Options);
        }
        catch (JsonException e)
        {
            throw new CaseException("", $"malformed JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {FirstSentence(e.Message)}", e);
        }
        using (doc)
            return Read(doc.RootElement);
    }

    /// <summary>Parses and validates a case from a JSON string.</summary>
    public static RnnCase Parse(string json) => Parse(System.Text.Encoding.UTF8.GetBytes(json));

    private static string FirstSentence(string m)
    {
        // System.Text.Json appends " LineNumber: … | BytePositionInLine: …." and " Path: …"; the position is reported already.
        foreach (var tail in new[] { " LineNumber:", " Path:" })
        {
            int i = m.IndexOf(tail, StringComparison.Ordinal);
            if (i > 0) m = m[..i];
        }
        return m.ReplaceLineEndings(" ").Trim();
    }

    private static RnnCase Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new CaseException("", $"the top level must be a JSON object, found {Kind(root)}");
        foreach (var p in root.EnumerateObject())
        {
            if (!TopLevel.Contains(p.Name))
                throw new CaseException(p.Name, $"unknown field (expected one of: {string.Join(", ", TopLevel)})");
        }
        string format = RequiredString(root, "format");
        if (format != RnnCase.FormatTag)
            throw new CaseException("format", $"\"{format}\" is not supported; expected \"{RnnCase.FormatTag}\"");

        string cell = RequiredString(root, "cell");
        CellKind kind = cell switch
        {
            "lstm" => CellKind.Lstm,
            "gru" => CellKind.Gru,
            "rnn_tanh" or "rnn_relu" => CellKind.Rnn,
            _ => throw new CaseException("cell", $"unknown cell \"{cell}\" (expected lstm, gru, rnn_tanh, rnn_relu)"),
        };
        string layoutName = RequiredString(root, "layout");
        var layout = WeightLayouts.Get(layoutName)
            ?? throw new CaseException("layout", $"unknown layout \"{layoutName}\" (expected {string.Join(", ", WeightLayouts.Names)})");
        string dtypeName = RequiredString(root, "dtype");
        var dtype = DtypeNames.Parse(dtypeName) ?? throw new CaseException("dtype", $"unknown dtype \"{dtypeName}\" (expected float32, float64)");

        int inputSize = Size(root, "input_size", null, CaseLimits.MaxFeatures);
        int hiddenSize = Size(root, "hidden_size", null, CaseLimits.MaxFeatures);
        int numLayers = Size(root, "num_layers", 1, CaseLimits.MaxLayers);
        bool bidirectional = OptionalBool(root, "bidirectional") ?? false;

        if (!root.TryGetProperty("weights", out var weightsEl))
            throw new CaseException("weights", "missing (the layout's weight tensors)");
        if (weightsEl.ValueKind != JsonValueKind.Object)
            throw new CaseException("weights", $"expected an object of named tensors, found {Kind(weightsEl)}");
        bool hasP = layoutName == "onnx" && weightsEl.TryGetProperty("P", out _);

        var attributes = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (root.TryGetProperty("attributes", out var attrEl))
        {
            if (attrEl.ValueKind != JsonValueKind.Object)
                throw new CaseException("attributes", $"expected an object, found {Kind(attrEl)}");
            foreach (var p in attrEl.EnumerateObject())
                attributes[p.Name] = JsonNode.Parse(p.Value.GetRawText());
        }
        var spec = CaseAttributes.BuildSpec(kind, cell, layoutName, attrEl.ValueKind == JsonValueKind.Object ? attrEl : default,
            inputSize, hiddenSize, numLayers, bidirectional, hasP);

        // Weights: exactly the layout's slots, each with its shape; then the canonical conversion.
        IReadOnlyList<TensorSlot> slots;
        try { slots = layout.Slots(spec); }
        catch (LayoutException e) { throw new CaseException(e.Field.Length > 0 ? "weights." + e.Field : "layout", e.Message, e); }
        var layoutWeights = ReadWeights(weightsEl, "weights", slots, allowNonFinite: false, requireAll: true);
        NetworkWeights weights;
        try
        {
            weights = layout.Import(spec, layoutWeights.ToDictionary(kv => kv.Key, kv => new WeightTensor(kv.Value.Shape, kv.Value.Data)));
        }
        catch (LayoutException e) { throw new CaseException("weights." + e.Field, e.Message, e); }

        // Inputs.
        var x = ReadTensor(Required(root, "x"), "x", 3, allowNonFinite: false);
        if (x.Shape[0] > CaseLimits.MaxSteps)
            throw new CaseException("x", $"axis 0 (sequence length) has length {x.Shape[0]}, more than the limit of {CaseLimits.MaxSteps}");
        if (x.Shape[1] > CaseLimits.MaxBatch)
            throw new CaseException("x", $"axis 1 (batch) has length {x.Shape[1]}, more than the limit of {CaseLimits.MaxBatch}");
        int T = x.Shape[0], B = x.Shape[1], D = spec.Directions, H = hiddenSize, LD = numLayers * D;
        ExpectShape(x, "x", [T, B, inputSize], ["sequence length", "batch", "input_size"]);
        int[] stateShape = [LD, B, H];
        string[] stateMeaning = ["num_layers·directions", "batch", "hidden_size"];
        int[] yShape = [T, B, D * H];
        string[] yMeaning = ["sequence length", "batch", "directions·hidden_size"];

        int[]? seqLens = null;
        if (root.TryGetProperty("seq_lens", out var sl))
        {
            if (sl.ValueKind != JsonValueKind.Array)
                throw new CaseException("seq_lens", $"expected an array of {B} integers, found {Kind(sl)}");
            if (sl.GetArrayLength() != B)
                throw new CaseException("seq_lens", $"axis 0 (batch) has length {sl.GetArrayLength()}, expected {B}");
            seqLens = new int[B];
            int i = 0;
            foreach (var v in sl.EnumerateArray())
            {
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int n) || n < 0 || n > T)
                    throw new CaseException("seq_lens", $"element [{i}] is {v.GetRawText()}, expected an integer in 0..{T} (the sequence length)");
                seqLens[i++] = n;
            }
        }
        Tensor? h0 = OptionalTensor(root, "h0", stateShape, stateMeaning, false);
        Tensor? c0 = OptionalTensor(root, "c0", stateShape, stateMeaning, false);
        if (c0 is not null && kind != CellKind.Lstm)
            throw new CaseException("c0", $"only an LSTM has a cell state; this case's cell is {cell}");

        var claimed = ReadClaimed(root, kind, cell, slots, yShape, yMeaning, stateShape, stateMeaning, x.Shape);

        long total = x.Data.LongLength + layoutWeights.Values.Sum(t => t.Data.LongLength);
        if (total > CaseLimits.MaxElements)
            throw new CaseException("", $"the case holds {total} elements, more than the limit of {CaseLimits.MaxElements}");

        return new RnnCase
        {
            Cell = cell,
            Layout = layoutName,
            Attributes = attributes,
            Spec = spec,
            Dtype = dtype,
            LayoutWeights = layoutWeights,
            Weights = weights,
            X = x,
            SeqLens = seqLens,
            H0 = h0,
            C0 = c0,
            Claimed = claimed,
        };
    }

    private static Claimed ReadClaimed(JsonElement root, CellKind kind, string cell, IReadOnlyList<TensorSlot> slots,
        int[] yShape, string[] yMeaning, int[] stateShape, string[] stateMeaning, int[] xShape)
    {
        if (!root.TryGetProperty("claimed", out var c))
            return new Claimed();
        if (c.ValueKind != JsonValueKind.Object)
            throw new CaseException("claimed", $"expected an object, found {Kind(c)}");
        foreach (var p in c.EnumerateObject())
        {
            if (p.Name is not ("y" or "h_n" or "c_n" or "grad"))
                throw new CaseException("claimed." + p.Name, "unknown field (expected y, h_n, c_n, grad)");
        }
        var cn = OptionalTensor(c, "c_n", stateShape, stateMeaning, true, "claimed.");
        if (cn is not null && kind != CellKind.Lstm)
            throw new CaseException("claimed.c_n", $"only an LSTM has a cell state; this case's cell is {cell}");
        ClaimedGrad? grad = null;
        if (c.TryGetProperty("grad", out var g))
        {
            if (g.ValueKind != JsonValueKind.Object)
                throw new CaseException("claimed.grad", $"expected an object, found {Kind(g)}");
            foreach (var p in g.EnumerateObject())
            {
                if (p.Name is not ("dy" or "dh_n" or "dc_n" or "x" or "h0" or "c0" or "weights"))
                    throw new CaseException("claimed.grad." + p.Name, "unknown field (expected dy, dh_n, dc_n, x, h0, c0, weights)");
            }
            var dy = OptionalTensor(g, "dy", yShape, yMeaning, false, "claimed.grad.")
                ?? throw new CaseException("claimed.grad.dy", "missing: gradients are the vector–Jacobian product with dy, which the case must give");
            var dcn = OptionalTensor(g, "dc_n", stateShape, stateMeaning, false, "claimed.grad.");
            var gc0 = OptionalTensor(g, "c0", stateShape, stateMeaning, true, "claimed.grad.");
            if ((dcn ?? gc0) is not null && kind != CellKind.Lstm)
                throw new CaseException(dcn is not null ? "claimed.grad.dc_n" : "claimed.grad.c0", $"only an LSTM has a cell state; this case's cell is {cell}");
            var gw = new Dictionary<string, Tensor>();
            if (g.TryGetProperty("weights", out var gwEl))
            {
                if (gwEl.ValueKind != JsonValueKind.Object)
                    throw new CaseException("claimed.grad.weights", $"expected an object of named tensors, found {Kind(gwEl)}");
                gw = ReadWeights(gwEl, "claimed.grad.weights", slots, allowNonFinite: true, requireAll: false);
            }
            grad = new ClaimedGrad
            {
                Dy = dy,
                DhN = OptionalTensor(g, "dh_n", stateShape, stateMeaning, false, "claimed.grad."),
                DcN = dcn,
                X = OptionalTensor(g, "x", xShape, ["sequence length", "batch", "input_size"], true, "claimed.grad."),
                H0 = OptionalTensor(g, "h0", stateShape, stateMeaning, true, "claimed.grad."),
                C0 = gc0,
                Weights = gw,
            };
        }
        return new Claimed
        {
            Y = OptionalTensor(c, "y", yShape, yMeaning, true, "claimed."),
            HN = OptionalTensor(c, "h_n", stateShape, stateMeaning, true, "claimed."),
            CN = cn,
            Grad = grad,
        };
    }

    private static Dictionary<string, Tensor> ReadWeights(JsonElement obj, string prefix, IReadOnlyList<TensorSlot> slots, bool allowNonFinite, bool requireAll)
    {
        var bySlot = slots.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            if (!bySlot.TryGetValue(p.Name, out var slot))
                throw new CaseException($"{prefix}.{p.Name}", $"unexpected weight for this cell and layout (expected: {string.Join(", ", slots.Select(s => s.Name))})");
            var t = ReadTensor(p.Value, $"{prefix}.{p.Name}", slot.Shape.Length, allowNonFinite);
            ExpectShape(t, $"{prefix}.{p.Name}", slot.Shape, slot.AxisMeaning);
            result[p.Name] = t;
        }
        if (requireAll)
        {
            foreach (var s in slots)
            {
                if (!result.ContainsKey(s.Name))
                    throw new CaseException($"{prefix}.{s.Name}", $"missing weight (expected shape {WeightTensor.Format(s.Shape)} [{string.Join("][", s.AxisMeaning)}])");
            }
        }
        return result;
    }

    private static Tensor? OptionalTensor(JsonElement obj, string name, int[] shape, string[] meaning, bool allowNonFinite, string prefix = "")
    {
        if (!obj.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
            return null;
        var t = ReadTensor(e, prefix + name, shape.Length, allowNonFinite);
        ExpectShape(t, prefix + name, shape, meaning);
        return t;
    }

    private static JsonElement Required(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var e) ? e : throw new CaseException(name, "missing");

    private static string RequiredString(JsonElement obj, string name)
    {
        var e = Required(obj, name);
        return e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new CaseException(name, $"expected a string, found {Kind(e)}");
    }

    private static bool? OptionalBool(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var e)) return null;
        return e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new CaseException(name, $"expected true or false, found {Kind(e)}"),
        };
    }

    private static int Size(JsonElement obj, string name, int? dflt, int max)
    {
        if (!obj.TryGetProperty(name, out var e))
            return dflt ?? throw new CaseException(name, "missing");
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long v))
            throw new CaseException(name, $"expected a positive integer, found {e.GetRawText()}");
        if (v < 1 || v > max)
            throw new CaseException(name, $"{v} is outside the documented limits 1..{max}");
        return (int)v;
    }
}
