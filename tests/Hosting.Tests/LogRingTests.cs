namespace MlAspire.Hosting.Tests;

public sealed class LogRingTests
{
    [Fact]
    public void KeepsTheLastLinesInOrderAndCountsAll()
    {
        var ring = new LogRing(3);
        for (var i = 1; i <= 5; i++)
        {
            ring.Add(n => new LogLine("r", "r-0", n, DateTimeOffset.UnixEpoch, $"line {i}", false));
        }

        Assert.Equal(5, ring.Count);
        Assert.Equal(["line 3", "line 4", "line 5"], ring.Snapshot().Select(l => l.Text));
        Assert.Equal([4L, 5L], ring.Snapshot(2).Select(l => l.LineNumber));
    }

    [Fact]
    public void SnapshotOfAPartlyFilledRingHasOnlyWrittenLines()
    {
        var ring = new LogRing(10);
        ring.Add(n => new LogLine("r", "r-0", n, DateTimeOffset.UnixEpoch, "only", true));

        var line = Assert.Single(ring.Snapshot());
        Assert.Equal("only", line.Text);
        Assert.True(line.IsError);
    }
}
