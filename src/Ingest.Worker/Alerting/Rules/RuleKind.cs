namespace Ingest.Worker.Alerting.Rules;

/// <summary>What a rule watches. The file names each kind in kebab case (<see cref="RuleKinds"/>).</summary>
public enum RuleKind
{
    /// <summary>A field above and/or below a limit, with hysteresis and minimum durations.</summary>
    Threshold,

    /// <summary>A field's rolling mean over a window against a (dated) limit: QCVN 05:2023/BTNMT Table 1.</summary>
    RollingAverage,

    /// <summary>A station's hourly VN_AQI band (Decision 1459/QĐ-TCMT) reaching a configured band.</summary>
    AqiBand,

    /// <summary>A water field against a column/level of QCVN 08:2023/BTNMT or QCVN 40:2011/BTNMT.</summary>
    WaterLimit,

    /// <summary>Supply voltage outside ±n % of nominal (Circular 39/2015/TT-BCT Art. 5).</summary>
    MeterVoltage,

    /// <summary>No supply: voltage ≈ 0 or the <c>outage</c> flag; raised on the first reading that shows it.</summary>
    MeterOutage,

    /// <summary>The meter's <c>tamper</c> flag.</summary>
    MeterTamper,

    /// <summary>Frequency outside nominal ± tolerance (Circular 39/2015/TT-BCT Art. 4: 50 ± 0.2 Hz).</summary>
    MeterFrequency,

    /// <summary>Energy exported where none is expected (a rising export register or negative active power).</summary>
    MeterExport,

    /// <summary>A cumulative energy register going backwards.</summary>
    MeterEnergyBackwards,

    /// <summary>A change per minute beyond what the quantity can physically do.</summary>
    RateOfChange,

    /// <summary>A stuck sensor: the value has not changed for a window.</summary>
    FlatLine,

    /// <summary>The device's status (will) message says offline, or nothing was heard for longer than its window.</summary>
    Offline,
}

public static class RuleKinds
{
    private static readonly Dictionary<string, RuleKind> ByName = new(StringComparer.Ordinal)
    {
        ["threshold"] = RuleKind.Threshold,
        ["rolling-average"] = RuleKind.RollingAverage,
        ["aqi-band"] = RuleKind.AqiBand,
        ["water-limit"] = RuleKind.WaterLimit,
        ["meter-voltage"] = RuleKind.MeterVoltage,
        ["meter-outage"] = RuleKind.MeterOutage,
        ["meter-tamper"] = RuleKind.MeterTamper,
        ["meter-frequency"] = RuleKind.MeterFrequency,
        ["meter-export"] = RuleKind.MeterExport,
        ["meter-energy-backwards"] = RuleKind.MeterEnergyBackwards,
        ["rate-of-change"] = RuleKind.RateOfChange,
        ["flat-line"] = RuleKind.FlatLine,
        ["offline"] = RuleKind.Offline,
    };

    public static IEnumerable<string> Names => ByName.Keys;

    public static bool TryParse(string? name, out RuleKind kind) => ByName.TryGetValue(name ?? "", out kind);

    /// <summary>The contract's <see cref="Contracts.AlertEvent.RuleKind"/> word for a kind.</summary>
    public static string EventKind(RuleKind kind) => kind switch
    {
        RuleKind.Threshold => "threshold",
        RuleKind.RollingAverage => "rolling-average",
        RuleKind.AqiBand => "aqi-band",
        RuleKind.WaterLimit => "water-limit",
        RuleKind.MeterVoltage or RuleKind.MeterOutage or RuleKind.MeterTamper or RuleKind.MeterFrequency
            or RuleKind.MeterExport or RuleKind.MeterEnergyBackwards => "meter",
        RuleKind.RateOfChange or RuleKind.FlatLine => "data-quality",
        RuleKind.Offline => "offline",
        _ => "threshold",
    };
}
