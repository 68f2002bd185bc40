using Ingest.Contracts;
using Ingest.IntegrationTests.Infrastructure;
using Ingest.Worker.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.IntegrationTests;

/// <summary>Two worker replicas in one MQTT 5 shared subscription group split the stream and store it exactly once.</summary>
public sealed class ScaleOutTests(ITestOutputHelper output) : BrokerAndStoreTest("bn-share-")
{
    [Fact]
    public async Task TwoReplicasInASharedGroup_20000Readings_StoredExactlyOnceAndBothTakeAShare()
    {
        var root = WorkerSettings.UniqueName("shr");
        var fleet = TestFleet.Create(new Topics(root), 100, 200, TestFleet.RecentStart());
        Dictionary<string, string?> Replica(string name)
        {
            var settings = WorkerSettings.For(Mqtt, Influx.BaseUri, root, root, Path.Combine(DataDirectory, name));
            settings["Mqtt:ClientId"] = $"worker-{root}-{name}";
            settings["Mqtt:SharedGroup"] = "ingest";
            return settings;
        }

        await using var a = await WorkerHost.StartAsync(Replica("a"), TestContext.Current.CancellationToken);
        await using var b = await WorkerHost.StartAsync(Replica("b"), TestContext.Current.CancellationToken);
        await EndToEndTests.WaitForSubscriptionAsync(a);
        await EndToEndTests.WaitForSubscriptionAsync(b);
        await using var publisher = await TestPublisher.ConnectAsync(Mqtt.Host, Mqtt.Port, $"pub-{root}", TestContext.Current.CancellationToken);

        await publisher.PublishAllAsync(fleet.Select(f => (f.Topic, f.Payload)), window: 200, TestContext.Current.CancellationToken);

        await Eventually.HoldsAsync(
            async () => await TestFleet.CountStoredAsync(Influx, root) == fleet.Count
                && a.Services.GetRequiredService<DeliveryTracker>().PendingCount == 0
                && b.Services.GetRequiredService<DeliveryTracker>().PendingCount == 0,
            TimeSpan.FromSeconds(60),
            () => $"replica a wrote {a.Metrics.WrittenTotal}, b wrote {b.Metrics.WrittenTotal}, of {fleet.Count}");
        output.WriteLine($"replica a received {a.Metrics.ReceivedTotal} and wrote {a.Metrics.WrittenTotal}; replica b received {b.Metrics.ReceivedTotal} and wrote {b.Metrics.WrittenTotal}; {fleet.Count} published");
        Assert.Equal(fleet.Count, a.Metrics.ReceivedTotal + b.Metrics.ReceivedTotal);
        Assert.Equal(fleet.Count, a.Metrics.WrittenTotal + b.Metrics.WrittenTotal);
        Assert.InRange(a.Metrics.WrittenTotal, fleet.Count / 10, fleet.Count * 9 / 10);
        Assert.InRange(b.Metrics.WrittenTotal, fleet.Count / 10, fleet.Count * 9 / 10);
    }
}
