using System.Globalization;
using Ingest.Contracts;
using Ingest.IntegrationTests.Infrastructure;
using Ingest.Worker.Quarantine;

namespace Ingest.IntegrationTests;

/// <summary>
/// A batch that InfluxDB refuses for its content (HTTP 400) is split until only the offending readings are left; those are
/// quarantined (reason RejectedByStore) and everything else in the batch is stored. The refusal is a real one: influxd
/// 1.6.7 fixes a field's type per shard, and the test has written <c>so2</c> as a string before the worker writes it as
/// a float.
/// </summary>
public sealed class StoreRejectionTests() : BrokerAndStoreTest("bn-rej-")
{
    [Fact]
    public async Task FieldTypeConflict_BatchSplit_OnlyOffendingReadingsQuarantined_RestStored()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = WorkerSettings.UniqueName("rej");
        var topics = new Topics(root);
        var t0 = TestFleet.RecentStart();

        // so2 becomes a string field of measurement air in this shard.
        await Influx.CreateDatabaseAsync(root);
        using (var http = new HttpClient { BaseAddress = Influx.BaseUri })
        {
            var seed = string.Create(CultureInfo.InvariantCulture, $"air,device=seed,site=rej so2=\"not a number\" {t0.ToUnixTimeMilliseconds() * 1_000_000}");
            using var response = await http.PostAsync($"write?db={root}&precision=n", new StringContent(seed), ct);
            response.EnsureSuccessStatusCode();
        }

        // 200 good readings (pm25) and, spread among them, 5 that carry so2 as a number: InfluxDB refuses only those.
        var messages = new List<(string Topic, byte[] Payload)>();
        for (var i = 0; i < 205; i++)
        {
            var device = $"air-rej-{i % 20:0000}";
            var offending = i % 41 == 40;
            var value = new KeyValuePair<string, double>(offending ? Fields.So2 : Fields.Pm25, 10 + i);
            messages.Add((topics.Telemetry(Domains.Air, "rej", device), new TelemetryDocument(device, t0.AddSeconds(i), i, [value]).ToUtf8Bytes()));
        }

        var settings = WorkerSettings.For(Mqtt, Influx.BaseUri, root, root, Path.Combine(DataDirectory, root));
        await using var worker = await WorkerHost.StartAsync(settings, ct);
        await EndToEndTests.WaitForSubscriptionAsync(worker);
        await using (var publisher = await TestPublisher.ConnectAsync(Mqtt.Host, Mqtt.Port, $"pub-{root}", ct))
        {
            await publisher.PublishAllAsync(messages, window: 50, ct);
        }

        await Eventually.HoldsAsync(
            () => Task.FromResult(worker.Metrics.Quarantined(QuarantineReason.RejectedByStore) >= 5 && worker.Metrics.WrittenTotal >= 200),
            TimeSpan.FromSeconds(60),
            () => $"written {worker.Metrics.WrittenTotal}, rejected by the store {worker.Metrics.Quarantined(QuarantineReason.RejectedByStore)}");

        Assert.Equal(5, worker.Metrics.Quarantined(QuarantineReason.RejectedByStore));
        Assert.Equal(5, worker.Metrics.QuarantinedTotal);
        Assert.Equal(200, await Influx.CountAsync(root, "air", "pm25"));
        var so2 = await Influx.QueryAsync(root, "SELECT so2 FROM air WHERE device != 'seed'");
        Assert.Empty(so2);

        // Each quarantine record names the store's refusal.
        var folder = Path.Combine(DataDirectory, root, "quarantine");
        string[] records = [];
        await Eventually.HoldsAsync(
            () =>
            {
                records = Directory.Exists(folder) ? [.. Directory.GetFiles(folder, "*.jsonl").SelectMany(File.ReadLines)] : [];
                return Task.FromResult(records.Length == 5);
            },
            TimeSpan.FromSeconds(30), () => $"{records.Length} of 5 quarantine records");
        Assert.All(records, r => Assert.Contains("RejectedByStore", r, StringComparison.Ordinal));
        Assert.All(records, r => Assert.Contains("conflict", r, StringComparison.OrdinalIgnoreCase));
    }
}
