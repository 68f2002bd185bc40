using System.ComponentModel.DataAnnotations;

namespace Ingest.Worker.Sinks.Spool;

/// <summary>The on-disk spool that holds acknowledged readings while InfluxDB is away (section <c>Spool</c>).</summary>
public sealed class SpoolOptions
{
    public const string Section = "Spool";

    /// <summary>Folder of the spool segments; empty means <c>{Ingest:DataDirectory}/spool</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>
    /// Past this size the worker stops acknowledging new messages (the broker keeps them) instead of dropping anything.
    /// </summary>
    [Range(1024 * 1024, long.MaxValue)]
    public long MaxBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Share of <see cref="MaxBytes"/> above which <c>/health/ready</c> reports the spool as a problem.</summary>
    [Range(0.1, 1.0)]
    public double HighWaterFraction { get; set; } = 0.8;
}
