using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Ingest.Contracts;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.Dashboard.Tests.Infrastructure;

/// <summary>Plays the worker and the devices on the test broker: alert events, AQI, status and telemetry; records what it receives.</summary>
public sealed class TestMqtt : IAsyncDisposable
{
    private readonly IMqttClient _client;

    private TestMqtt(IMqttClient client) => _client = client;

    public Topics Topics { get; } = new();

    public ConcurrentQueue<(string Topic, string Payload)> Received { get; } = new();

    public static async Task<TestMqtt> ConnectAsync(Servers servers)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var mqtt = new TestMqtt(client);
        client.ApplicationMessageReceivedAsync += e =>
        {
            mqtt.Received.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString()));
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer(servers.Mqtt.Host, servers.Mqtt.Port)
            .WithClientId("dash-test-" + Guid.NewGuid().ToString("N")[..12]).WithCleanStart(true).Build();
        var result = await client.ConnectAsync(options, TestContext.Current.CancellationToken);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return mqtt;
    }

    public Task SubscribeAsync(string filter) =>
        _client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce, TestContext.Current.CancellationToken);

    public Task PublishAsync(string topic, byte[] payload, bool retain = false) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build(), TestContext.Current.CancellationToken);

    /// <summary>What the worker's alert engine publishes.</summary>
    public Task PublishAlertAsync(AlertEvent alert) =>
        PublishAsync(Topics.Alert(alert.Domain, alert.Site, alert.DeviceId), JsonSerializer.SerializeToUtf8Bytes(alert, AlertJson.Options));

    public Task PublishAqiAsync(AqiUpdate update) =>
        PublishAsync(Topics.Aqi(update.Site, update.DeviceId), JsonSerializer.SerializeToUtf8Bytes(update, AlertJson.Options), retain: true);

    public Task PublishStatusAsync(string domain, string site, string device, bool online) =>
        PublishAsync(Topics.Status(domain, site, device), Encoding.UTF8.GetBytes(online ? "online" : "offline"), retain: true);

    public Task PublishTelemetryAsync(string domain, string site, string device, DateTimeOffset at, IReadOnlyList<KeyValuePair<string, double>> values, IReadOnlyList<string>? flags = null) =>
        PublishAsync(Topics.Telemetry(domain, site, device), new TelemetryDocument(device, at, null, values, flags).ToUtf8Bytes());

    /// <summary>An over-limit PM2.5 alert as the worker raises it.</summary>
    public static AlertEvent AirAlert(string device, string site, DateTimeOffset at, double value = 182.4, AlertSeverity severity = AlertSeverity.Critical) => new()
    {
        AlertId = "al-" + Guid.NewGuid().ToString("N")[..16],
        State = AlertState.Raised,
        Severity = severity,
        RuleId = "air.pm25.1h",
        RuleKind = "threshold",
        Domain = Domains.Air,
        Site = site,
        DeviceId = device,
        Field = Fields.Pm25,
        Value = value,
        Limit = 45,
        Unit = "µg/m³",
        Standard = "QCVN 05:2023/BTNMT",
        // As the worker writes them (AlertMessages): a decimal point in English, a decimal comma in Vietnamese.
        Message = $"PM2.5 {value.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} µg/m³ above the limit 45",
        MessageVi = $"PM2.5 {value.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture).Replace('.', ',')} µg/m³ vượt giới hạn 45",
        RaisedAt = at,
        EventAt = at,
    };

    public static AlertEvent MeterAlert(string device, string site, DateTimeOffset at) => new()
    {
        AlertId = "al-" + Guid.NewGuid().ToString("N")[..16],
        State = AlertState.Raised,
        Severity = AlertSeverity.Warning,
        RuleId = "meter.voltage.band",
        RuleKind = "meter",
        Domain = Domains.Meter,
        Site = site,
        DeviceId = device,
        Field = Fields.Voltage,
        Value = 198.5,
        Limit = 209,
        Unit = "V",
        Standard = "TT 39/2015/TT-BCT",
        Message = "Voltage 198.5 V is below 209 V",
        MessageVi = "Điện áp 198,5 V thấp hơn 209 V",
        RaisedAt = at,
        EventAt = at,
    };

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
