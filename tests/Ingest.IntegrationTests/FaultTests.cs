using Ingest.Contracts;
using Ingest.IntegrationTests.Infrastructure;
using Ingest.Worker.Pipeline;
using Ingest.Worker.Sinks.Influx;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.IntegrationTests;

/// <summary>
/// DESIGN.md §4's promises under failure, against real processes: the worker killed with SIGKILL, InfluxDB away for 30 s,
/// the broker restarted — every published reading ends up stored exactly once.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output) : BrokerAndStoreTest("bn-fault-")
{
    private const int Devices = 100;
    private const int PerDevice = 200; // 20,000 readings
    [Fact]
    public async Task WorkerKilledMidStream_Restarted_EveryReadingStoredExactlyOnce()
    {
        var root = WorkerSettings.UniqueName("kill");
        var fleet = TestFleet.Create(new Topics(root), Devices, PerDevice, TestFleet.RecentStart());
        var settings = WorkerSettings.For(Mqtt, Influx.BaseUri, root, root, Path.Combine(DataDirectory, root));
        var log = Path.Combine(DataDirectory, $"{root}.log");
        await using var worker = new WorkerProcess(settings, log);
        worker.Start();
        await WaitForReadyAsync(worker);
        await using var publisher = await TestPublisher.ConnectAsync(Mqtt.Host, Mqtt.Port, $"pub-{root}", TestContext.Current.CancellationToken);

        var publishing = publisher.PublishAllAsync(fleet.Select(f => (f.Topic, f.Payload)), window: 100, TestContext.Current.CancellationToken);
        await Eventually.HoldsAsync(
            async () => await TestFleet.CountStoredAsync(Influx, root) >= 3_000, TimeSpan.FromSeconds(60), () => "the first readings stored");
        await worker.KillAsync();
        var storedAtKill = await TestFleet.CountStoredAsync(Influx, root);
        worker.Start();
        await publishing;

        await Eventually.HoldsAsync(
            async () => await TestFleet.CountStoredAsync(Influx, root) == fleet.Count, TimeSpan.FromSeconds(90),
            () => $"stored {TestFleet.CountStoredAsync(Influx, root).Result} of {fleet.Count}; worker: {worker.Log}");
        output.WriteLine($"killed with {storedAtKill} of {fleet.Count} stored; after restart all {fleet.Count} distinct readings stored once");
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        Assert.Equal(fleet.Count, await TestFleet.CountStoredAsync(Influx, root));
    }

    [Fact]
    public async Task InfluxStoppedFor30Seconds_MidStream_AllStoredSpoolEmptiesAndHealthShowsOutage()
    {
        var root = WorkerSettings.UniqueName("away");
        var fleet = TestFleet.Create(new Topics(root), Devices, PerDevice, TestFleet.RecentStart());
        var settings = WorkerSettings.For(Mqtt, Influx.BaseUri, root, root, Path.Combine(DataDirectory, root));
        settings["Ingest:ReportInterval"] = "00:00:01";
        await using var worker = await WorkerHost.StartAsync(settings, TestContext.Current.CancellationToken);
        await EndToEndTests.WaitForSubscriptionAsync(worker);
        var sink = worker.Services.GetRequiredService<InfluxSink>();
        await using var publisher = await TestPublisher.ConnectAsync(Mqtt.Host, Mqtt.Port, $"pub-{root}", TestContext.Current.CancellationToken);
        var half = fleet.Count / 2;

        await publisher.PublishAllAsync(fleet.Take(half).Select(f => (f.Topic, f.Payload)), window: 100, TestContext.Current.CancellationToken);
        await Influx.StopAsync();
        var stoppedAt = DateTime.UtcNow;
        await publisher.PublishAllAsync(fleet.Skip(half).Select(f => (f.Topic, f.Payload)), window: 100, TestContext.Current.CancellationToken);
        await Eventually.HoldsAsync(
            () => Task.FromResult(worker.Services.GetRequiredService<DeliveryTracker>().PendingCount == 0 && sink.SpoolBytes > 0),
            TimeSpan.FromSeconds(30), () => "everything published is acknowledged, from the spool");
        var spooled = sink.SpoolBytes;
        Assert.False(sink.IsAvailable);
        var remaining = TimeSpan.FromSeconds(30) - (DateTime.UtcNow - stoppedAt);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, TestContext.Current.CancellationToken);
        }

        await Influx.StartAgainAsync();

        await Eventually.HoldsAsync(
            async () => await TestFleet.CountStoredAsync(Influx, root) == fleet.Count && sink.SpoolBytes == 0, TimeSpan.FromSeconds(60),
            () => $"stored {worker.Metrics.WrittenTotal} of {fleet.Count}, spool {sink.SpoolBytes} bytes");
        Assert.True(sink.IsAvailable);
        Assert.Equal(1, worker.Metrics.OutagesTotal);
        Assert.Equal(1, worker.Metrics.RecoveriesTotal);
        Assert.True(worker.Metrics.SpooledTotal > 0);
        Assert.Equal(worker.Metrics.SpooledTotal, worker.Metrics.ReplayedTotal);
        var health = Array.Empty<double>();
        await Eventually.HoldsAsync(
            async () =>
            {
                var series = await Influx.QueryAsync(root, "SELECT influx_available FROM ingest_health");
                health = series.Count == 0 ? [] : [.. series[0].Rows.Select(r => r[1].GetDouble())];
                return health.Contains(0) && health.SkipWhile(v => v == 1).SkipWhile(v => v == 0).Contains(1);
            },
            TimeSpan.FromSeconds(15), () => $"ingest_health shows up, down, up: [{string.Join(",", health)}]");
        output.WriteLine($"InfluxDB away {DateTime.UtcNow - stoppedAt:g}; {worker.Metrics.SpooledTotal} readings spooled ({spooled} bytes) and replayed; health points: {health.Length}");
    }

    [Fact]
    public async Task BrokerRestartedMidStream_AllReadingsStored()
    {
        var root = WorkerSettings.UniqueName("brk");
        var fleet = TestFleet.Create(new Topics(root), Devices, PerDevice, TestFleet.RecentStart());
        var settings = WorkerSettings.For(Mqtt, Influx.BaseUri, root, root, Path.Combine(DataDirectory, root));
        await using var worker = await WorkerHost.StartAsync(settings, TestContext.Current.CancellationToken);
        await EndToEndTests.WaitForSubscriptionAsync(worker);
        await using var publisher = await TestPublisher.ConnectAsync(Mqtt.Host, Mqtt.Port, $"pub-{root}", TestContext.Current.CancellationToken);

        var publishing = publisher.PublishAllAsync(fleet.Select(f => (f.Topic, f.Payload)), window: 100, TestContext.Current.CancellationToken);
        await Eventually.HoldsAsync(
            async () => await TestFleet.CountStoredAsync(Influx, root) >= 5_000, TimeSpan.FromSeconds(60), () => "the first readings stored");
        await Mqtt.StopAsync();
        await Task.Delay(2000, TestContext.Current.CancellationToken);
        await Mqtt.StartAgainAsync();
        await publishing;

        await Eventually.HoldsAsync(
            async () => await TestFleet.CountStoredAsync(Influx, root) == fleet.Count, TimeSpan.FromSeconds(90),
            () => $"stored {worker.Metrics.WrittenTotal} (distinct {TestFleet.CountStoredAsync(Influx, root).Result}) of {fleet.Count}: "
                + $"{TestFleet.DescribeMissingAsync(Influx, root, fleet).Result}; broker log: {Mqtt.Log}");
        output.WriteLine($"broker restarted mid-stream; publisher re-sent {publisher.Republished}; all {fleet.Count} readings stored");
    }

    /// <summary>Subscribed (its session exists, so nothing published from now on can miss it) and InfluxDB reachable.</summary>
    private static async Task WaitForReadyAsync(WorkerProcess worker)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.HoldsAsync(
            async () =>
            {
                try
                {
                    using var response = await http.GetAsync(new Uri(worker.OperationsUrl, "/health/ready"));
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(30), () => $"the worker never became ready: {worker.Log}");
    }
}
