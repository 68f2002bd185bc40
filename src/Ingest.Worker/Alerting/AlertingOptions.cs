using System.ComponentModel.DataAnnotations;

namespace Ingest.Worker.Alerting;

/// <summary>The alert engine (section <c>Alerting</c>). The rules themselves live in the file at <see cref="RulesPath"/>.</summary>
public sealed class AlertingOptions
{
    public const string Section = "Alerting";

    /// <summary>Off: readings are not evaluated and no alert or AQI is published.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The rules file staff edit (JSON with comments); relative paths are under the worker's folder. Reloaded on change.</summary>
    [Required]
    public string RulesPath { get; set; } = "alert-rules.json";

    /// <summary>Decoded messages (each with its readings) waiting for the evaluator. When full, the decode stage waits (nothing is dropped).</summary>
    [Range(1, 1_000_000)]
    public int InputCapacity { get; set; } = 20_000;

    /// <summary>Alert events and AQI updates waiting for MQTT and for InfluxDB, each.</summary>
    [Range(1, 1_000_000)]
    public int OutputCapacity { get; set; } = 20_000;

    /// <summary>How often silence (offline), AQI hour ends and the state file are checked.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>An hour's AQI is computed at the first reading of a later hour, or this long after the hour ended.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan AqiHourGrace { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Offset of the local calendar that dated limits refer to (QCVN 05:2023's "from 01/01/2026" is a Vietnamese date):
    /// Indochina Time, UTC+7.
    /// </summary>
    [Range(typeof(TimeSpan), "-14:00:00", "14:00:00")]
    public TimeSpan StandardsUtcOffset { get; set; } = TimeSpan.FromHours(7);

    /// <summary>File of the open alerts, so they survive a restart; empty means <c>{Ingest:DataDirectory}/alerts/open-alerts.json</c>.</summary>
    public string? StateFile { get; set; }

    /// <summary>Longest wait between attempts to write alert points while InfluxDB is unavailable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan MaxStoreBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Bound of the alert/AQI points kept on disk (<c>{Ingest:DataDirectory}/alerts/spool</c>) while InfluxDB is away; when
    /// reached, the store holds further points in memory and the evaluator waits behind them.
    /// </summary>
    [Range(1024L, long.MaxValue)]
    public long SpoolMaxBytes { get; set; } = 256L * 1024 * 1024;
}
