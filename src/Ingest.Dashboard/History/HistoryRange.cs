namespace Ingest.Dashboard.History;

/// <summary>
/// A time range for history and export, and the <c>GROUP BY time()</c> step that keeps a chart at or under
/// <see cref="MaxPoints"/> points: 1 h → 10 s (360 points), 24 h → 5 min (288), 30 days → 2 h (360).
/// </summary>
public sealed record HistoryRange(DateTimeOffset From, DateTimeOffset To)
{
    public const int MaxPoints = 500;

    public static readonly TimeSpan Longest = TimeSpan.FromDays(31);

    private static readonly TimeSpan[] Steps =
    [
        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2),
        TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromDays(1),
    ];

    /// <summary>Named ranges the pages offer.</summary>
    public static readonly IReadOnlyDictionary<string, TimeSpan> Named = new Dictionary<string, TimeSpan>(StringComparer.Ordinal)
    {
        ["1h"] = TimeSpan.FromHours(1), ["6h"] = TimeSpan.FromHours(6), ["24h"] = TimeSpan.FromHours(24),
        ["7d"] = TimeSpan.FromDays(7), ["30d"] = TimeSpan.FromDays(30),
    };

    public TimeSpan Length => To - From;

    /// <summary>The smallest step that gives at most <see cref="MaxPoints"/> buckets.</summary>
    public TimeSpan Step => Steps.FirstOrDefault(s => Length.Ticks / s.Ticks < MaxPoints, Steps[^1]);

    /// <summary>
    /// <paramref name="range"/> is a named range ending now, or <paramref name="from"/>/<paramref name="to"/> (ISO 8601)
    /// give it explicitly. Null with an error message when the request cannot be served.
    /// </summary>
    public static HistoryRange? Parse(string? range, DateTimeOffset? from, DateTimeOffset? to, DateTimeOffset now, out string? error)
    {
        error = null;
        if (from is { } f)
        {
            var end = to ?? now;
            if (end <= f || end - f > Longest)
            {
                error = $"from must be before to, and the range at most {Longest.TotalDays:0} days";
                return null;
            }

            return new HistoryRange(f, end);
        }

        if (!Named.TryGetValue(range ?? "24h", out var length))
        {
            error = $"range must be one of {string.Join(", ", Named.Keys)}";
            return null;
        }

        return new HistoryRange(now - length, now);
    }
}
