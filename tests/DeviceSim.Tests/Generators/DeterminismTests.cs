using DeviceSim.Fleet;
using DeviceSim.Generators;

namespace DeviceSim.Tests.Generators;

public sealed class DeterminismTests
{
    private static List<string> Readings(int seed)
    {
        var devices = FleetBuilder.Build(new FleetPlan(Air: 5, Water: 5, Meters: 5, Gateways: 1, ChildrenPerGateway: 50));
        var result = new List<string>();
        foreach (var device in devices)
        {
            var gateway = device.IsGateway ? GeneratorFactory.CreateGateway(device, seed) : null;
            var single = device.IsGateway ? null : GeneratorFactory.Create(device, seed);
            for (var i = 0; i < 200; i++)
            {
                var at = Simulation.WinterDay + TimeSpan.FromMinutes(7 * i);
                var bytes = gateway is not null ? gateway.Next(at).ToUtf8Bytes() : single!.Next(at).ToUtf8Bytes();
                result.Add(System.Text.Encoding.UTF8.GetString(bytes));
            }
        }

        return result;
    }

    [Fact]
    public void SameSeed_SameFleetAndSchedule_GiveIdenticalReadings()
    {
        Assert.Equal(Readings(42), Readings(42));
    }

    [Fact]
    public void DifferentSeed_GivesDifferentReadings()
    {
        var a = Readings(42);
        var b = Readings(43);
        Assert.True(a.Zip(b).Count(p => p.First != p.Second) > a.Count * 9 / 10);
    }

    [Fact]
    public void SameSeed_WholeRunOfOneDevice_IsReproducedReadingByReading()
    {
        var device = Simulation.Fleet(0, 0, 1, "ninh-xa")[0];
        var first = Simulation.Run(GeneratorFactory.Create(device, 7), Simulation.SummerDay, TimeSpan.FromSeconds(30), 5_000).ToList();
        var second = Simulation.Run(GeneratorFactory.Create(device, 7), Simulation.SummerDay, TimeSpan.FromSeconds(30), 5_000).ToList();

        Assert.Equal(first.Select(d => d.ToUtf8Bytes()), second.Select(d => d.ToUtf8Bytes()));
    }

    [Fact]
    public void FleetPlacement_IsTheSameForTheSamePlan()
    {
        var a = RegistryWriter.ToCsv(FleetBuilder.Build(new FleetPlan(20, 10, 30, 2, 100)));
        var b = RegistryWriter.ToCsv(FleetBuilder.Build(new FleetPlan(20, 10, 30, 2, 100)));

        Assert.Equal(a, b);
    }
}
