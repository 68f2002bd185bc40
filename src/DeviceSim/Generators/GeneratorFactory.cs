using DeviceSim.Fleet;
using Ingest.Contracts;

namespace DeviceSim.Generators;

/// <summary>Creates each device's generator with its own random source, derived from the run seed and the device id.</summary>
public static class GeneratorFactory
{
    public static IDeviceGenerator Create(DeviceSpec device, int seed)
    {
        var random = new Random(StableHash.Seed(seed, device.Id));
        return device.Domain switch
        {
            Domains.Air => new AirGenerator(device, random),
            Domains.Water => new WaterGenerator(device, random),
            Domains.Meter => new MeterGenerator(device, random),
            _ => throw new ArgumentException($"no generator for domain '{device.Domain}' ({device.Id})", nameof(device)),
        };
    }

    public static GatewayGenerator CreateGateway(DeviceSpec gateway, int seed) =>
        new(gateway, gateway.Children.Select(c => Create(c, seed)).ToArray());
}
