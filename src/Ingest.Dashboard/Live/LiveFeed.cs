using System.Buffers;
using System.Text;
using System.Text.Json;
using Ingest.Contracts;
using Ingest.Mqtt;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.Dashboard.Live;

/// <summary>
/// Relays the broker to the browsers: alert events, device status, AQI updates and (rate-limited) readings go into the
/// boards and out through <see cref="LiveHub"/> to the group of their domain (readings: of their site). Also the one
/// publisher of alert acknowledgements. One MQTT client with a clean session; a timer on <see cref="TimeProvider"/>
/// reconnects it and subscribes again. Messages are handled one at a time by MQTTnet; a bad message is logged and skipped.
/// With the Redis backplane (<see cref="BackplaneOptions"/>) that client only keeps this instance's state, and a second
/// client in an MQTT shared subscription pushes: each message reaches the browsers once, through whichever instance the
/// broker handed it to.
/// </summary>
public sealed partial class LiveFeed : BackgroundService
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly LiveFeedOptions _options;
    private readonly Topics _topics;
    private readonly AlertBoard _alerts;
    private readonly DeviceBoard _devices;
    private readonly AqiBoard _aqi;
    private readonly IHubContext<LiveHub, ILiveClient> _hub;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveFeed> _logger;
    private readonly Dictionary<string, DateTimeOffset> _lastPushed = new(StringComparer.Ordinal);
    private readonly BackplaneOptions _backplane;
    private readonly Health.DashboardMetrics _metrics;
    private readonly IMqttClient? _relay;
    private bool _disconnectLogged;
    private bool _relayFailureLogged;

    /// <summary>What a client's messages are for.</summary>
    private enum Role
    {
        /// <summary>Single instance: keep the state and push to the browsers.</summary>
        StateAndPush,

        /// <summary>With the backplane: keep this instance's state only.</summary>
        State,

        /// <summary>With the backplane: this instance's share of the stream, pushed to every instance's browsers.</summary>
        Relay,
    }

    public LiveFeed(IOptions<LiveFeedOptions> options, IOptions<BackplaneOptions> backplane, AlertBoard alerts, DeviceBoard devices, AqiBoard aqi,
        IHubContext<LiveHub, ILiveClient> hub, Health.DashboardMetrics metrics, TimeProvider time, ILogger<LiveFeed> logger)
    {
        _metrics = metrics;
        _backplane = backplane.Value;
        _options = options.Value;
        _topics = new Topics(_options.TopicRoot);
        _alerts = alerts;
        _devices = devices;
        _aqi = aqi;
        _hub = hub;
        _time = time;
        _logger = logger;
        _client.ApplicationMessageReceivedAsync += e => HandleAsync(e.ApplicationMessage, _backplane.Enabled ? Role.State : Role.StateAndPush);
        if (_backplane.Enabled)
        {
            _relay = new MqttClientFactory().CreateMqttClient();
            _relay.ApplicationMessageReceivedAsync += e => HandleAsync(e.ApplicationMessage, Role.Relay);
        }

        _client.DisconnectedAsync += e =>
        {
            _ready = false;
            if (e.ClientWasConnected)
            {
                LogDisconnected(_options.Host, _options.Port, e.Reason.ToString());
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>True while connected with the subscriptions in place (and, with the backplane, the relay too).</summary>
    public bool IsReady => _ready && _client.IsConnected && (_relay is null || (_relayReady && _relay.IsConnected));

    /// <summary>Messages this instance pushed to the browsers of all instances (backplane mode).</summary>
    public long Relayed => Interlocked.Read(ref _relayed);

    private volatile bool _ready;
    private volatile bool _relayReady;
    private long _relayed;

    /// <summary>Sends a person's acknowledgement to the worker (QoS 1); throws when the broker is not reachable.</summary>
    public async Task PublishAcknowledgementAsync(AlertAcknowledgement acknowledgement, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(_topics.AlertAcknowledge)
            .WithPayload(JsonSerializer.SerializeToUtf8Bytes(acknowledgement, AlertJson.Options))
            .WithContentType("application/json")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await _client.PublishAsync(message, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.ReconnectInterval, _time);
        do
        {
            if (!_client.IsConnected)
            {
                await TryConnectAsync(stoppingToken);
            }

            if (_relay is { IsConnected: false })
            {
                await TryConnectRelayAsync(_relay, stoppingToken);
            }
        }
        while (await WaitAsync(timer, stoppingToken));

        if (_relay is { IsConnected: true })
        {
            await _relay.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), CancellationToken.None);
        }

        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), CancellationToken.None);
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        _relay?.Dispose();
        base.Dispose();
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task TryConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await ConnectAndSubscribeAsync(_client, "bn-dashboard", filterPrefix: "", cancellationToken))
            {
                _ready = true;
                _disconnectLogged = false;
                LogConnected(_options.Host, _options.Port);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (!_disconnectLogged)
            {
                LogConnectFailed(_options.Host, _options.Port, ex.Message);
                _disconnectLogged = true;
            }
        }
    }

    private async Task TryConnectRelayAsync(IMqttClient relay, CancellationToken cancellationToken)
    {
        try
        {
            _relayReady = false;
            if (await ConnectAndSubscribeAsync(relay, "bn-dashboard-relay", $"$share/{_backplane.RelayGroup}/", cancellationToken))
            {
                _relayReady = true;
                _relayFailureLogged = false;
                LogRelayConnected(_backplane.RelayGroup);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (!_relayFailureLogged)
            {
                LogConnectFailed(_options.Host, _options.Port, ex.Message);
                _relayFailureLogged = true;
            }
        }
    }

    /// <summary>
    /// Connects <paramref name="client"/> with a clean session and subscribes it to the live topics, each prefixed with
    /// <paramref name="filterPrefix"/> (a shared-subscription group for the relay); false when the broker refused.
    /// </summary>
    private async Task<bool> ConnectAndSubscribeAsync(IMqttClient client, string clientIdPrefix, string filterPrefix, CancellationToken cancellationToken)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId($"{clientIdPrefix}-{Environment.MachineName}-{Guid.NewGuid():N}"[..48])
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithSecurity(_options);
        var result = await client.ConnectAsync(builder.Build(), cancellationToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            LogRefused(_options.Host, _options.Port, result.ResultCode.ToString());
            return false;
        }

        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in new[] { _topics.AlertFilter, _topics.StatusFilter, _topics.AqiFilter, _topics.TelemetryFilter })
        {
            subscribe = subscribe.WithTopicFilter(f => f.WithTopic(filterPrefix + filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
        }

        await client.SubscribeAsync(subscribe.Build(), cancellationToken);
        return true;
    }

    private async Task HandleAsync(MqttApplicationMessage message, Role role)
    {
        try
        {
            var topic = message.Topic;
            var levels = topic.Split('/');
            if (levels.Length < 2 || levels[0] != _topics.Root)
            {
                return;
            }

            if (role != Role.Relay)
            {
                _metrics.Handled(levels is [_, "alerts", ..] ? "alert" : levels is [_, "aqi", ..] ? "aqi" : levels[^1]);
            }

            if (levels is [_, "alerts", _, _, _])
            {
                await OnAlertAsync(Read<AlertEvent>(message.Payload), role);
            }
            else if (levels is [_, "aqi", _, _])
            {
                await OnAqiAsync(Read<AqiUpdate>(message.Payload), role);
            }
            else if (_topics.TryParse(topic, out var device) && Domains.IsTelemetryDomain(device.Domain))
            {
                if (device.Kind == TopicKind.Status)
                {
                    await OnStatusAsync(device, Encoding.UTF8.GetString(message.Payload).Trim(), role);
                }
                else if (device.Kind == TopicKind.Telemetry)
                {
                    await OnTelemetryAsync(device, message.Payload, role);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            LogBadMessage(message.Topic, ex.Message);
        }
    }

    private static T Read<T>(ReadOnlySequence<byte> payload)
    {
        var reader = new Utf8JsonReader(payload);
        return JsonSerializer.Deserialize<T>(ref reader, AlertJson.Options) ?? throw new JsonException("null document");
    }

    private async Task OnAlertAsync(AlertEvent alert, Role role)
    {
        var changed = _alerts.Apply(alert);
        // The relay pushes what the board holds, even when this instance's state client applied it a moment earlier.
        if (role == Role.Relay && changed is null && _alerts.IsCurrent(alert))
        {
            changed = alert;
        }

        if (changed is not null && role != Role.State)
        {
            await _hub.Clients.Group(LiveGroups.Domain(changed.Domain)).AlertChanged(changed);
            CountRelayed(role);
        }
    }

    private void CountRelayed(Role role)
    {
        if (role == Role.Relay)
        {
            Interlocked.Increment(ref _relayed);
        }
    }

    /// <summary>Pushes an acknowledgement made here to every client of the alert's domain.</summary>
    public Task BroadcastAsync(AlertEvent alert) => _hub.Clients.Group(LiveGroups.Domain(alert.Domain)).AlertChanged(alert);

    private async Task OnAqiAsync(AqiUpdate update, Role role)
    {
        if (_aqi.Apply(update) && role != Role.State)
        {
            await _hub.Clients.Group(LiveGroups.Domain(Domains.Air)).AqiUpdated(update);
            CountRelayed(role);
        }
    }

    private async Task OnStatusAsync(DeviceTopic device, string status, Role role)
    {
        if (status is not ("online" or "offline"))
        {
            return;
        }

        var snapshot = _devices.SetStatus(device.Domain, device.Site, device.DeviceId, status == "online");
        if (role != Role.State)
        {
            await _hub.Clients.Group(LiveGroups.Domain(device.Domain)).DeviceChanged(snapshot);
            CountRelayed(role);
        }
    }

    private async Task OnTelemetryAsync(DeviceTopic device, ReadOnlySequence<byte> payload, Role role)
    {
        var now = _time.GetUtcNow();
        if (!TelemetryReader.TryRead(payload, device.DeviceId, now, out var at, out var values, out var flags))
        {
            // Line protocol, SenML and bad documents still prove the device is alive.
            at = now;
            values = new Dictionary<string, double>();
            flags = [];
        }

        var before = _devices.Find(device.DeviceId);
        var snapshot = _devices.Record(device.Domain, device.Site, device.DeviceId, at, values, flags);
        if (role == Role.State)
        {
            return;
        }

        var stateChanged = before is null || before.State != snapshot.State;
        if (stateChanged && role == Role.StateAndPush)
        {
            await _hub.Clients.Group(LiveGroups.Domain(device.Domain)).DeviceChanged(snapshot);
        }

        if (values.Count == 0 || (_lastPushed.TryGetValue(device.DeviceId, out var last) && now - last < _options.ReadingInterval))
        {
            return;
        }

        _lastPushed[device.DeviceId] = now;
        if (role == Role.Relay)
        {
            // This instance's state client may have recorded the reading first, hiding a state change from "before":
            // the relay sends the device's state with each reading it relays (rate-limited like the readings).
            await _hub.Clients.Group(LiveGroups.Domain(device.Domain)).DeviceChanged(snapshot);
        }

        await _hub.Clients.Group(LiveGroups.Site(device.Domain, device.Site))
            .ReadingReceived(new LiveReading(device.DeviceId, device.Domain, device.Site, at, values, flags));
        CountRelayed(role);
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Live feed connected to MQTT broker {Host}:{Port}")]
    private partial void LogConnected(string host, int port);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Live feed cannot reach MQTT broker {Host}:{Port}: {Reason}; retrying")]
    private partial void LogConnectFailed(string host, int port, string reason);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "MQTT broker {Host}:{Port} refused the live feed: {ResultCode}")]
    private partial void LogRefused(string host, int port, string resultCode);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Live feed lost MQTT broker {Host}:{Port}: {Reason}")]
    private partial void LogDisconnected(string host, int port, string reason);

    [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "Live relay subscribed in shared group {Group}: events go to every dashboard instance through the Redis backplane")]
    private partial void LogRelayConnected(string group);

    [LoggerMessage(EventId = 204, Level = LogLevel.Debug, Message = "Skipped a message on {Topic}: {Reason}")]
    private partial void LogBadMessage(string topic, string reason);
}
