using System.Buffers;
using Ingest.Contracts;
using Ingest.Mqtt;
using Ingest.Worker.Diagnostics;
using Ingest.Worker.Hosting;
using Ingest.Worker.Pipeline;
using Ingest.Worker.Validation;
using Ingest.Worker.Quarantine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.Worker.Sources.Mqtt;

/// <summary>
/// The MQTT source. Holds a persistent MQTT 5 session (fixed client id, clean start off, session expiry) subscribed at
/// QoS 1, hands each message to the decode stage (<see cref="IngestPipeline"/>) on its receive path (waiting while the
/// stages after it are full, which in turn holds back the broker), and
/// owns the acknowledgements: a message is acknowledged by <see cref="DeliveryTracker"/>, in arrival order, only once its
/// readings are stored or quarantined. Reconnects on its own (MQTTnet 5 has no managed client: a timer loop pings and
/// reconnects, as in MQTTnet's Client_Connection_Samples). On stop it drains what it holds before disconnecting.
/// </summary>
public sealed partial class MqttSource : BackgroundService, IMqttPublisher
{
    private readonly IngestPipeline _pipeline;
    private readonly DeliveryTracker _tracker;
    private readonly IngestMetrics _metrics;
    private readonly MqttSourceOptions _options;
    private readonly PipelineOptions _pipelineOptions;
    private readonly int _maxPayloadBytes;
    private readonly int _oversizedBytesKept;
    private readonly TimeProvider _time;
    private readonly ILogger<MqttSource> _logger;
    private readonly Topics _topics;
    private readonly BufferedAdapterFactory _adapters;
    private readonly IMqttClient _client;
    private readonly CancellationTokenSource _acknowledgements = new();
    private Task? _acknowledgementLoop;
    private volatile bool _stopping;
    private bool _connectFailureLogged;

    public MqttSource(
        IngestPipeline pipeline,
        DeliveryTracker tracker,
        IngestMetrics metrics,
        IOptions<MqttSourceOptions> options,
        IOptions<PipelineOptions> pipelineOptions,
        IOptions<ValidationOptions> validation,
        IOptions<QuarantineOptions> quarantine,
        IOptions<IngestOptions> ingest,
        TimeProvider time,
        ILogger<MqttSource> logger)
    {
        _pipeline = pipeline;
        _tracker = tracker;
        _metrics = metrics;
        _options = options.Value;
        _pipelineOptions = pipelineOptions.Value;
        _maxPayloadBytes = validation.Value.MaxPayloadBytes;
        _oversizedBytesKept = Math.Max(1, quarantine.Value.MaxPayloadBytesKept);
        _time = time;
        _logger = logger;
        _topics = new Topics(ingest.Value.TopicRoot);
        _adapters = new BufferedAdapterFactory(_options.ReceiveMaximum, _options.MaxUnacknowledgedBytes);
        _client = new MqttClientFactory().CreateMqttClient(_adapters);
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    /// <summary>True while the session with the broker is up.</summary>
    public bool IsConnected => _client.IsConnected;

    /// <summary>True once connected with the subscriptions in place (granted now, or kept by the broker's session).</summary>
    public bool IsReady => _ready && _client.IsConnected;

    private volatile bool _ready;

    /// <summary>The subscriptions, with the shared-group prefix when one is configured.</summary>
    public IReadOnlyList<string> Filters =>
    [
        .. new[] { _topics.TelemetryFilter, _topics.GatewayBatchFilter }
            .Select(f => string.IsNullOrEmpty(_options.SharedGroup) ? f : $"$share/{_options.SharedGroup}/{f}"),
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _acknowledgementLoop = _tracker.RunAcknowledgementsAsync(_acknowledgements.Token);
        using var timer = new PeriodicTimer(_options.ReconnectInterval, _time);
        do
        {
            if (!_client.IsConnected)
            {
                await TryConnectAsync(stoppingToken);
            }
        }
        while (await WaitTickAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
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
                .WithClientId(_options.ClientId)
                .WithCleanStart(false)
                .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
                .WithKeepAlivePeriod(_options.KeepAlive)
                .WithReceiveMaximum((ushort)_options.ReceiveMaximum)
                .WithTimeout(TimeSpan.FromSeconds(10));
            builder = builder.WithSecurity(_options);

            var options = builder.Build();
            if (options.ChannelOptions is MqttClientTcpOptions tcp)
            {
                tcp.BufferSize = _options.SocketBufferBytes;
            }

            var result = await _client.ConnectAsync(options, cancellationToken);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                LogConnectRefused(_options.Host, _options.Port, result.ResultCode.ToString(), result.ReasonString);
                return;
            }

            _connectFailureLogged = false;
            if (!result.IsSessionPresent)
            {
                var subscribe = new MqttClientSubscribeOptionsBuilder();
                foreach (var filter in Filters)
                {
                    subscribe = subscribe.WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
                }

                var subscribed = await _client.SubscribeAsync(subscribe.Build(), cancellationToken);
                foreach (var item in subscribed.Items)
                {
                    if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
                    {
                        LogSubscribeRefused(item.TopicFilter.Topic, item.ResultCode.ToString());
                    }
                }
            }

            _ready = true;
            LogConnected(_options.Host, _options.Port, _options.ClientId, result.IsSessionPresent, string.Join(", ", Filters));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        // InvalidOperationException: MQTTnet refuses a connect while a previous connect or disconnect is still pending.
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or IOException or InvalidOperationException)
        {
            if (!_connectFailureLogged)
            {
                _connectFailureLogged = true;
                LogCannotConnect(_options.Host, _options.Port, ex.Message);
            }
        }
    }

    private long _connectionGeneration;

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        // Failed attempts raise this too, with ClientWasConnected=false; only a lost session is a state change.
        _ready = false;
        if (e.ClientWasConnected)
        {
            // Messages of the lost connection must not be acknowledged on the next one: packet ids are per connection,
            // so a late PUBACK could acknowledge a different message the broker resends. The broker redelivers them.
            Interlocked.Increment(ref _connectionGeneration);
        }

        if (e.ClientWasConnected && !_stopping)
        {
            _connectFailureLogged = false;
            LogDisconnected(e.Reason.ToString(), e.Exception?.Message);
        }

        return Task.CompletedTask;
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        e.AutoAcknowledge = false;
        if (_stopping)
        {
            // Not taken: left un-acknowledged, so the broker keeps it for the next session.
            return;
        }

        _metrics.MessageReceived();
        var message = e.ApplicationMessage;
        // QoS 1 over the buffered channel (the usual case): only the packet id is kept until the acknowledgement.
        Delivery delivery = message.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtLeastOnce && _adapters.Channel is { } channel
            ? _tracker.Track(new PacketAcknowledgement(this, channel, e.PacketIdentifier))
            : _tracker.Track(new Acknowledgement(this, e));
        var raw = new RawMessage(message.Topic, PayloadOf(message.Payload), message.ContentType, _time.GetUtcNow(), delivery)
        {
            PayloadLength = (int)message.Payload.Length,
        };
        // False when stopping: the message stays un-acknowledged and comes back with the next session.
        await _pipeline.ProcessAsync(raw);
    }

    /// <summary>
    /// The payload as the stages keep it. MQTTnet (5.2) gives every received message a payload array of its own, never
    /// reused (its decoder copies the payload out of the packet body into a new array), so the stages share that array
    /// rather than copy it; the receive test in the worker's tests holds payloads across later messages to keep that
    /// checked. A payload over the size limit is refused unread and quarantine keeps only its start.
    /// </summary>
    private ReadOnlyMemory<byte> PayloadOf(ReadOnlySequence<byte> payload)
    {
        var kept = payload.Length > _maxPayloadBytes ? (int)Math.Min(payload.Length, _oversizedBytesKept) : (int)payload.Length;
        return payload.IsSingleSegment ? payload.First[..kept] : payload.Slice(0, kept).ToArray();
    }

    /// <summary>
    /// A message's acknowledgement, sent only while the connection that carried it is up — packet ids are per connection,
    /// so a late PUBACK could acknowledge a different message the broker resends; it redelivers this one.
    /// </summary>
    private abstract class ConnectionAcknowledgement(MqttSource source) : Delivery
    {
        private readonly long _generation = Volatile.Read(ref source._connectionGeneration);

        protected bool ConnectionLost => _generation != Volatile.Read(ref source._connectionGeneration);
    }

    /// <summary>Through MQTTnet, which keeps the received message until then (QoS 0 and 2, WebSocket).</summary>
    private sealed class Acknowledgement(MqttSource source, MqttApplicationMessageReceivedEventArgs received) : ConnectionAcknowledgement(source)
    {
        protected internal override Task AcknowledgeAsync(CancellationToken cancellationToken) =>
            ConnectionLost ? Task.CompletedTask : received.AcknowledgeAsync(cancellationToken);
    }

    /// <summary>
    /// A QoS 1 message's acknowledgement by packet id, written on the channel that carried it (see
    /// <see cref="BufferedChannel.Acknowledge"/>): MQTTnet's event arguments, application message, packet and delegate are
    /// left to the collector at once, where <see cref="Acknowledgement"/> keeps them until the reading is stored (about
    /// 400 bytes a message; measured, 36–40 MiB of the worker's peak in overload).
    /// </summary>
    private sealed class PacketAcknowledgement(MqttSource source, BufferedChannel channel, ushort packetId) : ConnectionAcknowledgement(source)
    {
        protected internal override Task AcknowledgeAsync(CancellationToken cancellationToken)
        {
            if (!ConnectionLost)
            {
                channel.Acknowledge(packetId);
            }

            return Task.CompletedTask;
        }
    }

    public async Task<bool> TryPublishAsync(string topic, ReadOnlyMemory<byte> payload, string contentType, bool atLeastOnce, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            return false;
        }

        try
        {
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(new System.Buffers.ReadOnlySequence<byte>(payload))
                .WithContentType(contentType)
                .WithQualityOfServiceLevel(atLeastOnce ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce)
                .Build();
            var result = await _client.PublishAsync(message, cancellationToken);
            return result.IsSuccess;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
            return false;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        await _pipeline.CompleteAsync(cancellationToken);
        await base.StopAsync(cancellationToken);

        // Give the stages time to store what they hold, so it is acknowledged now rather than redelivered later.
        var deadline = _time.GetUtcNow() + _pipelineOptions.DrainTimeout;
        while (_tracker.PendingCount > 0 && _time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, CancellationToken.None);
        }

        await _acknowledgements.CancelAsync();
        if (_acknowledgementLoop is not null)
        {
            await _acknowledgementLoop;
        }

        if (_client.IsConnected)
        {
            await _tracker.FlushAcknowledgementsAsync(CancellationToken.None);
            // A normal disconnect keeps the session (expiry > 0), so anything still held is redelivered next time.
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), CancellationToken.None);
        }

        LogStopped(_tracker.PendingCount);
    }

    public override void Dispose()
    {
        _client.Dispose();
        _acknowledgements.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information,
        Message = "Connected to MQTT broker {Host}:{Port} as {ClientId} (session present: {SessionPresent}); subscribed to {Filters}")]
    private partial void LogConnected(string host, int port, string clientId, bool sessionPresent, string filters);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Cannot reach MQTT broker {Host}:{Port} ({Error}); retrying")]
    private partial void LogCannotConnect(string host, int port, string error);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "MQTT broker {Host}:{Port} refused the connection: {ResultCode} {Reason}")]
    private partial void LogConnectRefused(string host, int port, string resultCode, string? reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Disconnected from MQTT broker ({Reason}: {Error}); reconnecting")]
    private partial void LogDisconnected(string reason, string? error);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Broker refused the subscription to {Filter}: {ResultCode}")]
    private partial void LogSubscribeRefused(string filter, string resultCode);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "MQTT source stopped; {Pending} message(s) left un-acknowledged for redelivery")]
    private partial void LogStopped(int pending);
}
