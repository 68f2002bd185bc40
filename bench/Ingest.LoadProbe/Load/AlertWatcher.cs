using System.Text.Json;
using Ingest.Contracts;
using Ingest.LoadProbe.Measure;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.LoadProbe.Load;

/// <summary>
/// Alert latency as seen from outside the worker: subscribes to <c>bn/alerts/#</c> and, for every raised or cleared alert
/// of this step's devices, takes "arrival here − the device timestamp of the reading that triggered it" (RaisedAt /
/// ClearedAt; the publisher stamps readings with this process's clock at the moment of publishing). That is device publish →
/// broker → worker receipt → evaluation → alert publication → broker → here, an upper bound of receipt → publication that
/// adds two loopback broker hops.
/// </summary>
public sealed class AlertWatcher : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly string _devicePrefix;
    private readonly DateTimeOffset _since;

    private AlertWatcher(IMqttClient client, string devicePrefix, DateTimeOffset since)
    {
        _client = client;
        _devicePrefix = devicePrefix;
        _since = since;
    }

    public LatencySamples Latency { get; } = new();

    public long Raised { get; private set; }

    public long Cleared { get; private set; }

    public long Other { get; private set; }

    /// <summary>Watches alerts of devices named <paramref name="devicePrefix"/>… triggered by readings stamped from <paramref name="sinceMs"/> on.</summary>
    public static async Task<AlertWatcher> StartAsync(string host, int port, string devicePrefix, long sinceMs, string clientId, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var watcher = new AlertWatcher(client, devicePrefix, DateTimeOffset.FromUnixTimeMilliseconds(sinceMs));
        client.ApplicationMessageReceivedAsync += e =>
        {
            watcher.OnMessage(e.ApplicationMessage.Payload);
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId(clientId).WithCleanStart(true).Build();
        await client.ConnectAsync(options, cancellationToken);
        await client.SubscribeAsync(new Topics().AlertFilter, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
        return watcher;
    }

    private void OnMessage(System.Buffers.ReadOnlySequence<byte> payload)
    {
        var arrival = DateTimeOffset.UtcNow;
        AlertEvent? alert;
        try
        {
            var reader = new Utf8JsonReader(payload);
            alert = JsonSerializer.Deserialize<AlertEvent>(ref reader, AlertJson.Options);
        }
        catch (JsonException)
        {
            return;
        }

        if (alert is null || !alert.DeviceId.StartsWith(_devicePrefix, StringComparison.Ordinal))
        {
            return;
        }

        DateTimeOffset? trigger = alert.State switch
        {
            AlertState.Raised => alert.RaisedAt,
            AlertState.Cleared => alert.ClearedAt,
            _ => null,
        };
        if (trigger is null || trigger.Value < _since)
        {
            Other++;
            return;
        }

        if (alert.State == AlertState.Raised)
        {
            Raised++;
        }
        else
        {
            Cleared++;
        }

        Latency.Add((arrival - trigger.Value).TotalMilliseconds);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
            // Closing anyway.
        }

        _client.Dispose();
    }
}
