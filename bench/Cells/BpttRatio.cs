using System.Diagnostics;
using System.Globalization;
using RnnVerify.Cells;

namespace RnnVerify.Bench.Cells;

/// <summary>
/// BPTT ÷ forward measured in pairs: one forward and one BPTT of the <see cref="CellBenchmarks"/> workload timed back to back,
/// many times, in alternating order, and the ratio taken within each pair. BenchmarkDotNet times the two methods minutes apart,
/// so a drift of the host's clock speed between them (several per cent on this machine) goes straight into their ratio; within
/// a pair it cancels. Reported: the median of the pair ratios and their quartiles.
/// <c>dotnet run -c Release --project bench -- --bptt-ratio [pairs]</c>.
/// </summary>
internal static class BpttRatio
{
    /// <summary>Runs every cell, batch and hidden size of <see cref="CellBenchmarks"/> and prints a markdown table.</summary>
    public static void Run(int pairs)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"BPTT ÷ forward in pairs ({pairs} pairs per row, each timing ≥ 40 ms, after ≥ 30 warm-up calls; {DateTime.UtcNow:u}; {Environment.ProcessorCount} cores)");
        Console.WriteLine();
        Console.WriteLine("| cell | B | H | forward (median) | BPTT (median) | **BPTT ÷ forward** (median of pairs) | quartiles of the pair ratios | max |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var kind in new[] { CellKind.Lstm, CellKind.Gru, CellKind.Rnn })
        {
            foreach (int batch in new[] { 1, 64 })
            {
                foreach (int hidden in new[] { 64, 256, 512 })
                {
                    var (f, b, ratios) = Measure(kind, batch, hidden, pairs);
                    Console.WriteLine(string.Format(inv, "| {0} | {1} | {2} | {3:F3} ms | {4:F3} ms | **{5:F3}** | {6:F3} – {7:F3} | {8:F3} |",
                        kind.ToString().ToUpperInvariant(), batch, hidden, f, b, Quantile(ratios, 0.5), Quantile(ratios, 0.25), Quantile(ratios, 0.75), ratios.Max()));
                }
            }
        }
    }

    private static (double Forward, double Bptt, double[] Ratios) Measure(CellKind kind, int batch, int hidden, int pairs)
    {
        const int steps = CellBenchmarks.Steps;
        var c = Workload.Case(kind, hidden, batch, steps);
        var net = new Network<float>(c.Weights);
        var grads = new NetworkGradients<float>(c.Spec);
        var x = Workload.Single(c.X.Data);
        var y = new float[steps * batch * hidden];
        var hN = new float[batch * hidden];
        var cN = kind == CellKind.Lstm ? new float[batch * hidden] : [];
        var rng = new Random(Workload.Seed + 1);
        var dy = Array.ConvertAll(new float[y.Length], _ => (float)((2 * rng.NextDouble()) - 1));
        var dx = new float[x.Length];
        void Forward() => net.Forward(batch, x, [], [], [], y, hN, cN);
        void Bptt() => net.Backward(batch, x, [], [], [], dy, [], [], grads, dx, [], []);

        // Calls per timing: enough for ≥ 40 ms of forward (the Stopwatch resolution and one-off interrupts stay small).
        var probe = Stopwatch.StartNew();
        Forward();
        Bptt();
        int inner = Math.Max(1, (int)Math.Ceiling(40.0 / Math.Max(1e-3, probe.Elapsed.TotalMilliseconds / 4)));
        double Time(Action a)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < inner; i++)
            {
                a();
            }

            return sw.Elapsed.TotalMilliseconds / inner;
        }

        // Warm-up past tiered compilation: ≥ 30 calls of each (the call count after which a method is recompiled with full
        // optimisation and its profile) and ≥ 1 s, then a pause for the background compiler, then two more rounds.
        var warm = Stopwatch.StartNew();
        for (int calls = 0; calls < 30 || warm.ElapsedMilliseconds < 1000; calls++)
        {
            Forward();
            Bptt();
        }

        Thread.Sleep(500);
        for (int w = 0; w < 2; w++)
        {
            Time(Forward);
            Time(Bptt);
        }

        var fs = new double[pairs];
        var bs = new double[pairs];
        var ratios = new double[pairs];
        for (int p = 0; p < pairs; p++)
        {
            // Alternate the order within the pair, so that neither method always runs on caches the other one left.
            if (p % 2 == 0)
            {
                fs[p] = Time(Forward);
                bs[p] = Time(Bptt);
            }
            else
            {
                bs[p] = Time(Bptt);
                fs[p] = Time(Forward);
            }

            ratios[p] = bs[p] / fs[p];
        }

        return (Quantile(fs, 0.5), Quantile(bs, 0.5), ratios);
    }

    /// <summary>The q-quantile by linear interpolation between order statistics.</summary>
    private static double Quantile(double[] values, double q)
    {
        var s = values.Order().ToArray();
        double pos = q * (s.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(s.Length - 1, lo + 1);
        return s[lo] + ((pos - lo) * (s[hi] - s[lo]));
    }
}
