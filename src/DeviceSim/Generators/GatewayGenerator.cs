using DeviceSim.Fleet;
using Ingest.Contracts;

namespace DeviceSim.Generators;

/// <summary>
/// An industrial-zone gateway: at each publish it collects one reading from every child (sub-meters and fence air
/// sensors) and forwards them as one <see cref="GatewayBatch"/>. Each child keeps its own sequence numbers.
/// </summary>
public sealed class GatewayGenerator(DeviceSpec gateway, IReadOnlyList<IDeviceGenerator> children)
{
    public DeviceSpec Device { get; } = gateway;

    public IReadOnlyList<IDeviceGenerator> Children { get; } = children;

    public GatewayBatch Next(DateTimeOffset at)
    {
        var readings = new TelemetryDocument[Children.Count];
        for (var i = 0; i < readings.Length; i++)
        {
            readings[i] = Children[i].Next(at);
        }

        return new GatewayBatch(Device.Id, readings);
    }
}
