using BenchmarkDotNet.Running;
using RnnVerify.Bench.Cells;

// `-- --bptt-ratio [pairs]`: BPTT ÷ forward timed in pairs (Cells/BpttRatio.cs). Otherwise every benchmark class in this
// assembly; choose with --filter, e.g. `-- --filter '*'` or `-- --filter '*Arithmetic*'`.
if (args.Length > 0 && args[0] == "--bptt-ratio")
{
    BpttRatio.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 21);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
