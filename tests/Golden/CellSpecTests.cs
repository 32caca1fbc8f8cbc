using RnnVerify.Cells;
using Xunit;

namespace RnnVerify.Golden;

public class CellSpecTests
{
    [Theory]
    [InlineData(CellKind.Rnn, 1)]
    [InlineData(CellKind.Lstm, 4)]
    [InlineData(CellKind.Gru, 3)]
    public void Gate_count_follows_the_cell_kind(CellKind kind, int gates)
    {
        var spec = new CellSpec { Kind = kind, InputSize = 3, HiddenSize = 2 };
        Assert.Equal(gates, spec.Gates);
    }
}
