using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ingest.Contracts;
using Ingest.LoadProbe.Measure;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.LoadProbe.Load;

/// <summary>
/// Alert latency as seen from outside the worker. A <c>mosquitto_sub</c> child process subscribes to <c>bn/alerts/#</c>
/// and stamps each message on arrival (<c>%U</c>, its own clock), so the figure does not depend on how busy this process
/// is with publishing the load (an in-process subscriber here added up to a second of its own scheduling delay). For every
/// raised or cleared alert of this step's devices it takes two figures:
/// <list type="bullet">
/// <item><see cref="Latency"/>: arrival − the device timestamp of the reading that triggered it (RaisedAt / ClearedAt;
/// the publisher stamps readings with this machine's clock at the moment of publishing) — device publish → broker → worker
/// receipt → evaluation → alert publication → broker → subscriber;</item>
/// <item><see cref="ReceiptLatency"/>: arrival − the event's <c>receivedAt</c> (the worker's receipt of the triggering
/// message, same machine clock) — issue 4's measure, receipt → publication, plus one loopback broker hop.</item>
/// </list>
/// </summary>
public sealed class AlertWatcher : IAsyncDisposable
{
    private readonly Process _subscriber;
    private readonly string _devicePrefix;
    private readonly DateTimeOffset _since;
    private readonly string _readyTopic;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _reading;

    private AlertWatcher(Process subscriber, string devicePrefix, DateTimeOffset since, string readyTopic)
    {
        _subscriber = subscriber;
        _devicePrefix = devicePrefix;
        _since = since;
        _readyTopic = readyTopic;
    }

    public LatencySamples Latency { get; } = new();

    public LatencySamples ReceiptLatency { get; } = new();

    public long Raised { get; private set; }

    public long Cleared { get; private set; }

    public long Other { get; private set; }

    /// <summary>
    /// Starts the subscriber for alerts of devices named <paramref name="devicePrefix"/>… triggered by readings stamped from
    /// <paramref name="sinceMs"/> on, and returns once it demonstrably receives (a marker message published until seen).
    /// </summary>
    public static async Task<AlertWatcher> StartAsync(string host, int port, string devicePrefix, long sinceMs, string clientId, CancellationToken cancellationToken)
    {
        var readyTopic = $"bench/alert-watch/{clientId}";
        var start = new ProcessStartInfo("mosquitto_sub")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-h", host, "-p", port.ToString(CultureInfo.InvariantCulture), "-i", clientId, "-q", "1",
                     "-t", new Topics().AlertFilter, "-t", readyTopic, "-F", "%U %t %p" })
        {
            start.ArgumentList.Add(arg);
        }

        Process subscriber;
        try
        {
            subscriber = Process.Start(start) ?? throw new InvalidOperationException("mosquitto_sub did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("mosquitto_sub is needed for alert latency (Debian package mosquitto-clients)", ex);
        }

        var watcher = new AlertWatcher(subscriber, devicePrefix, DateTimeOffset.FromUnixTimeMilliseconds(sinceMs), readyTopic);
        watcher._reading = watcher.ReadAsync();
        using var marker = new MqttClientFactory().CreateMqttClient();
        await marker.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId(clientId + "-marker").Build(), cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (!watcher._ready.Task.IsCompleted)
        {
            await marker.PublishStringAsync(readyTopic, "ready", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: timeout.Token);
            await Task.WhenAny(watcher._ready.Task, Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token));
            timeout.Token.ThrowIfCancellationRequested();
        }

        await marker.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None);
        return watcher;
    }

    private async Task ReadAsync()
    {
        while (await _subscriber.StandardOutput.ReadLineAsync() is { } line)
        {
            // "<unix seconds with nanoseconds> <topic> <payload>"
            var first = line.IndexOf(' ', StringComparison.Ordinal);
            var second = first < 0 ? -1 : line.IndexOf(' ', first + 1);
            if (second < 0 || !decimal.TryParse(line.AsSpan(0, first), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
            {
                continue;
            }

            if (line.AsSpan(first + 1, second - first - 1).SequenceEqual(_readyTopic))
            {
                _ready.TrySetResult();
                continue;
            }

            var arrival = DateTimeOffset.FromUnixTimeMilliseconds(0).AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
            OnMessage(arrival, line.AsSpan(second + 1));
        }
    }

    private void OnMessage(DateTimeOffset arrival, ReadOnlySpan<char> payload)
    {
        AlertEvent? alert;
        try
        {
            alert = JsonSerializer.Deserialize<AlertEvent>(payload, AlertJson.Options);
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
        if (alert.ReceivedAt is { } received)
        {
            ReceiptLatency.Add((arrival - received).TotalMilliseconds);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Our own child: stop it, then let the reader finish what it printed.
        try
        {
            _subscriber.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        await _subscriber.WaitForExitAsync();
        if (_reading is not null)
        {
            await _reading;
        }

        _subscriber.Dispose();
    }
}
