using System.Globalization;
using System.Text;
using Ingest.Contracts;
using Ingest.IntegrationTests.Infrastructure;

namespace Ingest.IntegrationTests;

/// <summary>
/// The same readings sent as the platform's JSON document, as SenML (RFC 8428), as InfluxDB line protocol and inside
/// gateway batches, each into its own database: all four databases hold exactly the same points.
/// </summary>
public sealed class FormatEquivalenceTests(ITestOutputHelper output) : BrokerAndStoreTest("bn-formats-")
{
    [Fact]
    public async Task SenmlLineProtocolAndGatewayBatch_StoreTheSamePointsAsJson()
    {
        var readings = TestFleet.Create(new Topics("x"), devices: 30, perDevice: 10, TestFleet.RecentStart()).Select(f => f.Point).ToList();
        var formats = new (string Name, Func<Topics, IEnumerable<(string Topic, byte[] Payload)>> Encode)[]
        {
            ("json", t => readings.Select(r => (Topic(t, r), new TelemetryDocument(r.Device, r.Timestamp, null, [.. r.Values]).ToUtf8Bytes()))),
            ("senml", t => readings.Select(r => (Topic(t, r), Senml(r)))),
            ("lp", t => readings.Select(r => (Topic(t, r), LineProtocol(r)))),
            ("gw", t => readings.GroupBy(r => (r.Site, r.Timestamp.ToUnixTimeSeconds())).Select(g => (
                t.GatewayBatch(g.Key.Site, $"gw-{g.Key.Site}"),
                new GatewayBatch($"gw-{g.Key.Site}", [.. g.Select(r => new TelemetryDocument(r.Device, r.Timestamp, null, [.. r.Values]))]).ToUtf8Bytes()))),
        };

        var stored = new Dictionary<string, SortedSet<string>>();
        foreach (var (name, encode) in formats)
        {
            var root = WorkerSettings.UniqueName(name);
            var topics = new Topics(root);
            await using var worker = await WorkerHost.StartAsync(
                WorkerSettings.For(Mqtt, Influx.BaseUri, root, root, Path.Combine(DataDirectory, root)), TestContext.Current.CancellationToken);
            await EndToEndTests.WaitForSubscriptionAsync(worker);
            await using var publisher = await TestPublisher.ConnectAsync(Mqtt.Host, Mqtt.Port, $"pub-{root}", TestContext.Current.CancellationToken);
            var messages = encode(topics).ToList();
            await publisher.PublishAllAsync(messages, window: 100, TestContext.Current.CancellationToken);
            await Eventually.HoldsAsync(
                async () => await TestFleet.CountStoredAsync(Influx, root) == readings.Count, TimeSpan.FromSeconds(30),
                () => $"{name}: stored {worker.Metrics.WrittenTotal} of {readings.Count}, quarantined {worker.Metrics.QuarantinedTotal}");
            Assert.Equal(0, worker.Metrics.QuarantinedTotal);
            stored[name] = await PointsAsync(root);
            output.WriteLine($"{name}: {messages.Count} messages → {stored[name].Count} points");
        }

        Assert.Equal(readings.Count, stored["json"].Count);
        foreach (var name in new[] { "senml", "lp", "gw" })
        {
            Assert.Equal(stored["json"], stored[name]);
        }
    }

    private static string Topic(Topics topics, TestFleet.Expected r) => topics.Telemetry(r.Measurement, r.Site, r.Device);

    private static byte[] Senml(TestFleet.Expected r)
    {
        var records = r.Values.Select((v, i) => i == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{{\"bn\":\"{r.Device}/\",\"bt\":{r.Timestamp.ToUnixTimeMilliseconds() / 1000.0:R},\"n\":\"{v.Key}\",\"v\":{v.Value:R}}}")
            : string.Create(CultureInfo.InvariantCulture, $"{{\"n\":\"{v.Key}\",\"v\":{v.Value:R}}}"));
        return Encoding.UTF8.GetBytes($"[{string.Join(',', records)}]");
    }

    private static byte[] LineProtocol(TestFleet.Expected r)
    {
        var fields = string.Join(',', r.Values.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Key}={v.Value:R}")));
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{r.Measurement},device={r.Device},site={r.Site} {fields} {r.Timestamp.ToUnixTimeMilliseconds() * 1_000_000}"));
    }

    /// <summary>Every stored point as one comparable line: measurement, tags, time, fields.</summary>
    private async Task<SortedSet<string>> PointsAsync(string database)
    {
        var points = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var measurement in Domains.Telemetry)
        {
            foreach (var series in await Influx.QueryAsync(database, $"SELECT * FROM \"{measurement}\" GROUP BY *"))
            {
                var tags = string.Join(',', series.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));
                foreach (var row in series.Rows)
                {
                    var fields = string.Join(',', Enumerable.Range(1, series.Columns.Count - 1)
                        .Where(c => row[c].ValueKind == System.Text.Json.JsonValueKind.Number)
                        .Select(c => string.Create(CultureInfo.InvariantCulture, $"{series.Columns[c]}={row[c].GetDouble():R}")));
                    points.Add($"{series.Name},{tags} {fields} {row[0].GetInt64()}");
                }
            }
        }

        return points;
    }
}
