using System.Numerics;

namespace RnnVerify.Cells;

/// <summary>
/// Every buffer one forward–backward call needs, allocated once per (steps, batch) and reused by later calls of the same size,
/// so the time loop never allocates. The forward pass records here what the backward pass reads (the tape). The buffers only
/// the backward pass uses are allocated on first use, so a network that only runs forward never holds them.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
internal sealed class Workspace<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public Workspace(CellSpec spec, int steps, int batch)
    {
        Steps = steps;
        Batch = batch;
        int h = spec.HiddenSize;
        int g = spec.Gates * h;
        int dh = spec.Directions * h;
        int lds = spec.NumLayers * spec.Directions;
        int tb = steps * batch;
        Tapes = new Tape[lds];
        for (int i = 0; i < lds; i++)
        {
            Tapes[i] = new Tape
            {
                Pre = new T[tb * g],
                Act = new T[tb * g],
                HPrev = new T[tb * h],
                CPrev = spec.Kind == CellKind.Lstm ? new T[tb * h] : [],
                CRaw = spec.Kind == CellKind.Lstm ? new T[tb * h] : [],
                HC = spec.Kind == CellKind.Lstm ? new T[tb * h] : [],
                GhN = spec.Kind == CellKind.Gru ? new T[tb * h] : [],
                H = new T[batch * h],
                C = new T[batch * h],
            };
        }

        Out = new T[spec.NumLayers][];
        for (int l = 0; l < spec.NumLayers; l++)
        {
            Out[l] = new T[tb * dh];
        }

        Rec = new T[batch * g];
        Tmp = new T[batch * h];
        Lens = new int[batch];
        _spec = spec;
    }

    private readonly CellSpec _spec;

    private int G => _spec.Gates * _spec.HiddenSize;

    private int Rows => Steps * Batch;

    private int DH1 => _spec.Directions * _spec.HiddenSize;

    public int Steps { get; }
    public int Batch { get; }

    /// <summary>Per layer and direction: what the forward pass recorded.</summary>
    public Tape[] Tapes { get; }

    /// <summary>Per layer: outputs [T][B][D·H], time-aligned, padding rule applied (the next layer's input).</summary>
    public T[][] Out { get; }

    /// <summary>Per layer: gradient with respect to <see cref="Out"/>.</summary>
    public T[][] DOut => field ??= Enumerable.Range(0, _spec.NumLayers).Select(_ => new T[Rows * DH1]).ToArray();

    /// <summary>Recurrent products of one step, [B][G·H].</summary>
    public T[] Rec { get; }

    /// <summary>Scratch [B][H] (GRU r ⊙ h).</summary>
    public T[] Tmp { get; }


    /// <summary>Backward: gradient carried to the previous hidden state, [B][H].</summary>
    public T[] DH => field ??= new T[Batch * _spec.HiddenSize];

    /// <summary>Backward: gradient carried to the previous cell state, [B][H].</summary>
    public T[] DC => field ??= new T[Batch * _spec.HiddenSize];

    /// <summary>Backward scratch: ∂/∂(r ⊙ h) for the GRU with the reset before the product, [H].</summary>
    public T[] DRh => field ??= new T[_spec.HiddenSize];

    /// <summary>Backward: extra gradient on each direction's final state from reordered padded outputs, [L·D][B][H].</summary>
    public T[] DFinal => field ??= new T[_spec.NumLayers * _spec.Directions * Batch * _spec.HiddenSize];

    /// <summary>Sequence length per batch entry.</summary>
    public int[] Lens { get; }

    /// <summary>The shortest sequence length (every row is valid at steps t &lt; MinLen); set with <see cref="Lens"/>.</summary>
    public int MinLen { get; set; }

    /// <summary>Truncated BPTT: first step inside the window, per batch entry.</summary>
    public int[] Lo => field ??= new int[Batch];

    /// <summary>The network output in the caller's order [T][B][D·H] (the loss reads it; the forward writes y directly).</summary>
    public T[] YUser => field ??= new T[Rows * DH1];

    /// <summary>Gradient with respect to <see cref="YUser"/>.</summary>
    public T[] DYUser => field ??= new T[Rows * DH1];

    /// <summary>Backward: dA_x of every row [T·B][G·H] (zero where no cell was applied).</summary>
    public T[] DAxAll => field ??= new T[Rows * G];

    /// <summary>Backward: dA_h of every row [T·B][G·H].</summary>
    public T[] DAhAll => field ??= new T[Rows * G];

    /// <summary>Backward: whether row t·B + b went through a cell in the current sweep.</summary>
    public bool[] Active => field ??= new bool[Rows];

    /// <summary>Backward: the active rows of the layer input, previous state or r ⊙ h (inactive rows zeroed), [rows][In].</summary>
    public T[] TransB => field ??= new T[Math.Max(_spec.InputSize, DH1) * Rows];

    /// <summary>One layer and direction's record of the forward pass; every array is [T][B][·] indexed by time-aligned step.</summary>
    public sealed class Tape
    {
        /// <summary>Pre-activations before clipping, [T][B][G·H] (GRU n: the full argument of g).</summary>
        public required T[] Pre { get; init; }
        /// <summary>Activated gates [T][B][G·H] (LSTM i, f, g, o after input_forget; GRU r, z, n; RNN h).</summary>
        public required T[] Act { get; init; }
        /// <summary>Hidden state before the step, [T][B][H].</summary>
        public required T[] HPrev { get; init; }
        /// <summary>LSTM cell state before the step.</summary>
        public required T[] CPrev { get; init; }
        /// <summary>LSTM f ⊙ c_{t−1} + i ⊙ g before the optional cell clip.</summary>
        public required T[] CRaw { get; init; }
        /// <summary>LSTM h(c_t).</summary>
        public required T[] HC { get; init; }
        /// <summary>GRU: U_n h + b_hn (reset after) or U_n (r ⊙ h) + b_hn (reset before).</summary>
        public required T[] GhN { get; init; }
        /// <summary>Running hidden state [B][H].</summary>
        public required T[] H { get; init; }
        /// <summary>Running cell state [B][H].</summary>
        public required T[] C { get; init; }
    }
}
