using System.Text.Json.Serialization;

namespace Ingest.Worker.Alerting.Rules;

/// <summary>A limit that takes effect on a local date (QCVN 05:2023 Table 1 changes PM2.5 24 h from 50 to 45 on 01/01/2026).</summary>
public sealed record DatedLimit
{
    public DateOnly From { get; init; } = DateOnly.MinValue;

    public double Value { get; init; }
}

/// <summary>Limits of one column (A/B) or level (A–D) of a water standard.</summary>
public sealed record ColumnLimits
{
    public double? Above { get; init; }

    public double? Below { get; init; }
}

/// <summary>
/// One rule as written in the rules file. Every property is optional so that an override (per kind, site or device) names
/// only what it changes; <see cref="Overlay"/> lays an override over the rule of the same id. Units are the stored units of
/// the field (DESIGN.md §3); durations are <c>[d.]hh:mm:ss</c>. A misspelt property is an error, not ignored.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RuleSpec
{
    public string? Id { get; init; }

    public string? Kind { get; init; }

    public bool? Enabled { get; init; }

    /// <summary><c>info</c>, <c>warning</c> or <c>critical</c>.</summary>
    public string? Severity { get; init; }

    public string? Field { get; init; }

    /// <summary>Breached when the value (or window mean) is above this…</summary>
    public double? Above { get; init; }

    /// <summary>…or below this.</summary>
    public double? Below { get; init; }

    /// <summary>Dated values of <see cref="Above"/>; the latest whose <c>from</c> is on or before the reading's local date applies.</summary>
    public IReadOnlyList<DatedLimit>? Limits { get; init; }

    /// <summary>An open alert clears only once the value is this far back inside the limit.</summary>
    public double? Hysteresis { get; init; }

    /// <summary>The condition must hold this long (device time) before the alert is raised.</summary>
    public TimeSpan? RaiseAfter { get; init; }

    /// <summary>The condition must be gone this long (device time) before the alert is cleared.</summary>
    public TimeSpan? ClearAfter { get; init; }

    /// <summary>Rolling-average window, flat-line duration, or offline silence.</summary>
    public TimeSpan? Window { get; init; }

    /// <summary>Rolling average: share of the window the data must span before the mean is judged (0–1; default 0.75).</summary>
    public double? MinCoverage { get; init; }

    /// <summary>Water: the column (QCVN 40:2011 A/B) or level (QCVN 08:2023 A–D) that applies, and the table of them.</summary>
    public string? Column { get; init; }

    public IReadOnlyDictionary<string, ColumnLimits>? Columns { get; init; }

    /// <summary>Meter: nominal voltage (V) or frequency (Hz).</summary>
    public double? Nominal { get; init; }

    /// <summary>Meter voltage: allowed deviation in percent of nominal.</summary>
    public double? TolerancePercent { get; init; }

    /// <summary>Meter frequency: allowed deviation (Hz); energy rules: ignored change (kWh); flat line: change that counts as none.</summary>
    public double? Tolerance { get; init; }

    /// <summary>Meter outage: a voltage at or below this is no supply.</summary>
    public double? OutageVoltage { get; init; }

    /// <summary>Meter export: negative active power (kW) beyond this is export too.</summary>
    public double? PowerTolerance { get; init; }

    /// <summary>Rate of change: largest physical change per minute, in the field's unit.</summary>
    public double? MaxRatePerMinute { get; init; }

    /// <summary>
    /// Rate of change: readings closer in time than this to the last one used are not compared (a rate over a few
    /// milliseconds, as when two sources publish for one device, is noise, not physics); default 1 s.
    /// </summary>
    public TimeSpan? MinInterval { get; init; }

    /// <summary>AQI: raise when the hourly band reaches this level (1 Tốt … 6 Nguy hại), and clear below it.</summary>
    public int? FromBand { get; init; }

    /// <summary>AQI: from this band on the alert is critical.</summary>
    public int? CriticalFromBand { get; init; }

    public string? Standard { get; init; }

    public string? Title { get; init; }

    public string? TitleVi { get; init; }

    /// <summary>This rule with every property <paramref name="over"/> sets replaced.</summary>
    public RuleSpec Overlay(RuleSpec over) => new()
    {
        Id = Id,
        Kind = over.Kind ?? Kind,
        Enabled = over.Enabled ?? Enabled,
        Severity = over.Severity ?? Severity,
        Field = over.Field ?? Field,
        Above = over.Above ?? Above,
        Below = over.Below ?? Below,
        Limits = over.Limits ?? (over.Above is null ? Limits : null),
        Hysteresis = over.Hysteresis ?? Hysteresis,
        RaiseAfter = over.RaiseAfter ?? RaiseAfter,
        ClearAfter = over.ClearAfter ?? ClearAfter,
        Window = over.Window ?? Window,
        MinCoverage = over.MinCoverage ?? MinCoverage,
        Column = over.Column ?? Column,
        Columns = over.Columns ?? Columns,
        Nominal = over.Nominal ?? Nominal,
        TolerancePercent = over.TolerancePercent ?? TolerancePercent,
        Tolerance = over.Tolerance ?? Tolerance,
        OutageVoltage = over.OutageVoltage ?? OutageVoltage,
        PowerTolerance = over.PowerTolerance ?? PowerTolerance,
        MaxRatePerMinute = over.MaxRatePerMinute ?? MaxRatePerMinute,
        MinInterval = over.MinInterval ?? MinInterval,
        FromBand = over.FromBand ?? FromBand,
        CriticalFromBand = over.CriticalFromBand ?? CriticalFromBand,
        Standard = over.Standard ?? Standard,
        Title = over.Title ?? Title,
        TitleVi = over.TitleVi ?? TitleVi,
    };
}

/// <summary>
/// The rules file: defaults per domain, then overrides per device kind (registry), per site and per device, applied in
/// that order. An override with the id of an inherited rule changes only the properties it names (<c>"enabled": false</c>
/// switches the rule off); one with a new id adds a rule.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AlertRulesDocument
{
    public IReadOnlyDictionary<string, IReadOnlyList<RuleSpec>> Domains { get; init; } = new Dictionary<string, IReadOnlyList<RuleSpec>>();

    public IReadOnlyDictionary<string, IReadOnlyList<RuleSpec>> Kinds { get; init; } = new Dictionary<string, IReadOnlyList<RuleSpec>>();

    public IReadOnlyDictionary<string, IReadOnlyList<RuleSpec>> Sites { get; init; } = new Dictionary<string, IReadOnlyList<RuleSpec>>();

    public IReadOnlyDictionary<string, IReadOnlyList<RuleSpec>> Devices { get; init; } = new Dictionary<string, IReadOnlyList<RuleSpec>>();
}
