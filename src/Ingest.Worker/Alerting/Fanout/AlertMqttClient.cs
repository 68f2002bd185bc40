using System.Buffers;
using System.Text;
using System.Text.Json;
using Ingest.Contracts;
using Ingest.Mqtt;
using Ingest.Worker.Alerting.Engine;
using Ingest.Worker.Hosting;
using Ingest.Worker.Sources.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.Worker.Alerting.Fanout;

/// <summary>
/// The alert engine's own MQTT connection (client id <c>{Mqtt:ClientId}-alerts</c>, same broker, credentials and TLS as the
/// source, persistent session so acknowledgements sent while the worker is away still arrive). It subscribes at QoS 1 to
/// every device's <c>status</c> (will) topic and to <c>bn/commands/alerts/ack</c>, feeding both to the evaluator; and it
/// publishes what the evaluator produces: alert events at QoS 1 on <c>bn/alerts/{domain}/{site}/{device}</c>, AQI at QoS 1,
/// retained, on <c>bn/aqi/{site}/{device}</c>. A message is retried until the broker acknowledges it; on stop the queue
/// is drained while the broker is reachable. Reconnects on a timer (MQTTnet 5 has no managed client).
/// </summary>
public sealed partial class AlertMqttClient : BackgroundService
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
    private readonly AlertChannels _channels;
    private readonly AlertMetrics _metrics;
    private readonly MqttSourceOptions _mqtt;
    private readonly AlertingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertMqttClient> _logger;
    private readonly Topics _topics;
    private readonly IMqttClient _client;
    private bool _connectFailureLogged;

    public AlertMqttClient(
        AlertChannels channels,
        AlertMetrics metrics,
        IOptions<MqttSourceOptions> mqtt,
        IOptions<AlertingOptions> options,
        IOptions<IngestOptions> ingest,
        TimeProvider time,
        ILogger<AlertMqttClient> logger)
    {
        _channels = channels;
        _metrics = metrics;
        _mqtt = mqtt.Value;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _topics = new Topics(ingest.Value.TopicRoot);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
    }

    public string ClientId => $"{_mqtt.ClientId}-alerts";

    /// <summary>
    /// Status topics; shared between replicas (<c>Mqtt:SharedGroup</c>) so one offline message raises one alert, not one per
    /// replica. Acknowledgements are not shared: every replica hears them and the one holding the alert acts.
    /// </summary>
    public string StatusSubscription => string.IsNullOrEmpty(_mqtt.SharedGroup)
        ? _topics.StatusFilter
        : $"$share/{_mqtt.SharedGroup}-alerts/{_topics.StatusFilter}";

    /// <summary>True once connected with the status and acknowledgement subscriptions in place.</summary>
    public bool IsReady => _ready && _client.IsConnected;

    private volatile bool _ready;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        var connection = KeepConnectedAsync(stoppingToken);
        await PublishAllAsync(stoppingToken);
        await connection;
    }

    private async Task KeepConnectedAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_mqtt.ReconnectInterval, _time);
        try
        {
            do
            {
                if (!_client.IsConnected)
                {
                    _ready = false;
                    await TryConnectAsync(stoppingToken);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task TryConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer(_mqtt.Host, _mqtt.Port)
                .WithClientId(ClientId)
                .WithCleanStart(false)
                .WithSessionExpiryInterval((uint)_mqtt.SessionExpiry.TotalSeconds)
                .WithKeepAlivePeriod(_mqtt.KeepAlive)
                .WithTimeout(TimeSpan.FromSeconds(10))
                .WithSecurity(_mqtt)
                .Build();
            var result = await _client.ConnectAsync(options, cancellationToken);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                LogConnectRefused(result.ResultCode.ToString(), result.ReasonString);
                return;
            }

            if (!result.IsSessionPresent)
            {
                var subscribe = new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter(f => f.WithTopic(StatusSubscription).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
                    .WithTopicFilter(f => f.WithTopic(_topics.AlertAcknowledge).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
                    .Build();
                var subscribed = await _client.SubscribeAsync(subscribe, cancellationToken);
                foreach (var item in subscribed.Items.Where(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2))
                {
                    LogSubscribeRefused(item.TopicFilter.Topic, item.ResultCode.ToString());
                }
            }

            _connectFailureLogged = false;
            _ready = true;
            LogConnected(ClientId, StatusSubscription, _topics.AlertAcknowledge);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or IOException or InvalidOperationException)
        {
            if (!_connectFailureLogged)
            {
                _connectFailureLogged = true;
                LogCannotConnect(_mqtt.Host, _mqtt.Port, ex.Message);
            }
        }
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        AlertInput? input = null;
        if (message.Topic == _topics.AlertAcknowledge)
        {
            try
            {
                var ack = JsonSerializer.Deserialize<AlertAcknowledgement>(message.Payload.ToArray(), AlertJson.Options);
                if (ack is not null && !string.IsNullOrEmpty(ack.AlertId) && !string.IsNullOrEmpty(ack.AcknowledgedBy))
                {
                    input = new AcknowledgeInput(ack);
                }
            }
            catch (JsonException)
            {
            }

            if (input is null)
            {
                LogBadAcknowledgement(message.Topic);
                return;
            }
        }
        else if (_topics.TryParse(message.Topic, out var topic) && topic.Kind == TopicKind.Status)
        {
            var text = Encoding.UTF8.GetString(message.Payload.ToArray()).Trim().Trim('"');
            bool? online = text.ToLowerInvariant() switch { "online" => true, "offline" => false, _ => null };
            if (online is null)
            {
                return; // an empty retained message clears a status; anything else is not ours to judge
            }

            input = new StatusInput(topic.Domain, topic.Site, topic.DeviceId, online.Value, _time.GetUtcNow());
        }

        if (input is null)
        {
            return;
        }

        try
        {
            await _channels.Input.Writer.WriteAsync(input, CancellationToken.None);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // Stopping: the evaluator takes no more input.
        }
    }

    private async Task PublishAllAsync(CancellationToken stoppingToken)
    {
        var reader = _channels.Mqtt.Reader;
        // Up to PublishWindow QoS 1 publishes in flight: one broker round trip per event in sequence caps a burst of
        // alerts at a few hundred per second on a busy broker. Publishes leave in the order they are started, so the
        // events of one alert (raised, acknowledged, cleared) reach the broker, and its subscribers, in order.
        var inFlight = new List<Task>(PublishWindow);
        // Not cancelled by stoppingToken: the evaluator completes the channel on stop, and what it holds is published.
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (reader.TryRead(out var message))
            {
                if (inFlight.Count == PublishWindow)
                {
                    inFlight.Remove(await Task.WhenAny(inFlight));
                }

                inFlight.Add(PublishOrLogAsync(message, stoppingToken));
            }

            inFlight.RemoveAll(t => t.IsCompleted);
        }

        await Task.WhenAll(inFlight);
    }

    private const int PublishWindow = 256;

    private async Task PublishOrLogAsync(OutgoingMqttMessage message, CancellationToken stoppingToken)
    {
        if (!await PublishAsync(message, stoppingToken))
        {
            LogNotPublished(message.Topic, message.AlertId);
        }
    }

    /// <summary>Publishes until the broker acknowledges; gives up only when stopping and the broker stays away.</summary>
    private async Task<bool> PublishAsync(OutgoingMqttMessage outgoing, CancellationToken stoppingToken)
    {
        var mqttMessage = new MqttApplicationMessageBuilder()
            .WithTopic(outgoing.Topic)
            .WithPayload(outgoing.Payload)
            .WithContentType("application/json")
            .WithRetainFlag(outgoing.Retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        DateTimeOffset? giveUpAt = null;
        while (true)
        {
            if (_client.IsConnected)
            {
                try
                {
                    var result = await _client.PublishAsync(mqttMessage, CancellationToken.None);
                    if (result.IsSuccess)
                    {
                        Published(outgoing);
                        return true;
                    }

                    LogPublishRefused(outgoing.Topic, result.ReasonCode.ToString());
                    return false;
                }
                catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
                {
                    // Connection lost mid-publish: the reconnect loop restores it, and the message is sent again.
                }
            }

            if (stoppingToken.IsCancellationRequested)
            {
                giveUpAt ??= _time.GetUtcNow() + StopGrace;
                if (_time.GetUtcNow() > giveUpAt)
                {
                    return false;
                }

                if (!_client.IsConnected)
                {
                    await TryConnectAsync(CancellationToken.None);
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, CancellationToken.None);
        }
    }

    private void Published(OutgoingMqttMessage outgoing)
    {
        var now = _time.GetUtcNow();
        if (outgoing.AlertId is null)
        {
            _metrics.AqiPublished();
            return;
        }

        _metrics.EventPublished(outgoing.State ?? "");
        if (outgoing.ReceivedAt is { } received)
        {
            var latency = now - received;
            _metrics.Latency(latency);
            LogAlertPublished(outgoing.AlertId, outgoing.State, outgoing.Topic, received, now, latency.TotalMilliseconds);
        }
        else
        {
            LogAlertPublishedNoReading(outgoing.AlertId, outgoing.State, outgoing.Topic, now);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
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

    [LoggerMessage(EventId = 720, Level = LogLevel.Information, Message = "Alert MQTT client connected as {ClientId}; subscribed to {StatusFilter} and {AckTopic}")]
    private partial void LogConnected(string clientId, string statusFilter, string ackTopic);

    [LoggerMessage(EventId = 721, Level = LogLevel.Warning, Message = "Alert MQTT client cannot reach {Host}:{Port} ({Error}); retrying")]
    private partial void LogCannotConnect(string host, int port, string error);

    [LoggerMessage(EventId = 722, Level = LogLevel.Error, Message = "Broker refused the alert MQTT client: {ResultCode} {Reason}")]
    private partial void LogConnectRefused(string resultCode, string? reason);

    [LoggerMessage(EventId = 723, Level = LogLevel.Error, Message = "Broker refused the alert client's subscription to {Filter}: {ResultCode}")]
    private partial void LogSubscribeRefused(string filter, string resultCode);

    [LoggerMessage(EventId = 724, Level = LogLevel.Warning, Message = "Ignored an acknowledgement on {Topic}: not a JSON AlertAcknowledgement with alertId and acknowledgedBy")]
    private partial void LogBadAcknowledgement(string topic);

    [LoggerMessage(EventId = 725, Level = LogLevel.Information,
        Message = "Alert {AlertId} {State} published on {Topic}: reading received {ReceivedAt:O}, published {PublishedAt:O}, latency {LatencyMs:F1} ms")]
    private partial void LogAlertPublished(string alertId, string? state, string topic, DateTimeOffset receivedAt, DateTimeOffset publishedAt, double latencyMs);

    [LoggerMessage(EventId = 726, Level = LogLevel.Information, Message = "Alert {AlertId} {State} published on {Topic} at {PublishedAt:O}")]
    private partial void LogAlertPublishedNoReading(string alertId, string? state, string topic, DateTimeOffset publishedAt);

    [LoggerMessage(EventId = 727, Level = LogLevel.Error, Message = "Broker refused the publish to {Topic}: {ReasonCode}")]
    private partial void LogPublishRefused(string topic, string reasonCode);

    [LoggerMessage(EventId = 728, Level = LogLevel.Warning, Message = "Stopping with the broker away: {Topic} (alert {AlertId}) not published; InfluxDB and the state file have it")]
    private partial void LogNotPublished(string topic, string? alertId);
}
