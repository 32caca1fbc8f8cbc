using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using RnnVerify.Cells;

namespace RnnVerify.Bench.Cells;

/// <summary>
/// Throughput of a cell benchmark row: the matrix-product FLOPs of the work ÷ the mean time. A forward pass counts
/// 2·G·H·(I + H)·B·T (<see cref="Workload.ForwardFlops"/>); a BPTT row (method name containing "Bptt") counts three times
/// that: the forward products, then dA·W_h and dA·W_x for the state and input gradients and dAᵀ·[x, h] for the weight
/// gradients, each as many multiply–adds as the forward.
/// </summary>
internal sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Matrix-product FLOPs (2·G·H·(I+H)·B·T per forward, 3× that for BPTT) per nanosecond of the mean";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        var p = benchmarkCase.Parameters;
        if (stats is null || p["Kind"] is not CellKind kind || p["Batch"] is not int batch || p["Hidden"] is not int hidden)
        {
            return "-";
        }

        double flops = Workload.ForwardFlops(kind, hidden, hidden, batch, CellBenchmarks.Steps);
        if (benchmarkCase.Descriptor.WorkloadMethod.Name.Contains("Bptt", StringComparison.Ordinal))
        {
            flops *= 3;
        }

        return (flops / stats.Mean).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }
}
