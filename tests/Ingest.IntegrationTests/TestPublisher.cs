using Ingest.Contracts;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.IntegrationTests;

/// <summary>Publishes at QoS 1 from the test, with a bounded window of unacknowledged publishes, and checks every PUBACK.</summary>
public sealed class TestPublisher : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _options;
    private readonly SemaphoreSlim _reconnect = new(1);

    private TestPublisher(IMqttClient client, MqttClientOptions options)
    {
        _client = client;
        _options = options;
    }

    /// <summary>Publishes that had to be sent again after the broker went away (each may be a duplicate downstream).</summary>
    public int Republished => _republished;

    private int _republished;

    public static async Task<TestPublisher> ConnectAsync(string host, int port, string clientId, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId(clientId).WithCleanStart(true).Build();
        var result = await client.ConnectAsync(options, cancellationToken);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return new TestPublisher(client, options);
    }

    /// <summary>Publishes every message at QoS 1, at most <paramref name="window"/> in flight; fails on any refused publish.</summary>
    public async Task PublishAllAsync(IEnumerable<(string Topic, byte[] Payload)> messages, int window, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(window);
        var inFlight = new List<Task>();
        foreach (var (topic, payload) in messages)
        {
            await gate.WaitAsync(cancellationToken);
            inFlight.Add(PublishOneAsync(topic, payload, gate, cancellationToken));
        }

        await Task.WhenAll(inFlight);
    }

    /// <summary>
    /// Publishes until the broker acknowledges (PUBACK), reconnecting when it went away: a device's behaviour at QoS 1.
    /// Bounded: gives up after a minute without success.
    /// </summary>
    private async Task PublishOneAsync(string topic, byte[] payload, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        try
        {
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (true)
            {
                try
                {
                    var result = await _client.PublishAsync(message, cancellationToken);
                    Assert.True(result.IsSuccess, $"publish to {topic} refused: {result.ReasonCode}");
                    return;
                }
                catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException && DateTime.UtcNow < deadline
                    && !cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _republished);
                    await ReconnectAsync(cancellationToken);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        await _reconnect.WaitAsync(cancellationToken);
        try
        {
            while (!_client.IsConnected)
            {
                try
                {
                    var result = await _client.ConnectAsync(_options, cancellationToken);
                    if (result.ResultCode == MqttClientConnectResultCode.Success)
                    {
                        return;
                    }
                }
                catch (MQTTnet.Exceptions.MqttCommunicationException)
                {
                }
                catch (InvalidOperationException)
                {
                    // "Not allowed to connect while connect/disconnect is pending": the client is still tearing down.
                }

                await Task.Delay(200, cancellationToken);
            }
        }
        finally
        {
            _reconnect.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
        _reconnect.Dispose();
    }
}

/// <summary>A deterministic set of readings from a fleet, with the points they must become.</summary>
public static class TestFleet
{
    /// <summary>A recent whole second, so readings fall inside the worker's accepted timestamp window whenever the suite runs.</summary>
    public static DateTimeOffset RecentStart() =>
        DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() - 3600);

    public sealed record Expected(string Measurement, string Device, string Site, DateTimeOffset Timestamp, IReadOnlyDictionary<string, double> Values);

    /// <summary>Readings of a <see cref="Create"/> fleet stored in <paramref name="database"/> (one field each domain always has).</summary>
    public static async Task<long> CountStoredAsync(Infrastructure.InfluxServer influx, string database)
    {
        long total = 0;
        foreach (var (measurement, field) in new[] { (Domains.Air, Fields.Pm25), (Domains.Water, Fields.Ph), (Domains.Meter, Fields.Voltage) })
        {
            total += await influx.CountAsync(database, measurement, field);
        }

        return total;
    }

    /// <summary>For a failure message: which of the expected points are missing, as a count and a time range.</summary>
    public static async Task<string> DescribeMissingAsync(
        Infrastructure.InfluxServer influx, string database, IEnumerable<(string Topic, byte[] Payload, Expected Point)> fleet)
    {
        var stored = new HashSet<(string, long)>();
        foreach (var (measurement, field) in new[] { (Domains.Air, Fields.Pm25), (Domains.Water, Fields.Ph), (Domains.Meter, Fields.Voltage) })
        {
            foreach (var series in await influx.QueryAsync(database, $"SELECT \"{field}\", device FROM \"{measurement}\""))
            {
                foreach (var row in series.Rows)
                {
                    stored.Add((row[2].GetString()!, row[0].GetInt64() / 1_000_000));
                }
            }
        }

        var missing = fleet.Select(f => f.Point).Where(p => !stored.Contains((p.Device, p.Timestamp.ToUnixTimeMilliseconds()))).ToList();
        return missing.Count == 0
            ? "none missing"
            : $"{missing.Count} missing, device times {missing.Min(p => p.Timestamp):HH:mm:ss.fff}..{missing.Max(p => p.Timestamp):HH:mm:ss.fff}, "
              + $"{missing.Select(p => p.Device).Distinct().Count()} devices";
    }

    /// <summary><paramref name="devices"/> devices across the three domains, each publishing <paramref name="perDevice"/> readings a second apart.</summary>
    public static List<(string Topic, byte[] Payload, Expected Point)> Create(Topics topics, int devices, int perDevice, DateTimeOffset start)
    {
        var result = new List<(string, byte[], Expected)>(devices * perDevice);
        for (var k = 0; k < perDevice; k++)
        {
            for (var d = 0; d < devices; d++)
            {
                var domain = Domains.Telemetry[d % 3];
                var site = $"site-{d % 7}";
                var device = $"{domain}-e2e-{d:D4}";
                var ts = start.AddSeconds(k).AddMilliseconds(d);
                Dictionary<string, double> values = domain switch
                {
                    Domains.Air => new() { [Fields.Pm25] = 10 + d + (k / 100.0), [Fields.Pm10] = 20.5 + k },
                    Domains.Water => new() { [Fields.Ph] = 7.1, [Fields.DissolvedOxygen] = 5 + (k / 1000.0) },
                    _ => new() { [Fields.Voltage] = 220 + (d % 10), [Fields.EnergyImport] = 1000 + k },
                };
                var doc = new TelemetryDocument(device, ts, k + 1, [.. values]);
                result.Add((topics.Telemetry(domain, site, device), doc.ToUtf8Bytes(), new Expected(domain, device, site, ts, values)));
            }
        }

        return result;
    }
}
