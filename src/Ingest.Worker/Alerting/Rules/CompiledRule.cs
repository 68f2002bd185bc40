using Ingest.Contracts;

namespace Ingest.Worker.Alerting.Rules;

/// <summary>
/// A validated rule for one device, with every default filled in. Immutable; shared by every device it applies to.
/// Durations are compared with device time (reading timestamps), so a backlog is judged as it happened.
/// </summary>
public sealed record CompiledRule
{
    public required string Id { get; init; }

    public required RuleKind Kind { get; init; }

    public required AlertSeverity Severity { get; init; }

    public string? Field { get; init; }

    public double? Above { get; init; }

    public double? Below { get; init; }

    /// <summary>Limits that change on a date (a standard tightening), newest first.</summary>
    public IReadOnlyList<DatedLimit> Limits
    {
        get => _limitsNewestFirst;
        // Of two limits from the same date, the one written later is in force, as it always was.
        init => _limitsNewestFirst = [.. value.Select((limit, i) => (limit, i)).OrderByDescending(p => p.limit.From).ThenByDescending(p => p.i).Select(p => p.limit)];
    }

    private readonly DatedLimit[] _limitsNewestFirst = [];

    public double Hysteresis { get; init; }

    public TimeSpan RaiseAfter { get; init; }

    public TimeSpan ClearAfter { get; init; }

    public TimeSpan Window { get; init; }

    public double MinCoverage { get; init; } = 0.75;

    public double Nominal { get; init; }

    public double TolerancePercent { get; init; }

    public double Tolerance { get; init; }

    public double OutageVoltage { get; init; }

    public double PowerTolerance { get; init; }

    public double MaxRatePerMinute { get; init; }

    public TimeSpan MinInterval { get; init; }

    public int FromBand { get; init; } = 3;

    public int CriticalFromBand { get; init; } = 5;

    public string? Standard { get; init; }

    public string? Title { get; init; }

    public string? TitleVi { get; init; }

    /// <summary>The upper limit on a local date: the latest dated limit in force, else <see cref="Above"/>.</summary>
    public double? AboveOn(DateOnly localDate)
    {
        // An array walked by index: this runs for every reading of every dated rule.
        foreach (var limit in _limitsNewestFirst)
        {
            if (limit.From <= localDate)
            {
                return limit.Value;
            }
        }

        return Above;
    }
}
