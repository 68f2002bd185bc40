using System.Threading.Channels;
using Ingest.Worker.Alerting.Engine;
using InfluxDB.Client.Writes;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Alerting;

/// <summary>A message for the broker: an alert event (QoS 1) or a station's AQI (QoS 1, retained).</summary>
public sealed record OutgoingMqttMessage(string Topic, byte[] Payload, bool Retain, string? AlertId, string? State, DateTimeOffset? ReceivedAt);

/// <summary>
/// The bounded channels of the alerting stage, all in Wait mode (nothing is dropped): decode stage → evaluator, evaluator →
/// MQTT publisher, evaluator → InfluxDB writer.
/// </summary>
public sealed class AlertChannels(IOptions<AlertingOptions> options)
{
    public Channel<AlertInput> Input { get; } = Channel.CreateBounded<AlertInput>(new BoundedChannelOptions(options.Value.InputCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    public Channel<OutgoingMqttMessage> Mqtt { get; } = Channel.CreateBounded<OutgoingMqttMessage>(new BoundedChannelOptions(options.Value.OutputCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
        SingleWriter = true,
    });

    public Channel<PointData> Store { get; } = Channel.CreateBounded<PointData>(new BoundedChannelOptions(options.Value.OutputCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
        SingleWriter = true,
    });
}
