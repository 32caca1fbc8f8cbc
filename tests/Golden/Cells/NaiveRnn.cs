using RnnVerify.Cells;

namespace RnnVerify.Golden.Cells;

/// <summary>
/// A deliberately plain scalar transcription of the equations in docs/cells.md, one batch entry and one step at a time,
/// sharing no code with src/Cells. It is the independent oracle for the vectorised network.
/// </summary>
internal static class NaiveRnn
{
    public static double Act(Activation a, double v) => a switch
    {
        Activation.Identity => v,
        Activation.Tanh => Math.Tanh(v),
        Activation.Sigmoid => v >= 0 ? 1 / (1 + Math.Exp(-v)) : Math.Exp(v) / (1 + Math.Exp(v)),
        _ => v > 0 ? v : 0,
    };

    private static double Clip(CellSpec s, double v) => s.Clip is double c ? Math.Clamp(v, -c, c) : v;

    /// <summary>Σ_k W[row][k] v[k] for W row-major with rows of length v.Length.</summary>
    private static double Dot(double[] w, int row, double[] v)
    {
        double acc = 0;
        for (int k = 0; k < v.Length; k++)
        {
            acc += w[(row * v.Length) + k] * v[k];
        }

        return acc;
    }

    /// <summary>One cell step; returns (h', c').</summary>
    public static (double[] H, double[] C) Step(CellSpec s, LayerWeights w, double[] x, double[] h, double[] c)
    {
        int n = s.HiddenSize;
        var acts = s.EffectiveActivations;
        var hn = new double[n];
        var cn = new double[n];
        double Lin(int gate, int j) => Dot(w.Wx, (gate * n) + j, x) + w.Bx[(gate * n) + j] + Dot(w.Wh, (gate * n) + j, h) + w.Bh[(gate * n) + j];
        switch (s.Kind)
        {
            case CellKind.Rnn:
                for (int j = 0; j < n; j++)
                {
                    hn[j] = Act(acts[0], Clip(s, Lin(0, j)));
                }

                break;
            case CellKind.Lstm:
                for (int j = 0; j < n; j++)
                {
                    double pi = w.P?[j] ?? 0, pf = w.P?[n + j] ?? 0, po = w.P?[(2 * n) + j] ?? 0;
                    double i = Act(acts[0], Clip(s, Lin(0, j) + (pi * c[j])));
                    double f = Act(acts[0], Clip(s, Lin(1, j) + (pf * c[j])));
                    double g = Act(acts[1], Clip(s, Lin(2, j)));
                    if (s.InputForget)
                    {
                        if (s.InputForgetReading == InputForgetReading.ForgetFromInput)
                        {
                            f = 1 - i;
                        }
                        else
                        {
                            i = 1 - f;
                        }
                    }

                    double cj = (f * c[j]) + (i * g);
                    if (s.ClipReading == ClipReading.GateInputsAndCell)
                    {
                        cj = Clip(s, cj);
                    }

                    double o = Act(acts[0], Clip(s, Lin(3, j) + (po * cj)));
                    cn[j] = cj;
                    hn[j] = o * Act(acts[2], cj);
                }

                break;
            default:
                var r = new double[n];
                var z = new double[n];
                for (int j = 0; j < n; j++)
                {
                    r[j] = Act(acts[0], Clip(s, Lin(0, j)));
                    z[j] = Act(acts[0], Clip(s, Lin(1, j)));
                }

                var rh = r.Zip(h, (a, b) => a * b).ToArray();
                for (int j = 0; j < n; j++)
                {
                    int row = (2 * n) + j;
                    double xn = Dot(w.Wx, row, x) + w.Bx[row];
                    double a = s.LinearBeforeReset
                        ? xn + (r[j] * (Dot(w.Wh, row, h) + w.Bh[row]))
                        : xn + Dot(w.Wh, row, rh) + w.Bh[row];
                    double nn = Act(acts[1], Clip(s, a));
                    hn[j] = ((1 - z[j]) * nn) + (z[j] * h[j]);
                }

                break;
        }

        return (hn, cn);
    }

    /// <summary>The whole network; shapes as <see cref="Network{T}.Forward"/>. Null h0/c0/lens mean zeros / full length.</summary>
    public static (double[] Y, double[] HN, double[] CN) Run(NetworkWeights weights, double[] x, int batch, int[]? lens = null, double[]? h0 = null, double[]? c0 = null)
    {
        var s = weights.Spec;
        int n = s.HiddenSize, dirs = s.Directions, steps = x.Length / (batch * s.InputSize);
        int lds = s.NumLayers * dirs;
        var hN = new double[lds * batch * n];
        var cN = new double[lds * batch * n];
        var y = new double[steps * batch * dirs * n];
        for (int b = 0; b < batch; b++)
        {
            int len = lens?[b] ?? steps;
            var input = new double[steps][];
            for (int t = 0; t < steps; t++)
            {
                input[t] = x.Skip(((t * batch) + b) * s.InputSize).Take(s.InputSize).ToArray();
            }

            double[][] aligned = [];
            for (int l = 0; l < s.NumLayers; l++)
            {
                aligned = Enumerable.Range(0, steps).Select(_ => new double[dirs * n]).ToArray();
                for (int d = 0; d < dirs; d++)
                {
                    int ld = (l * dirs) + d;
                    int at = ((ld * batch) + b) * n;
                    var h = h0?.Skip(at).Take(n).ToArray() ?? new double[n];
                    var c = c0?.Skip(at).Take(n).ToArray() ?? new double[n];
                    var initial = h;
                    for (int k = 0; k < len; k++)
                    {
                        int t = d == 0 ? k : len - 1 - k;
                        (h, var cc) = Step(s, weights[l, d], input[t], h, c);
                        if (s.Kind == CellKind.Lstm)
                        {
                            c = cc;
                        }

                        Array.Copy(h, 0, aligned[t], d * n, n);
                    }

                    for (int t = len; t < steps; t++)
                    {
                        // Padding: zeros, or the state at that point of processing (forward: final; reverse: not yet started).
                        var carried = s.Padding == PaddingReading.Zeros ? new double[n] : (d == 0 ? h : initial);
                        Array.Copy(carried, 0, aligned[t], d * n, n);
                    }

                    Array.Copy(h, 0, hN, at, n);
                    Array.Copy(c, 0, cN, at, n);
                    if (l == s.NumLayers - 1 && d == 1 && s.ReverseOrder == ReverseOutputOrder.ProcessingOrder)
                    {
                        var reordered = new double[steps][];
                        for (int k = 0; k < steps; k++)
                        {
                            reordered[k] = k < len ? aligned[len - 1 - k][n..] : (s.Padding == PaddingReading.Zeros ? new double[n] : h);
                        }

                        for (int k = 0; k < steps; k++)
                        {
                            Array.Copy(reordered[k], 0, aligned[k], n, n);
                        }
                    }
                }

                input = aligned;
            }

            for (int t = 0; t < steps; t++)
            {
                Array.Copy(aligned[t], 0, y, ((t * batch) + b) * dirs * n, dirs * n);
            }
        }

        return (y, hN, cN);
    }
}
