using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Ingest.Contracts;
using Ingest.IntegrationTests.Infrastructure;
using Ingest.Worker.Alerting.Fanout;
using Ingest.Worker.Sources.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.IntegrationTests;

/// <summary>
/// Alerts end to end with a real mosquitto and influxd 1.6.7: a reading over a limit → alert event on <c>bn/alerts/#</c>
/// within a second (measured) and in InfluxDB <c>alerts</c>; acknowledged over MQTT; still open after a worker restart
/// (state file); cleared by readings back under the limit past the hysteresis and the clear duration. And with InfluxDB
/// away: alert points wait on disk, through a worker stop, and are written once it is back.
/// </summary>
public sealed class AlertingTests() : BrokerAndStoreTest("bn-alerts-")
{
    // Ammonium, QCVN 08:2023/BTNMT Table 1: 0.3 mg/L. Short clear duration so the test runs in seconds.
    private const string Rules = """
        // test rules
        { "domains": { "water": [
          { "id": "water.nh4", "kind": "threshold", "field": "nh4", "above": 0.3, "hysteresis": 0.05,
            "clearAfter": "00:00:02", "standard": "QCVN 08:2023/BTNMT Table 1", "severity": "critical" }
        ] } }
        """;

    [Fact]
    public async Task ReadingOverLimit_AlertWithinOneSecond_InInflux_AcknowledgedSurvivesRestart_ClearedBackUnderLimit()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = WorkerSettings.UniqueName("alr");
        var topics = new Topics(root);
        var settings = await SettingsWithRulesAsync(root, ct);
        settings["Alerting:TickInterval"] = "00:00:00.200";

        await using var watcher = await AlertWatcher.ConnectAsync(Mqtt, topics.AlertFilter, ct);
        await using var publisher = await TestPublisher.ConnectAsync(Mqtt.Host, Mqtt.Port, $"pub-{root}", ct);
        var worker = await StartAsync(settings, ct);
        try
        {
            await RunScenarioAsync();
        }
        finally
        {
            await worker.DisposeAsync();
        }

        async Task RunScenarioAsync()
        {
            var device = "water-alr-0001";
            var topic = topics.Telemetry(Domains.Water, "cau", device);
            var t0 = TestFleet.RecentStart().AddMinutes(30);
            async Task Publish(double nh4, int second) => await publisher.PublishAllAsync(
                [(topic, new TelemetryDocument(device, t0.AddSeconds(second), second, [new(Fields.Nh4, nh4)]).ToUtf8Bytes())], 1, ct);

            // Under the limit: nothing.
            await Publish(0.2, 0);

            // Over the limit: an alert within a second of publication.
            var clock = Stopwatch.StartNew();
            var published = DateTimeOffset.UtcNow;
            await Publish(0.5, 1);
            var raised = await watcher.NextAsync(TimeSpan.FromSeconds(5), ct);
            var latency = clock.Elapsed;
            var arrived = DateTimeOffset.UtcNow;
            Console.WriteLine($"alert latency, publish of the reading → alert event received on {topics.AlertFilter}: {latency.TotalMilliseconds:F1} ms");
            Assert.True(latency < TimeSpan.FromSeconds(1), $"alert took {latency.TotalMilliseconds:F0} ms");
            Assert.Equal(topics.Alert(Domains.Water, "cau", device), raised.Topic);
            Assert.Equal(AlertState.Raised, raised.Event.State);
            Assert.Equal(AlertSeverity.Critical, raised.Event.Severity);
            Assert.Equal("water.nh4", raised.Event.RuleId);
            Assert.Equal(device, raised.Event.DeviceId);
            Assert.Equal("cau", raised.Event.Site);
            Assert.Equal(0.5, raised.Event.Value);
            Assert.Equal(0.3, raised.Event.Limit);
            Assert.Equal("QCVN 08:2023/BTNMT Table 1", raised.Event.Standard);
            Assert.Equal(t0.AddSeconds(1), raised.Event.RaisedAt);
            // The worker's receipt of the triggering message lies between its publication and the event's arrival here.
            Assert.NotNull(raised.Event.ReceivedAt);
            Assert.InRange(raised.Event.ReceivedAt.Value, published, arrived);
            var alertId = raised.Event.AlertId;

            // In InfluxDB's alerts measurement, as the contract says.
            await Eventually.HoldsAsync(async () => (await AlertRowsAsync(root, alertId)).Count == 1, TimeSpan.FromSeconds(20), () => "raised event stored");
            var row = (await AlertRowsAsync(root, alertId)).Single();
            Assert.Equal("raised", row["state"].GetString());
            Assert.Equal("critical", row["severity"].GetString());
            Assert.Equal("water", row["domain"].GetString());
            Assert.Equal(0.5, row["value"].GetDouble());
            Assert.Equal(0.3, row["limit"].GetDouble());
            Assert.Equal(t0.AddSeconds(1).ToUnixTimeMilliseconds(), row["raised_at"].GetInt64());
            Assert.Equal(raised.Event.EventAt.ToUnixTimeMilliseconds(), row["time"].GetInt64() / 1_000_000); // InfluxServer queries with epoch=ns

            // Acknowledged by a person over MQTT.
            var ack = new AlertAcknowledgement { AlertId = alertId, AcknowledgedBy = "lan.nguyen", AcknowledgedAt = DateTimeOffset.UtcNow, Note = "checking the outfall" };
            await publisher.PublishAllAsync([(topics.AlertAcknowledge, JsonSerializer.SerializeToUtf8Bytes(ack, AlertJson.Options))], 1, ct);
            var acknowledged = await watcher.NextAsync(TimeSpan.FromSeconds(5), ct);
            Assert.Equal(AlertState.Acknowledged, acknowledged.Event.State);
            Assert.Equal(alertId, acknowledged.Event.AlertId);
            Assert.Equal("lan.nguyen", acknowledged.Event.AcknowledgedBy);

            // Restart: the open alert comes back from the state file.
            await worker.DisposeAsync();
            Assert.True(File.Exists(Path.Combine(DataDirectory, root, "alerts", "open-alerts.json")));
            worker = await StartAsync(settings, ct);

            // Inside the hysteresis (0.28 > 0.3 − 0.05): not cleared. Under it, but for less than 2 s: not cleared.
            await Publish(0.28, 2);
            await Publish(0.1, 3);
            await Publish(0.1, 4);
            Assert.False(watcher.TryNext(out var early), $"cleared too early: {early?.Event.State}");
            // Under it for 2 s of device time: cleared.
            await Publish(0.1, 5);
            var cleared = await watcher.NextAsync(TimeSpan.FromSeconds(5), ct);
            Assert.Equal(AlertState.Cleared, cleared.Event.State);
            Assert.Equal(alertId, cleared.Event.AlertId);
            Assert.Equal("lan.nguyen", cleared.Event.AcknowledgedBy);
            Assert.Equal(t0.AddSeconds(5), cleared.Event.ClearedAt);
            Assert.Equal(0.1, cleared.Event.Value);

            await Eventually.HoldsAsync(async () => (await AlertRowsAsync(root, alertId)).Count == 3, TimeSpan.FromSeconds(20), () => "three events stored");
            Assert.Equal(["raised", "acknowledged", "cleared"], (await AlertRowsAsync(root, alertId)).Select(r => r["state"].GetString()));
            Assert.False(watcher.TryNext(out var extra), $"unexpected event {extra?.Event.State} {extra?.Event.RuleId}");

            // Once warm (the first alert above paid for JIT compilation), another device over the limit.
            var second = "water-alr-0002";
            clock.Restart();
            await publisher.PublishAllAsync(
                [(topics.Telemetry(Domains.Water, "cau", second), new TelemetryDocument(second, t0.AddSeconds(6), 1, [new(Fields.Nh4, 0.9)]).ToUtf8Bytes())], 1, ct);
            var warm = await watcher.NextAsync(TimeSpan.FromSeconds(5), ct);
            var warmLatency = clock.Elapsed;
            Console.WriteLine($"alert latency (warm), publish of the reading → alert event received: {warmLatency.TotalMilliseconds:F1} ms");
            Assert.True(warmLatency < TimeSpan.FromSeconds(1), $"alert took {warmLatency.TotalMilliseconds:F0} ms");
            Assert.Equal((second, AlertState.Raised), (warm.Event.DeviceId, warm.Event.State));
        }
    }

    [Fact]
    public async Task InfluxAway_AlertEventsWaitOnDisk_AcrossAStop_AndAreStoredWhenItReturns()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = WorkerSettings.UniqueName("alq");
        var topics = new Topics(root);
        var dataDirectory = Path.Combine(DataDirectory, root);
        var settings = await SettingsWithRulesAsync(root, ct);
        settings["Alerting:MaxStoreBackoff"] = "00:00:00.500";

        await using var watcher = await AlertWatcher.ConnectAsync(Mqtt, topics.AlertFilter, ct);
        await using var publisher = await TestPublisher.ConnectAsync(Mqtt.Host, Mqtt.Port, $"pub-{root}", ct);
        var worker = await StartAsync(settings, ct);
        try
        {
            var raised = await RaiseWhileInfluxAwayAsync("water-alq-0001", 0.7);

            // Stopped while InfluxDB is still away: the point stays on disk.
            await worker.DisposeAsync();
            var spoolFolder = Path.Combine(dataDirectory, "alerts", "spool");
            Assert.NotEmpty(Directory.GetFiles(spoolFolder, "*.lp"));

            // InfluxDB back and the worker started again: the spooled point is written, the spool emptied.
            await Influx.StartAgainAsync();
            worker = await StartAsync(settings, ct);
            await Eventually.HoldsAsync(
                async () => (await AlertRowsAsync(root, raised.AlertId)).Count == 1, TimeSpan.FromSeconds(30), () => "the spooled alert stored");
            var row = (await AlertRowsAsync(root, raised.AlertId)).Single();
            Assert.Equal("raised", row["state"].GetString());
            Assert.Equal(0.7, row["value"].GetDouble());
            await Eventually.HoldsAsync(
                () => Task.FromResult(worker.Services.GetRequiredService<AlertStore>().SpoolBytes == 0 && Directory.GetFiles(spoolFolder, "*.lp").Length == 0),
                TimeSpan.FromSeconds(10), () => "the alert spool emptied");

            // Away again while the worker runs: the next alert waits on disk and is written once InfluxDB is back, no restart.
            var again = await RaiseWhileInfluxAwayAsync("water-alq-0002", 0.9);
            var running = worker.Services.GetRequiredService<AlertStore>();
            await Influx.StartAgainAsync();
            await Eventually.HoldsAsync(
                async () => (await AlertRowsAsync(root, again.AlertId)).Count == 1 && running.SpoolBytes == 0, TimeSpan.FromSeconds(30),
                () => $"the second alert stored from the spool (spool {running.SpoolBytes} bytes)");
        }
        finally
        {
            await worker.DisposeAsync();
        }

        // InfluxDB stopped, then a reading over the limit: its alert is published over MQTT at once, its point waits on disk.
        async Task<AlertEvent> RaiseWhileInfluxAwayAsync(string device, double nh4)
        {
            await Influx.StopAsync();
            await publisher.PublishAllAsync(
                [(topics.Telemetry(Domains.Water, "cau", device), new TelemetryDocument(device, DateTimeOffset.UtcNow, 1, [new(Fields.Nh4, nh4)]).ToUtf8Bytes())], 1, ct);
            var raised = await watcher.NextAsync(TimeSpan.FromSeconds(10), ct);
            Assert.Equal((device, AlertState.Raised), (raised.Event.DeviceId, raised.Event.State));
            var store = worker.Services.GetRequiredService<AlertStore>();
            await Eventually.HoldsAsync(() => Task.FromResult(store.SpoolBytes > 0), TimeSpan.FromSeconds(15), () => $"the alert point of {device} spooled");
            return raised.Event;
        }
    }

    /// <summary>A worker of its own (database, topic root and data folder named <paramref name="root"/>) with the test rules.</summary>
    private async Task<Dictionary<string, string?>> SettingsWithRulesAsync(string root, CancellationToken ct)
    {
        var rulesPath = Path.Combine(DataDirectory, $"alert-rules-{root}.json");
        await File.WriteAllTextAsync(rulesPath, Rules, ct);
        var settings = WorkerSettings.For(Mqtt, Influx.BaseUri, root, root, Path.Combine(DataDirectory, root));
        settings["Alerting:RulesPath"] = rulesPath;
        return settings;
    }

    private static async Task<WorkerHost> StartAsync(Dictionary<string, string?> settings, CancellationToken ct)
    {
        var worker = await WorkerHost.StartAsync(settings, ct);
        await Eventually.HoldsAsync(
            () => Task.FromResult(worker.Services.GetRequiredService<MqttSource>().IsReady && worker.Services.GetRequiredService<AlertMqttClient>().IsReady),
            TimeSpan.FromSeconds(15), () => "worker and its alert client connected and subscribed");
        return worker;
    }

    private async Task<List<Dictionary<string, JsonElement>>> AlertRowsAsync(string database, string alertId)
    {
        var rows = new List<Dictionary<string, JsonElement>>();
        foreach (var series in await Influx.QueryAsync(database, "SELECT * FROM \"alerts\""))
        {
            foreach (var row in series.Rows)
            {
                var named = series.Columns.Select((c, i) => (c, row[i])).ToDictionary(p => p.c, p => p.Item2);
                if (named.TryGetValue("alert_id", out var id) && id.GetString() == alertId)
                {
                    rows.Add(named);
                }
            }
        }

        return rows;
    }

    /// <summary>A dashboard-like subscriber of every alert event.</summary>
    private sealed class AlertWatcher : IAsyncDisposable
    {
        private readonly IMqttClient _client;
        private readonly BlockingCollection<(string Topic, AlertEvent Event)> _events = [];

        private AlertWatcher(IMqttClient client)
        {
            _client = client;
            _client.ApplicationMessageReceivedAsync += e =>
            {
                var alert = JsonSerializer.Deserialize<AlertEvent>(e.ApplicationMessage.Payload.ToArray(), AlertJson.Options)!;
                _events.Add((e.ApplicationMessage.Topic, alert));
                return Task.CompletedTask;
            };
        }

        public static async Task<AlertWatcher> ConnectAsync(MosquittoServer mqtt, string filter, CancellationToken ct)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            var watcher = new AlertWatcher(client);
            var result = await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(mqtt.Host, mqtt.Port).WithClientId($"watch-{Guid.NewGuid():N}").Build(), ct);
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            await client.SubscribeAsync(
                new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)).Build(), ct);
            return watcher;
        }

        public async Task<(string Topic, AlertEvent Event)> NextAsync(TimeSpan timeout, CancellationToken ct)
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < timeout)
            {
                if (_events.TryTake(out var item, 5, ct))
                {
                    return item;
                }

                await Task.Yield();
            }

            Assert.Fail($"no alert event within {timeout.TotalSeconds:F0} s");
            return default;
        }

        /// <summary>Waits a second for an event that should not come.</summary>
        public bool TryNext(out (string Topic, AlertEvent Event)? item)
        {
            var got = _events.TryTake(out var next, TimeSpan.FromSeconds(1));
            item = got ? next : null;
            return got;
        }

        public async ValueTask DisposeAsync()
        {
            await _client.DisconnectAsync();
            _client.Dispose();
            _events.Dispose();
        }
    }
}
