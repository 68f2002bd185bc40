using DeviceSim.Fleet;
using DeviceSim.Generators;
using Ingest.Contracts;

namespace DeviceSim.Tests.Generators;

/// <summary>Every generated value stays within what the instrument can physically report, over a day and over a year, for many devices.</summary>
public sealed class PhysicalRangeTests
{
    private static readonly Dictionary<string, (double Min, double Max)> Air = new()
    {
        [Fields.Pm25] = (0, 1000), [Fields.Pm10] = (0, 2000), [Fields.Co] = (0, 40_000), [Fields.No2] = (0, 1000),
        [Fields.So2] = (0, 1000), [Fields.O3] = (0, 800), [Fields.Temperature] = (-5, 45), [Fields.Humidity] = (0, 100),
        [Fields.Battery] = (3.3, 4.25), [Fields.Rssi] = (-120, -40),
    };

    private static readonly Dictionary<string, (double Min, double Max)> Water = new()
    {
        [Fields.Ph] = (4, 10), [Fields.DissolvedOxygen] = (0, 20), [Fields.Nh4] = (0, 80), [Fields.Cod] = (0, 1500),
        [Fields.Bod5] = (0, 1000), [Fields.Tss] = (0, 3000), [Fields.Turbidity] = (0, 3000), [Fields.Conductivity] = (0, 5000),
        [Fields.Temperature] = (5, 40), [Fields.Battery] = (11, 14.5), [Fields.Rssi] = (-120, -40),
    };

    private static readonly Dictionary<string, (double Min, double Max)> Meter = new()
    {
        [Fields.Voltage] = (0, 253), [Fields.Current] = (0, 200), [Fields.Power] = (-10, 60), [Fields.EnergyImport] = (0, 1e7),
        [Fields.EnergyExport] = (0, 1e7), [Fields.PowerFactor] = (0.7, 1), [Fields.Frequency] = (49.5, 50.5), [Fields.Rssi] = (-120, -40),
    };

    [Fact]
    public void Year_HourlyReadingsOf120Devices_StayWithinPhysicalRanges()
    {
        var devices = FleetBuilder.Build(new FleetPlan(Air: 40, Water: 30, Meters: 50));
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        foreach (var device in devices)
        {
            AssertInRange(device, Simulation.Run(GeneratorFactory.Create(device, seed: 3), start, TimeSpan.FromHours(1), 24 * 365));
        }
    }

    [Fact]
    public void Day_MinuteReadingsOfEveryKindAtEverySite_StayWithinPhysicalRanges()
    {
        var devices = FleetBuilder.Build(new FleetPlan(Air: 30, Water: 20, Meters: 40, Gateways: 2, ChildrenPerGateway: 50));

        foreach (var device in FleetBuilder.WithChildren(devices).Where(d => !d.IsGateway))
        {
            AssertInRange(device, Simulation.Run(GeneratorFactory.Create(device, seed: 11), Simulation.WinterDay, TimeSpan.FromMinutes(1), 24 * 60));
        }
    }

    private static void AssertInRange(DeviceSpec device, IEnumerable<TelemetryDocument> readings)
    {
        var ranges = device.Domain switch { Domains.Air => Air, Domains.Water => Water, _ => Meter };
        long expectedSeq = 1;
        double import = 0, export = 0;
        foreach (var reading in readings)
        {
            Assert.Equal(device.Id, reading.Id);
            Assert.Equal(expectedSeq++, reading.Sequence);
            foreach (var (field, value) in reading.Values)
            {
                Assert.True(ranges.TryGetValue(field, out var range), $"{device.Id}: unexpected field {field}");
                Assert.True(double.IsFinite(value) && value >= range.Min && value <= range.Max,
                    $"{device.Id} {field}={value} at {reading.Timestamp:O} outside [{range.Min}, {range.Max}]");
            }

            if (device.Domain == Domains.Air)
            {
                Assert.True(Simulation.Value(reading, Fields.Pm10) >= Simulation.Value(reading, Fields.Pm25), $"{device.Id}: pm10 < pm25");
            }
            else if (device.Domain == Domains.Water)
            {
                Assert.True(Simulation.Value(reading, Fields.Bod5) <= Simulation.Value(reading, Fields.Cod), $"{device.Id}: bod5 > cod");
            }
            else
            {
                // Energy registers only count up.
                Assert.True(Simulation.Value(reading, Fields.EnergyImport) >= import && Simulation.Value(reading, Fields.EnergyExport) >= export);
                import = Simulation.Value(reading, Fields.EnergyImport);
                export = Simulation.Value(reading, Fields.EnergyExport);
            }
        }
    }
}
