using Ingest.Worker.Alerting.Engine;

namespace Ingest.Worker.Tests.Alerting;

/// <summary>
/// The rolling window against the plainest reading of its contract: every reading kept with its slot, the window being
/// the 48 slots ending at the newest, a reading older than that ignored, the mean given once the data spans enough slots.
/// </summary>
public sealed class RollingWindowTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomReadings_InOrderLateAndAfterGaps_SameMeanAsEveryReadingKept(int seed)
    {
        var window = TimeSpan.FromHours(1);
        var slotTicks = window.Ticks / RollingWindow.Slots;
        var rolling = new RollingWindow(window);
        var kept = new List<(long Slot, double Value)>();
        var random = new Random(seed);
        var clock = Start;
        for (var i = 0; i < 20_000; i++)
        {
            // Mostly a reading a few seconds after the last; now and then a late one, or a silence longer than the window.
            var at = random.Next(100) switch
            {
                < 80 => clock = clock.AddSeconds(random.Next(0, 30)),
                < 95 => clock.AddMinutes(-random.Next(0, 90)),
                < 98 => clock = clock.AddMinutes(random.Next(5, 30)),
                _ => clock = clock.AddMinutes(random.Next(60, 200)),
            };
            var value = Math.Round(random.NextDouble() * 200, 1);

            rolling.Add(at, value);
            var slot = at.UtcTicks / slotTicks;
            var newest = kept.Count == 0 ? long.MinValue : kept.Max(k => k.Slot);
            if (kept.Count == 0 || slot > newest - RollingWindow.Slots)
            {
                kept.Add((slot, value));
                newest = Math.Max(newest, slot);
                kept.RemoveAll(k => k.Slot <= newest - RollingWindow.Slots);
            }

            foreach (var coverage in new[] { 0.0, 0.75, 1.0 })
            {
                var span = newest - kept.Min(k => k.Slot) + 1;
                double? expected = span < Math.Ceiling(coverage * RollingWindow.Slots) ? null : kept.Average(k => k.Value);
                var actual = rolling.Mean(coverage);
                Assert.True(
                    expected is null ? actual is null : actual is { } a && Math.Abs(a - expected.Value) < 1e-9,
                    $"reading {i} at {at:O}, coverage {coverage}: expected {expected}, got {actual}");
            }
        }
    }
}
