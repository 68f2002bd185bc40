using MQTTnet;
using MQTTnet.Protocol;

namespace DeviceSim.Publishing;

/// <summary>Where and how the simulator connects. <see cref="Window"/> bounds the QoS 1 publishes awaiting PUBACK.</summary>
public sealed record BrokerSettings(
    string Host,
    int Port,
    string TopicRoot = Ingest.Contracts.Topics.DefaultRoot,
    MqttQualityOfServiceLevel Qos = MqttQualityOfServiceLevel.AtLeastOnce,
    int Window = 1000,
    string? Username = null,
    string? Password = null,
    IReadOnlyDictionary<string, DeviceCredentials>? Credentials = null,
    int ConnectConcurrency = 64)
{
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    /// <summary>A clean-start client of this broker as <paramref name="clientId"/>; credentials and will are the caller's.</summary>
    public MqttClientOptionsBuilder ClientOptions(string clientId) => new MqttClientOptionsBuilder()
        .WithTcpServer(Host, Port)
        .WithClientId(clientId)
        .WithCleanStart(true)
        .WithKeepAlivePeriod(KeepAlive)
        .WithTimeout(ConnectTimeout);
}
