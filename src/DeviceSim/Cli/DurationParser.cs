using System.Globalization;

namespace DeviceSim.Cli;

/// <summary>
/// Reads durations as testers type them: <c>500ms</c>, <c>5s</c>, <c>10m</c>, <c>24h</c>, <c>2d</c>, combinations such
/// as <c>1h30m</c>, fractions (<c>1.5s</c>), or a .NET TimeSpan (<c>00:05:00</c>).
/// </summary>
public static class DurationParser
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
        }

        var total = 0.0;
        var i = 0;
        while (i < text.Length)
        {
            var startNumber = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (i == startNumber
                || !double.TryParse(text.AsSpan(startNumber, i - startNumber), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var startUnit = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            var unitMs = text[startUnit..i].ToLowerInvariant() switch
            {
                "ms" => 1.0,
                "s" => 1_000.0,
                "m" or "min" => 60_000.0,
                "h" => 3_600_000.0,
                "d" => 86_400_000.0,
                _ => double.NaN,
            };
            if (double.IsNaN(unitMs))
            {
                return false;
            }

            total += number * unitMs;
        }

        if (total > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(total);
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a duration (examples: 500ms, 5s, 10m, 24h, 1h30m)");

    public static string Format(TimeSpan value) => value switch
    {
        { TotalDays: >= 1 } when value.Ticks % TimeSpan.TicksPerDay == 0 => $"{value.TotalDays:0}d",
        { TotalHours: >= 1 } when value.Ticks % TimeSpan.TicksPerHour == 0 => $"{value.TotalHours:0}h",
        { TotalMinutes: >= 1 } when value.Ticks % TimeSpan.TicksPerMinute == 0 => $"{value.TotalMinutes:0}m",
        { TotalSeconds: >= 1 } when value.Ticks % TimeSpan.TicksPerSecond == 0 => $"{value.TotalSeconds:0}s",
        _ => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0.###}ms"),
    };
}
