using System.Text;
using DeviceSim.Reporting;
using MQTTnet;
using MQTTnet.Protocol;

namespace DeviceSim.Publishing;

/// <summary>
/// One MQTT connection of the simulator. When it belongs to one device it carries that device's will (<c>offline</c>,
/// retained, on its status topic) and publishes <c>online</c> (retained) once connected. Tracks whether a loss of the
/// connection was wanted (a disconnect storm, the end of the run) or not, for the statistics.
/// </summary>
public sealed class SimConnection : IDisposable
{
    public static readonly byte[] Online = Encoding.UTF8.GetBytes("online");
    public static readonly byte[] Offline = Encoding.UTF8.GetBytes("offline");

    private readonly IMqttClient _client;
    private readonly MqttClientOptions _options;
    private readonly RunStats _stats;
    private readonly string? _statusTopic;
    private int _connecting;
    private volatile bool _cutOnPurpose;
    private volatile bool _closing;

    public SimConnection(MqttClientFactory factory, BrokerSettings broker, string clientId, string? statusTopic, DeviceCredentials? credentials, RunStats stats)
    {
        _stats = stats;
        _statusTopic = statusTopic;
        _client = factory.CreateMqttClient();
        var builder = broker.ClientOptions(clientId);
        var user = credentials?.Username ?? broker.Username;
        if (user is not null)
        {
            builder = builder.WithCredentials(user, credentials?.Password ?? broker.Password ?? "");
        }

        if (statusTopic is not null)
        {
            builder = builder.WithWillTopic(statusTopic).WithWillPayload(Offline).WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        }

        _options = builder.Build();
        _client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected)
            {
                _stats.OnConnectionLost(_closing ? LossReason.Closed : _cutOnPurpose ? LossReason.Cut : LossReason.Lost);
            }

            return Task.CompletedTask;
        };
    }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Not before this time will the pool reconnect it (after a failure or a storm).</summary>
    public DateTimeOffset HeldUntil { get; set; }

    /// <summary>False once the run is closing: nobody reconnects it any more.</summary>
    public bool Wanted { get; set; } = true;

    /// <summary>Connects and announces <c>online</c>; false (and counted) when the broker refuses or cannot be reached.</summary>
    public async Task<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _connecting, 1) == 1)
        {
            return false;
        }

        try
        {
            if (_client.IsConnected)
            {
                return true;
            }

            _cutOnPurpose = false;
            var result = await _client.ConnectAsync(_options, cancellationToken);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                _stats.OnConnectFailed();
                return false;
            }

            _stats.OnConnected();
            if (_statusTopic is not null)
            {
                await PublishAsync(new OutgoingMessage(_statusTopic, Online, Retain: true), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
            }

            return true;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            _stats.OnConnectFailed();
            return false;
        }
        finally
        {
            Volatile.Write(ref _connecting, 0);
        }
    }

    /// <summary>Publishes; true when the broker accepted it (a PUBACK with a success code, or sent at QoS 0).</summary>
    public async Task<bool> PublishAsync(OutgoingMessage message, MqttQualityOfServiceLevel qos, CancellationToken cancellationToken)
    {
        var application = new MqttApplicationMessageBuilder()
            .WithTopic(message.Topic)
            .WithPayload(message.Payload)
            .WithQualityOfServiceLevel(qos)
            .WithRetainFlag(message.Retain)
            .Build();
        var result = await _client.PublishAsync(application, cancellationToken);

        // MQTT 5 reason codes below 0x80 are successes (0x10 "no matching subscribers" included).
        return (int)result.ReasonCode < 0x80;
    }

    /// <summary>Cuts the connection the way a crashing device would: the broker publishes the will.</summary>
    public async Task CutAsync(CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            return;
        }

        _cutOnPurpose = true;
        try
        {
            await _client.DisconnectAsync(
                new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build(),
                cancellationToken);
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
            // Already gone: the broker sends the will either way.
        }
    }

    /// <summary>Says <c>offline</c> (retained) and disconnects cleanly, as a device that is switched off properly.</summary>
    public async Task CloseAsync(bool announceOffline, CancellationToken cancellationToken)
    {
        Wanted = false;
        if (!_client.IsConnected)
        {
            return;
        }

        _closing = true;
        try
        {
            if (announceOffline && _statusTopic is not null)
            {
                await PublishAsync(new OutgoingMessage(_statusTopic, Offline, Retain: true), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
            }

            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
            // Closing anyway.
        }
    }

    public void Dispose() => _client.Dispose();
}
