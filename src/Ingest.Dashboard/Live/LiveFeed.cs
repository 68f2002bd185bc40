using System.Buffers;
using System.Text;
using System.Text.Json;
using Ingest.Contracts;
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
    private bool _disconnectLogged;

    public LiveFeed(IOptions<LiveFeedOptions> options, AlertBoard alerts, DeviceBoard devices, AqiBoard aqi,
        IHubContext<LiveHub, ILiveClient> hub, TimeProvider time, ILogger<LiveFeed> logger)
    {
        _options = options.Value;
        _topics = new Topics(_options.TopicRoot);
        _alerts = alerts;
        _devices = devices;
        _aqi = aqi;
        _hub = hub;
        _time = time;
        _logger = logger;
        _client.ApplicationMessageReceivedAsync += e => HandleAsync(e.ApplicationMessage);
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

    /// <summary>True while connected with the subscriptions in place.</summary>
    public bool IsReady => _ready && _client.IsConnected;

    private volatile bool _ready;

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
        }
        while (await WaitAsync(timer, stoppingToken));

        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), CancellationToken.None);
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
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
            var builder = new MqttClientOptionsBuilder()
                .WithTcpServer(_options.Host, _options.Port)
                .WithClientId($"bn-dashboard-{Environment.MachineName}-{Guid.NewGuid():N}"[..48])
                .WithCleanStart(true)
                .WithTimeout(TimeSpan.FromSeconds(10))
                .WithSecurity(_options);
            var result = await _client.ConnectAsync(builder.Build(), cancellationToken);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                LogRefused(_options.Host, _options.Port, result.ResultCode.ToString());
                return;
            }

            var subscribe = new MqttClientSubscribeOptionsBuilder();
            foreach (var filter in new[] { _topics.AlertFilter, _topics.StatusFilter, _topics.AqiFilter, _topics.TelemetryFilter })
            {
                subscribe = subscribe.WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
            }

            await _client.SubscribeAsync(subscribe.Build(), cancellationToken);
            _ready = true;
            _disconnectLogged = false;
            LogConnected(_options.Host, _options.Port);
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

    private async Task HandleAsync(MqttApplicationMessage message)
    {
        try
        {
            var topic = message.Topic;
            var levels = topic.Split('/');
            if (levels.Length < 2 || levels[0] != _topics.Root)
            {
                return;
            }

            if (levels is [_, "alerts", _, _, _])
            {
                await OnAlertAsync(Read<AlertEvent>(message.Payload));
            }
            else if (levels is [_, "aqi", _, _])
            {
                await OnAqiAsync(Read<AqiUpdate>(message.Payload));
            }
            else if (_topics.TryParse(topic, out var device) && Domains.IsTelemetryDomain(device.Domain))
            {
                if (device.Kind == TopicKind.Status)
                {
                    await OnStatusAsync(device, Encoding.UTF8.GetString(message.Payload).Trim());
                }
                else if (device.Kind == TopicKind.Telemetry)
                {
                    await OnTelemetryAsync(device, message.Payload);
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

    private async Task OnAlertAsync(AlertEvent alert)
    {
        if (_alerts.Apply(alert) is { } changed)
        {
            await _hub.Clients.Group(LiveGroups.Domain(changed.Domain)).AlertChanged(changed);
        }
    }

    /// <summary>Pushes an acknowledgement made here to every client of the alert's domain.</summary>
    public Task BroadcastAsync(AlertEvent alert) => _hub.Clients.Group(LiveGroups.Domain(alert.Domain)).AlertChanged(alert);

    private async Task OnAqiAsync(AqiUpdate update)
    {
        if (_aqi.Apply(update))
        {
            await _hub.Clients.Group(LiveGroups.Domain(Domains.Air)).AqiUpdated(update);
        }
    }

    private async Task OnStatusAsync(DeviceTopic device, string status)
    {
        if (status is not ("online" or "offline"))
        {
            return;
        }

        var snapshot = _devices.SetStatus(device.Domain, device.Site, device.DeviceId, status == "online");
        await _hub.Clients.Group(LiveGroups.Domain(device.Domain)).DeviceChanged(snapshot);
    }

    private async Task OnTelemetryAsync(DeviceTopic device, ReadOnlySequence<byte> payload)
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
        if (before is null || before.State != snapshot.State)
        {
            await _hub.Clients.Group(LiveGroups.Domain(device.Domain)).DeviceChanged(snapshot);
        }

        if (values.Count == 0 || (_lastPushed.TryGetValue(device.DeviceId, out var last) && now - last < _options.ReadingInterval))
        {
            return;
        }

        _lastPushed[device.DeviceId] = now;
        await _hub.Clients.Group(LiveGroups.Site(device.Domain, device.Site))
            .ReadingReceived(new LiveReading(device.DeviceId, device.Domain, device.Site, at, values, flags));
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Live feed connected to MQTT broker {Host}:{Port}")]
    private partial void LogConnected(string host, int port);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Live feed cannot reach MQTT broker {Host}:{Port}: {Reason}; retrying")]
    private partial void LogConnectFailed(string host, int port, string reason);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "MQTT broker {Host}:{Port} refused the live feed: {ResultCode}")]
    private partial void LogRefused(string host, int port, string resultCode);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Live feed lost MQTT broker {Host}:{Port}: {Reason}")]
    private partial void LogDisconnected(string host, int port, string reason);

    [LoggerMessage(EventId = 204, Level = LogLevel.Debug, Message = "Skipped a message on {Topic}: {Reason}")]
    private partial void LogBadMessage(string topic, string reason);
}
