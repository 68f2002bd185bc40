using Ingest.Worker.Pipeline;

namespace Ingest.Worker.Tests.Pipeline;

public sealed class DeliveryTrackerTests
{
    [Fact]
    public async Task Complete_OutOfOrder_AcknowledgesInArrivalOrderOnlyOncePrefixIsDone()
    {
        var sut = new DeliveryTracker();
        var acked = new List<int>();
        var deliveries = Enumerable.Range(0, 5).Select(i => sut.Track(_ =>
        {
            lock (acked)
            {
                acked.Add(i);
            }

            return Task.CompletedTask;
        })).ToArray();
        using var cts = new CancellationTokenSource();
        var loop = sut.RunAcknowledgementsAsync(cts.Token);

        deliveries[2].Complete();
        deliveries[1].Complete();
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Empty(acked);
        Assert.Equal(5, sut.PendingCount);

        deliveries[0].Complete();
        deliveries[4].Complete();
        await WaitUntilAsync(() => acked.Count == 3);
        Assert.Equal([0, 1, 2], acked);
        Assert.Equal(2, sut.PendingCount);

        deliveries[3].Complete();
        await WaitUntilAsync(() => acked.Count == 5);
        Assert.Equal([0, 1, 2, 3, 4], acked);
        Assert.Equal(0, sut.PendingCount);

        await cts.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task Acknowledge_Throws_CountsFailureAndGoesOn()
    {
        var sut = new DeliveryTracker();
        var acked = 0;
        var first = sut.Track(_ => throw new InvalidOperationException("connection gone"));
        var second = sut.Track(_ =>
        {
            Interlocked.Increment(ref acked);
            return Task.CompletedTask;
        });
        using var cts = new CancellationTokenSource();
        var loop = sut.RunAcknowledgementsAsync(cts.Token);

        first.Complete();
        second.Complete();
        await WaitUntilAsync(() => Volatile.Read(ref acked) == 1);

        Assert.Equal(1, sut.AcknowledgeFailures);
        await cts.CancelAsync();
        await loop;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 5 s");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
