using DeviceSim.Fleet;
using DeviceSim.Reporting;
using Ingest.Contracts;
using MQTTnet;
using MQTTnet.Protocol;

namespace DeviceSim.Publishing;

/// <summary>
/// The fleet's MQTT connections: one per device (<see cref="ConnectionMode.PerDevice"/>, each with its will) or a few
/// shared ones (<see cref="ConnectionMode.Multiplexed"/>, which announce every device's <c>online</c>/<c>offline</c>
/// themselves). Publishes go through one <see cref="PublishWindow"/>; a background loop reconnects lost connections
/// (after their hold-off), so a broker restart or a disconnect storm heals by itself. Thread-safe.
/// </summary>
public sealed class ConnectionPool : IAsyncDisposable
{
    private static readonly TimeSpan ReconnectCheck = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(3);

    private readonly BrokerSettings _broker;
    private readonly IReadOnlyList<DeviceSpec> _devices;
    private readonly Topics _topics;
    private readonly RunStats _stats;
    private readonly TimeProvider _time;
    private readonly SimConnection[] _connections;
    private readonly PublishWindow _window;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _reconnector;

    public ConnectionPool(
        BrokerSettings broker, IReadOnlyList<DeviceSpec> devices, ConnectionMode mode, int sharedConnections, string clientIdPrefix, RunStats stats, TimeProvider time)
    {
        _broker = broker;
        _devices = devices;
        _topics = new Topics(broker.TopicRoot);
        _stats = stats;
        _time = time;
        Mode = mode;
        _window = new PublishWindow(broker.Window);
        var factory = new MqttClientFactory();
        if (mode == ConnectionMode.PerDevice)
        {
            _connections = new SimConnection[devices.Count];
            for (var i = 0; i < devices.Count; i++)
            {
                var device = devices[i];
                DeviceCredentials? credentials = null;
                broker.Credentials?.TryGetValue(device.Id, out credentials);
                _connections[i] = new SimConnection(factory, broker, clientIdPrefix + device.Id, device.StatusTopic(_topics), credentials, stats);
            }
        }
        else
        {
            var count = Math.Clamp(sharedConnections, 1, Math.Max(1, devices.Count));
            _connections = new SimConnection[count];
            for (var i = 0; i < count; i++)
            {
                _connections[i] = new SimConnection(factory, broker, $"{clientIdPrefix}mux-{i + 1}", null, null, stats);
            }
        }
    }

    public ConnectionMode Mode { get; }

    public int ConnectionCount => _connections.Length;

    public int InFlight => _window.InFlight;

    public bool IsConnected(int publisher) => ConnectionOf(publisher).IsConnected;

    /// <summary>Connects everything (bounded concurrency), then keeps reconnecting what drops until <see cref="CloseAsync"/>.</summary>
    public async Task ConnectAllAsync(CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(
            _connections,
            new ParallelOptions { MaxDegreeOfParallelism = _broker.ConnectConcurrency, CancellationToken = cancellationToken },
            async (connection, ct) =>
            {
                if (!await connection.ConnectAsync(ct))
                {
                    connection.HeldUntil = _time.GetUtcNow() + RetryAfterFailure;
                }
            });

        if (Mode == ConnectionMode.Multiplexed)
        {
            await AnnounceAllAsync(SimConnection.Online, cancellationToken);
        }

        _reconnector = ReconnectLoopAsync(_stopping.Token);
    }

    /// <summary>
    /// Sends one message for a device, waiting for a window slot first; returns once it is handed to the client (the
    /// acknowledgement is counted when it comes). <paramref name="readings"/> 0 marks a status message, which is not
    /// counted as telemetry. A device whose connection is down loses the message, as hardware
    /// without a buffer would, and it is counted as offline.
    /// </summary>
    public async ValueTask PublishAsync(int publisher, OutgoingMessage message, int readings, CancellationToken cancellationToken)
    {
        var connection = ConnectionOf(publisher);
        if (!connection.IsConnected)
        {
            _stats.OnOffline();
            return;
        }

        await _window.EnterAsync(cancellationToken);
        var telemetry = readings > 0;
        if (telemetry)
        {
            _stats.OnPublished(message.Payload.Length, readings);
        }

        _ = CompleteAsync(connection, message, telemetry);
    }

    /// <summary>
    /// A disconnect storm: cuts <paramref name="fraction"/> of the live connections at once (wills fire) and lets each
    /// come back after a random 1–10 s.
    /// </summary>
    public async Task<int> StormAsync(double fraction, Random random, CancellationToken cancellationToken)
    {
        var live = _connections.Where(c => c.IsConnected).ToList();
        var count = (int)Math.Ceiling(live.Count * Math.Clamp(fraction, 0, 1));
        var victims = live.OrderBy(_ => random.Next()).Take(count).ToList();
        var now = _time.GetUtcNow();
        foreach (var victim in victims)
        {
            victim.HeldUntil = now + TimeSpan.FromSeconds(1 + (9 * random.NextDouble()));
        }

        await Parallel.ForEachAsync(
            victims,
            new ParallelOptions { MaxDegreeOfParallelism = _broker.ConnectConcurrency, CancellationToken = cancellationToken },
            async (victim, ct) => await victim.CutAsync(ct));
        return victims.Count;
    }

    /// <summary>Waits for outstanding acknowledgements (bounded by <paramref name="timeout"/>).</summary>
    public Task<bool> DrainAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _window.DrainAsync(timeout, _time, cancellationToken);

    /// <summary>Stops reconnecting, announces <c>offline</c> and disconnects every connection.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (Mode == ConnectionMode.Multiplexed)
        {
            await AnnounceAllAsync(SimConnection.Offline, cancellationToken);
        }

        await _stopping.CancelAsync();
        if (_reconnector is not null)
        {
            await _reconnector;
        }

        await Parallel.ForEachAsync(
            _connections,
            new ParallelOptions { MaxDegreeOfParallelism = _broker.ConnectConcurrency, CancellationToken = cancellationToken },
            async (connection, ct) => await connection.CloseAsync(announceOffline: true, ct));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_reconnector is not null)
        {
            await _reconnector;
        }

        foreach (var connection in _connections)
        {
            connection.Dispose();
        }

        _window.Dispose();
        _stopping.Dispose();
    }

    private SimConnection ConnectionOf(int publisher) =>
        _connections[Mode == ConnectionMode.PerDevice ? publisher : publisher % _connections.Length];

    private async Task CompleteAsync(SimConnection connection, OutgoingMessage message, bool telemetry)
    {
        var started = _time.GetTimestamp();
        try
        {
            var accepted = await connection.PublishAsync(message, telemetry ? _broker.Qos : MqttQualityOfServiceLevel.AtLeastOnce, _stopping.Token);
            if (telemetry && accepted)
            {
                _stats.OnAcked(_time.GetElapsedTime(started));
            }
            else if (telemetry)
            {
                _stats.OnFailed();
            }
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
            if (telemetry)
            {
                _stats.OnFailed();
            }
        }
        finally
        {
            _window.Exit();
        }
    }

    private async Task AnnounceAllAsync(byte[] state, CancellationToken cancellationToken)
    {
        for (var i = 0; i < _devices.Count; i++)
        {
            var connection = ConnectionOf(i);
            if (connection.IsConnected)
            {
                await PublishAsync(i, new OutgoingMessage(_devices[i].StatusTopic(_topics), state, Retain: true), 0, cancellationToken);
            }
        }

        await DrainAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    private async Task ReconnectLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var timer = new PeriodicTimer(ReconnectCheck, _time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = _time.GetUtcNow();
                var due = _connections.Where(c => c.Wanted && !c.IsConnected && c.HeldUntil <= now).ToList();
                if (due.Count == 0)
                {
                    continue;
                }

                await Parallel.ForEachAsync(
                    due,
                    new ParallelOptions { MaxDegreeOfParallelism = _broker.ConnectConcurrency, CancellationToken = stoppingToken },
                    async (connection, ct) =>
                    {
                        if (!await connection.ConnectAsync(ct))
                        {
                            connection.HeldUntil = _time.GetUtcNow() + RetryAfterFailure;
                        }
                    });
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
