using Google.Protobuf;
using Onnx;
using RnnVerify.Cells;
using RnnVerify.Verify.Cases;

namespace RnnVerify.Verify.Engines;

/// <summary>
/// Builds, in memory, the ONNX model that computes a case with one RNN/LSTM/GRU node per layer (opset 14).
/// Graph inputs: <c>X</c> [T][B][I], per layer k <c>W_k</c>, <c>R_k</c>, <c>B_k</c>, <c>P_k</c> (peepholes),
/// <c>initial_h_k</c> and <c>initial_c_k</c> [D][B][H], and <c>sequence_lens</c> [B] (int32) when the case has them.
/// Between layers Y [T][D][B][H] is transposed to [T][B][D][H] and reshaped to [T][B][D·H]; the outputs are
/// <c>y</c> [T][B][D·H], <c>h_n</c> and (LSTM) <c>c_n</c> [L·D][B][H] (the layers' Y_h, Y_c concatenated).
/// </summary>
public static class OnnxModelBuilder
{
    /// <summary>The opset the model imports (LSTM/GRU/RNN version 14).</summary>
    public const int Opset = 14;

    /// <summary>The ONNX operator type of a cell kind.</summary>
    public static string OpType(CellKind kind) => kind switch { CellKind.Lstm => "LSTM", CellKind.Gru => "GRU", _ => "RNN" };

    /// <summary>
    /// Serialized ModelProto for <paramref name="c"/> computed in <paramref name="dtype"/>. With <paramref name="reverse"/>
    /// every node has <c>direction="reverse"</c> (a unidirectional spec only): each layer processes each batch entry from its
    /// last valid step down to step 0 and writes Y time-aligned, which is not the case's own (forward) computation.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="reverse"/> with a bidirectional spec.</exception>
    public static byte[] Build(RnnCase c, Dtype dtype, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(c);
        var spec = c.Spec;
        if (reverse && spec.Bidirectional)
            throw new ArgumentException("direction=\"reverse\" needs a unidirectional spec", nameof(reverse));
        var elem = dtype == Dtype.Float32 ? TensorProto.Types.DataType.Float : TensorProto.Types.DataType.Double;
        int D = spec.Directions, H = spec.HiddenSize, G = spec.Gates;
        var g = new GraphProto { Name = "rnnverify_case" };
        g.Input.Add(Value("X", elem, c.T, c.Batch, spec.InputSize));
        bool lens = c.SeqLens is not null;
        if (lens)
            g.Input.Add(Value("sequence_lens", TensorProto.Types.DataType.Int32, c.Batch));

        string layerInput = "X";
        var hOutputs = new List<string>();
        var cOutputs = new List<string>();
        for (int k = 0; k < spec.NumLayers; k++)
        {
            int inK = spec.LayerInputSize(k);
            g.Input.Add(Value($"W_{k}", elem, D, G * H, inK));
            g.Input.Add(Value($"R_{k}", elem, D, G * H, H));
            g.Input.Add(Value($"B_{k}", elem, D, 2 * G * H));
            g.Input.Add(Value($"initial_h_{k}", elem, D, c.Batch, H));
            bool lstm = spec.Kind == CellKind.Lstm;
            if (lstm)
                g.Input.Add(Value($"initial_c_{k}", elem, D, c.Batch, H));
            if (lstm && spec.Peepholes)
                g.Input.Add(Value($"P_{k}", elem, D, 3 * H));

            var node = new NodeProto { OpType = OpType(spec.Kind), Name = $"layer{k}" };
            node.Input.Add(layerInput);
            node.Input.Add($"W_{k}");
            node.Input.Add($"R_{k}");
            node.Input.Add($"B_{k}");
            node.Input.Add(lens ? "sequence_lens" : "");
            node.Input.Add($"initial_h_{k}");
            if (lstm)
            {
                node.Input.Add($"initial_c_{k}");
                if (spec.Peepholes) node.Input.Add($"P_{k}");
            }
            node.Output.Add($"Y_{k}");
            node.Output.Add($"Y_h_{k}");
            if (lstm) node.Output.Add($"Y_c_{k}");
            AddAttributes(node, spec, reverse);
            g.Node.Add(node);
            hOutputs.Add($"Y_h_{k}");
            if (lstm) cOutputs.Add($"Y_c_{k}");

            // Y [T][D][B][H] → [T][B][D][H] → [T][B][D·H]
            var tr = new NodeProto { OpType = "Transpose", Name = $"transpose{k}" };
            tr.Input.Add($"Y_{k}");
            tr.Output.Add($"Yt_{k}");
            tr.Attribute.Add(new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 0, 2, 1, 3 } });
            g.Node.Add(tr);
            var shapeName = $"shape_{k}";
            g.Initializer.Add(new TensorProto { Name = shapeName, DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 3 }, Int64Data = { c.T, c.Batch, D * H } });
            var rs = new NodeProto { OpType = "Reshape", Name = $"reshape{k}" };
            rs.Input.Add($"Yt_{k}");
            rs.Input.Add(shapeName);
            rs.Output.Add(k == spec.NumLayers - 1 ? "y" : $"X_{k + 1}");
            g.Node.Add(rs);
            layerInput = $"X_{k + 1}";
        }
        g.Node.Add(Concat(hOutputs, "h_n"));
        g.Output.Add(Value("y", elem, c.T, c.Batch, D * H));
        g.Output.Add(Value("h_n", elem, spec.NumLayers * D, c.Batch, H));
        if (cOutputs.Count > 0)
        {
            g.Node.Add(Concat(cOutputs, "c_n"));
            g.Output.Add(Value("c_n", elem, spec.NumLayers * D, c.Batch, H));
        }
        var model = new ModelProto { IrVersion = 8, ProducerName = "rnnverify", Graph = g };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }

    private static NodeProto Concat(List<string> inputs, string output)
    {
        var n = new NodeProto { OpType = "Concat", Name = "concat_" + output };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        n.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        return n;
    }

    /// <summary>
    /// The node attributes of <paramref name="spec"/>: hidden_size, direction (<c>reverse</c> when <paramref name="reverse"/>),
    /// activations (per direction), clip, input_forget, linear_before_reset.
    /// </summary>
    internal static void AddAttributes(NodeProto node, CellSpec spec, bool reverse = false)
    {
        node.Attribute.Add(new AttributeProto { Name = "hidden_size", Type = AttributeProto.Types.AttributeType.Int, I = spec.HiddenSize });
        node.Attribute.Add(new AttributeProto
        {
            Name = "direction",
            Type = AttributeProto.Types.AttributeType.String,
            S = ByteString.CopyFromUtf8(spec.Bidirectional ? "bidirectional" : reverse ? "reverse" : "forward"),
        });
        var acts = new AttributeProto { Name = "activations", Type = AttributeProto.Types.AttributeType.Strings };
        var alpha = new AttributeProto { Name = "activation_alpha", Type = AttributeProto.Types.AttributeType.Floats };
        var beta = new AttributeProto { Name = "activation_beta", Type = AttributeProto.Types.AttributeType.Floats };
        for (int d = 0; d < spec.Directions; d++)
        {
            foreach (var a in spec.EffectiveActivations)
            {
                acts.Strings.Add(ByteString.CopyFromUtf8(a switch
                {
                    Activation.Sigmoid => "Sigmoid",
                    Activation.Tanh => "Tanh",
                    Activation.Relu => "Relu",
                    _ => "Affine",
                }));
                if (a == Activation.Identity)
                {
                    alpha.Floats.Add(1f);
                    beta.Floats.Add(0f);
                }
            }
        }
        node.Attribute.Add(acts);
        if (alpha.Floats.Count > 0)
        {
            node.Attribute.Add(alpha);
            node.Attribute.Add(beta);
        }
        if (spec.Clip is double clip)
            node.Attribute.Add(new AttributeProto { Name = "clip", Type = AttributeProto.Types.AttributeType.Float, F = (float)clip });
        if (spec.Kind == CellKind.Lstm)
            node.Attribute.Add(new AttributeProto { Name = "input_forget", Type = AttributeProto.Types.AttributeType.Int, I = spec.InputForget ? 1 : 0 });
        if (spec.Kind == CellKind.Gru)
            node.Attribute.Add(new AttributeProto { Name = "linear_before_reset", Type = AttributeProto.Types.AttributeType.Int, I = spec.LinearBeforeReset ? 1 : 0 });
    }

    /// <summary>A graph input or output of element type <paramref name="elem"/> and fixed shape <paramref name="dims"/>.</summary>
    internal static ValueInfoProto Value(string name, TensorProto.Types.DataType elem, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elem, Shape = shape } },
        };
    }
}
