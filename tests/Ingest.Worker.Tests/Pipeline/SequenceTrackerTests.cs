using Ingest.Worker.Pipeline;

namespace Ingest.Worker.Tests.Pipeline;

public sealed class SequenceTrackerTests
{
    [Fact]
    public void Observe_InOrder_CountsNothing()
    {
        var sut = new SequenceTracker();

        for (var s = 1; s <= 100; s++)
        {
            sut.Observe("d", s);
        }

        Assert.Equal(new SequenceStats(0, 0, 0, 0), sut.StatsOf("d"));
    }

    [Fact]
    public void Observe_JumpForward_CountsGaps()
    {
        var sut = new SequenceTracker();

        foreach (var s in new long[] { 1, 2, 5, 6, 10 })
        {
            sut.Observe("d", s);
        }

        Assert.Equal(new SequenceStats(5, 0, 0, 0), sut.StatsOf("d"));
        Assert.Equal(5, sut.TotalGaps);
    }

    [Fact]
    public void Observe_Repeat_CountsDuplicate()
    {
        var sut = new SequenceTracker();

        foreach (var s in new long[] { 1, 2, 3, 3, 2 })
        {
            sut.Observe("d", s);
        }

        Assert.Equal(new SequenceStats(0, 2, 0, 0), sut.StatsOf("d"));
    }

    [Fact]
    public void Observe_LateArrival_CountsOutOfOrderAndFillsGap()
    {
        var sut = new SequenceTracker();

        foreach (var s in new long[] { 1, 2, 4, 5, 3 })
        {
            sut.Observe("d", s);
        }

        Assert.Equal(new SequenceStats(0, 0, 1, 0), sut.StatsOf("d"));
    }

    [Fact]
    public void Observe_DeviceRestart_CountsResetNotDuplicates()
    {
        var sut = new SequenceTracker();

        foreach (var s in new long[] { 1, 2, 3, 4, 1, 2, 3 })
        {
            sut.Observe("d", s);
        }

        Assert.Equal(new SequenceStats(0, 0, 0, 1), sut.StatsOf("d"));
    }

    [Fact]
    public void TakeChanged_ReportsOnlyDevicesWhoseCountsMoved()
    {
        var sut = new SequenceTracker();
        sut.Observe("a", 1);
        sut.Observe("a", 3);
        sut.Observe("b", 1);
        sut.Observe("b", 2);

        var first = sut.TakeChanged();
        var second = sut.TakeChanged();

        Assert.Equal(["a"], first.Select(c => c.DeviceId));
        Assert.Empty(second);
    }

    [Fact]
    public void Observe_LongRunAcrossTheWindow_StillExact()
    {
        var sut = new SequenceTracker();

        for (var s = 1; s <= 10_000; s++)
        {
            if (s % 1000 != 0)
            {
                sut.Observe("d", s);
            }
        }

        sut.Observe("d", 9_999);

        Assert.Equal(new SequenceStats(9, 1, 0, 0), sut.StatsOf("d"));
    }
}
