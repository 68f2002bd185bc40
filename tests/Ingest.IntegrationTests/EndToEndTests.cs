using System.Buffers;
using System.Globalization;
using Ingest.Contracts;
using Ingest.IntegrationTests.Infrastructure;
using Ingest.Worker.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.IntegrationTests;

/// <summary>
/// Device → MQTT → worker → InfluxDB, with a real mosquitto, a real influxd 1.6.7 (v1 /write) and a real
/// victoria-metrics (v2 /api/v2/write), all started on free loopback ports by the test.
/// </summary>
public sealed class EndToEndTests() : BrokerAndStoreTest("bn-e2e-")
{
    private const int Devices = 100;
    private const int PerDevice = 100;
    [Fact]
    public async Task Publish_10000ReadingsFrom100Devices_ExactlyThosePointsInInfluxV1()
    {
        var root = WorkerSettings.UniqueName("e2e");
        var topics = new Topics(root);
        var fleet = TestFleet.Create(topics, Devices, PerDevice, TestFleet.RecentStart());
        await using var worker = await WorkerHost.StartAsync(
            WorkerSettings.For(Mqtt, Influx.BaseUri, root, root, Path.Combine(DataDirectory, root)), TestContext.Current.CancellationToken);
        await using var publisher = await TestPublisher.ConnectAsync(Mqtt.Host, Mqtt.Port, $"pub-{root}", TestContext.Current.CancellationToken);
        await WaitForSubscriptionAsync(worker);

        await publisher.PublishAllAsync(fleet.Select(f => (f.Topic, f.Payload)), window: 200, TestContext.Current.CancellationToken);

        await Eventually.HoldsAsync(
            async () => await CountAllAsync(root) == fleet.Count, TimeSpan.FromSeconds(60),
            () => $"stored {worker.Metrics.WrittenTotal} of {fleet.Count}, quarantined {worker.Metrics.QuarantinedTotal}");
        var stored = new Dictionary<(string, string, long), (string Site, Dictionary<string, double> Values)>();
        foreach (var measurement in Domains.Telemetry)
        {
            foreach (var series in await Influx.QueryAsync(root, $"SELECT * FROM \"{measurement}\" GROUP BY \"device\", \"site\""))
            {
                foreach (var row in series.Rows)
                {
                    var values = new Dictionary<string, double>();
                    for (var c = 1; c < series.Columns.Count; c++)
                    {
                        if (row[c].ValueKind == System.Text.Json.JsonValueKind.Number)
                        {
                            values[series.Columns[c]] = row[c].GetDouble();
                        }
                    }

                    stored[(series.Name, series.Tags["device"], row[0].GetInt64())] = (series.Tags["site"], values);
                }
            }
        }

        Assert.Equal(fleet.Count, stored.Count);
        foreach (var (_, _, expected) in fleet)
        {
            var key = (expected.Measurement, expected.Device, expected.Timestamp.ToUnixTimeMilliseconds() * 1_000_000);
            Assert.True(stored.TryGetValue(key, out var point), $"missing {key}");
            Assert.Equal(expected.Site, point.Site);
            Assert.Equal(expected.Values.OrderBy(v => v.Key), point.Values.OrderBy(v => v.Key));
        }

        await Eventually.HoldsAsync(
            () => Task.FromResult(worker.Services.GetRequiredService<DeliveryTracker>().PendingCount == 0), TimeSpan.FromSeconds(10),
            () => "every message acknowledged");
        Assert.Equal(0, worker.Metrics.QuarantinedTotal);
    }

    [Fact]
    public async Task Publish_MalformedBetweenValid_QuarantinedWithReasonAndTheRestStored()
    {
        var root = WorkerSettings.UniqueName("bad");
        var topics = new Topics(root);
        var fleet = TestFleet.Create(topics, 10, 20, TestFleet.RecentStart());
        var settings = WorkerSettings.For(Mqtt, Influx.BaseUri, root, root, Path.Combine(DataDirectory, root));
        await using var worker = await WorkerHost.StartAsync(settings, TestContext.Current.CancellationToken);
        await using var publisher = await TestPublisher.ConnectAsync(Mqtt.Host, Mqtt.Port, $"pub-{root}", TestContext.Current.CancellationToken);
        await WaitForSubscriptionAsync(worker);

        // Someone watching the dead-letter topics live.
        var deadLetters = new System.Collections.Concurrent.ConcurrentQueue<(string Topic, byte[] Payload)>();
        var deadLetterTypes = new System.Collections.Concurrent.ConcurrentQueue<string?>();
        using var watcher = new MqttClientFactory().CreateMqttClient();
        watcher.ApplicationMessageReceivedAsync += e =>
        {
            deadLetters.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()));
            deadLetterTypes.Enqueue(e.ApplicationMessage.ContentType);
            return Task.CompletedTask;
        };
        await watcher.ConnectAsync(
            new MqttClientOptionsBuilder().WithTcpServer(Mqtt.Host, Mqtt.Port).WithClientId($"dead-{root}").Build(), TestContext.Current.CancellationToken);
        await watcher.SubscribeAsync($"{root}/deadletter/#", MqttQualityOfServiceLevel.AtMostOnce, TestContext.Current.CancellationToken);

        var bad = new (string Topic, byte[] Payload)[]
        {
            (topics.Telemetry("air", "s", "air-x"), "not json"u8.ToArray()),
            (topics.Telemetry("air", "s", "air-x"), """{"values":{"pm25":1}}"""u8.ToArray()),
            (topics.Telemetry("air", "s", "air-x"), """{"id":"air-y","values":{"pm25":1}}"""u8.ToArray()),
            (topics.Telemetry("air", "s", "air-x"), """{"id":"air-x","values":{"pm25":"x"}}"""u8.ToArray()),
            (topics.Telemetry("air", "s", "air-x"), """{"id":"air-x","values":{"pm25":NaN}}"""u8.ToArray()),
            (topics.Telemetry("air", "s", "air-x"), """{"id":"air-x","ts":"later","values":{"pm25":1}}"""u8.ToArray()),
        };
        var messages = fleet.Select(f => (f.Topic, f.Payload)).ToList();
        for (var i = 0; i < bad.Length; i++)
        {
            messages.Insert(i * 30, bad[i]);
        }

        await publisher.PublishAllAsync(messages, window: 50, TestContext.Current.CancellationToken);

        await Eventually.HoldsAsync(
            async () => await CountAllAsync(root) == fleet.Count && worker.Metrics.QuarantinedTotal == bad.Length, TimeSpan.FromSeconds(30),
            () => $"stored {worker.Metrics.WrittenTotal} of {fleet.Count}, quarantined {worker.Metrics.QuarantinedTotal} of {bad.Length}");
        var quarantineFile = Directory.GetFiles(Path.Combine(DataDirectory, root, "quarantine"), "*.jsonl").Single();
        var reasons = File.ReadAllLines(quarantineFile).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("reason").GetString());
        string[] expected = ["InvalidJson", "MissingDeviceId", "DeviceIdMismatch", "InvalidValue", "NonFiniteValue", "InvalidTimestamp"];
        Assert.Equal(expected, reasons);

        // Each also went out on bn/deadletter/<reason>: the same record, with the message's topic and raw bytes (a dead
        // letter holds its records as JSON lines; each reason here is one message, far apart, so one record each).
        IEnumerable<(string Topic, string Record)> Records() =>
            deadLetters.SelectMany(d => System.Text.Encoding.UTF8.GetString(d.Payload).Split('\n').Select(line => (d.Topic, line)));
        await Eventually.HoldsAsync(
            () => Task.FromResult(Records().Count() >= bad.Length), TimeSpan.FromSeconds(15), () => $"{Records().Count()} of {bad.Length} dead-letter records");
        Assert.Equal(expected.Select(r => topics.DeadLetter(r)), Records().Select(d => d.Topic));
        Assert.All(deadLetterTypes, type => Assert.Equal("application/jsonl", type));
        foreach (var ((topic, payload), (deadTopic, record)) in bad.Zip(Records()))
        {
            var json = System.Text.Json.JsonDocument.Parse(record).RootElement;
            Assert.Equal(deadTopic[(deadTopic.LastIndexOf('/') + 1)..], json.GetProperty("reason").GetString());
            Assert.Equal(topic, json.GetProperty("topic").GetString());
            Assert.Equal(payload, json.GetProperty("payload").GetBytesFromBase64());
            Assert.False(string.IsNullOrEmpty(json.GetProperty("detail").GetString()));
        }
    }

    [Fact]
    public async Task Publish_ThroughV2WriteApi_PointsReadBackFromVictoriaMetrics()
    {
        await using var vm = await VictoriaMetricsServer.StartAsync();
        var root = WorkerSettings.UniqueName("v2");
        var topics = new Topics(root);
        var fleet = TestFleet.Create(topics, Devices, PerDevice, TestFleet.RecentStart());
        var settings = WorkerSettings.For(Mqtt, vm.BaseUri, root, root, Path.Combine(DataDirectory, root));
        settings["Influx:Api"] = "V2";
        settings["Influx:Token"] = "test-token";
        settings["Influx:Bucket"] = "telemetry";
        await using var worker = await WorkerHost.StartAsync(settings, TestContext.Current.CancellationToken);
        await using var publisher = await TestPublisher.ConnectAsync(Mqtt.Host, Mqtt.Port, $"pub-{root}", TestContext.Current.CancellationToken);
        await WaitForSubscriptionAsync(worker);

        await publisher.PublishAllAsync(fleet.Select(f => (f.Topic, f.Payload)), window: 200, TestContext.Current.CancellationToken);

        await Eventually.HoldsAsync(
            () => Task.FromResult(worker.Metrics.WrittenTotal == fleet.Count), TimeSpan.FromSeconds(60),
            () => $"written {worker.Metrics.WrittenTotal} of {fleet.Count}");
        var expectedSamples = fleet.Sum(f => f.Point.Values.Count);
        IReadOnlyList<VmSeries> series = [];
        await Eventually.HoldsAsync(
            async () =>
            {
                await vm.FlushAsync();
                series = await vm.ExportAsync("{__name__=~\"(air|water|meter)_.*\"}");
                return series.Sum(s => s.Values.Count) == expectedSamples;
            },
            TimeSpan.FromSeconds(30),
            () => $"exported {series.Sum(s => s.Values.Count)} of {expectedSamples} samples");
        var exported = series
            .SelectMany(s => s.Values.Zip(s.Timestamps, (v, t) => (Name: s.Labels["__name__"], Device: s.Labels["device"], Site: s.Labels["site"], Time: t, Value: v)))
            .ToDictionary(x => (x.Name, x.Device, x.Time));
        foreach (var (_, _, expected) in fleet)
        {
            foreach (var (field, value) in expected.Values)
            {
                var key = ($"{expected.Measurement}_{field}", expected.Device, expected.Timestamp.ToUnixTimeMilliseconds());
                Assert.True(exported.TryGetValue(key, out var sample), $"missing {key}");
                Assert.Equal(value, sample.Value);
                Assert.Equal(expected.Site, sample.Site);
            }
        }
    }

    private Task<long> CountAllAsync(string database) => TestFleet.CountStoredAsync(Influx, database);

    internal static Task WaitForSubscriptionAsync(WorkerHost worker) =>
        Eventually.HoldsAsync(
            () => Task.FromResult(worker.Services.GetRequiredService<Ingest.Worker.Sources.Mqtt.MqttSource>().IsReady),
            TimeSpan.FromSeconds(15), () => "worker connected and subscribed");
}
