using Ingest.Contracts;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.IntegrationTests;

/// <summary>Publishes at QoS 1 from the test, with a bounded window of unacknowledged publishes, and checks every PUBACK.</summary>
public sealed class TestPublisher : IAsyncDisposable
{
    private readonly IMqttClient _client;

    private TestPublisher(IMqttClient client) => _client = client;

    public static async Task<TestPublisher> ConnectAsync(string host, int port, string clientId, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId(clientId).WithCleanStart(true).Build();
        var result = await client.ConnectAsync(options, cancellationToken);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return new TestPublisher(client);
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

    private async Task PublishOneAsync(string topic, byte[] payload, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        try
        {
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            var result = await _client.PublishAsync(message, cancellationToken);
            Assert.True(result.IsSuccess, $"publish to {topic} refused: {result.ReasonCode}");
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}

/// <summary>A deterministic set of readings from a fleet, with the points they must become.</summary>
public static class TestFleet
{
    /// <summary>A recent whole second, so readings fall inside the worker's accepted timestamp window whenever the suite runs.</summary>
    public static DateTimeOffset RecentStart() =>
        DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() - 3600);

    public sealed record Expected(string Measurement, string Device, string Site, DateTimeOffset Timestamp, IReadOnlyDictionary<string, double> Values);

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
