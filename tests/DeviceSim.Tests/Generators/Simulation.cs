using DeviceSim.Fleet;
using DeviceSim.Generators;
using Ingest.Contracts;

namespace DeviceSim.Tests.Generators;

/// <summary>Runs generators over simulated time (no clock, no broker) and collects their readings.</summary>
internal static class Simulation
{
    /// <summary>A weekday in each season (Vietnam time is UTC+7: 00:00 local = 17:00 UTC the day before).</summary>
    public static readonly DateTimeOffset WinterDay = new(2026, 1, 13, 17, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset SummerDay = new(2026, 7, 14, 17, 0, 0, TimeSpan.Zero);

    public static IEnumerable<TelemetryDocument> Run(IDeviceGenerator generator, DateTimeOffset start, TimeSpan step, int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return generator.Next(start + (step * i));
        }
    }

    public static IReadOnlyList<DeviceSpec> Fleet(int air, int water, int meters, params string[] sites) =>
        FleetBuilder.Build(new FleetPlan(air, water, meters, Sites: sites));

    public static double Value(TelemetryDocument document, string field) =>
        document.Values.First(v => v.Key == field).Value;

    /// <summary>Mean of <paramref name="field"/> over readings whose local hour is within ±0.5 h of <paramref name="hour"/>.</summary>
    public static double MeanAtHour(IEnumerable<TelemetryDocument> readings, string field, double hour) =>
        readings.Where(r => Math.Abs(Signals.LocalHour(r.Timestamp!.Value) - hour) <= 0.5).Average(r => Value(r, field));
}
