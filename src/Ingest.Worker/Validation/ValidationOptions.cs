using System.ComponentModel.DataAnnotations;

namespace Ingest.Worker.Validation;

/// <summary>Limits on what a device may send (section <c>Validation</c>). Anything beyond them is quarantined with its reason.</summary>
public sealed class ValidationOptions
{
    public const string Section = "Validation";

    /// <summary>Largest payload read, in bytes; a gateway batch of 500 children is about 100 KiB.</summary>
    [Range(256, 16 * 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>Most values one device document may carry.</summary>
    [Range(1, 1024)]
    public int MaxValuesPerMessage { get; set; } = 64;

    /// <summary>Most child readings one gateway batch may carry.</summary>
    [Range(1, 100_000)]
    public int MaxReadingsPerBatch { get; set; } = 1_000;

    /// <summary>Longest device id or field name, in characters.</summary>
    [Range(8, 256)]
    public int MaxNameLength { get; set; } = 64;

    /// <summary>Deepest JSON nesting accepted (a gateway batch needs 4).</summary>
    [Range(4, 64)]
    public int MaxJsonDepth { get; set; } = 8;

    /// <summary>How far ahead of the worker's clock a device timestamp may be.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How far behind the worker's clock a device timestamp may be (devices replaying a backlog).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "36500.00:00:00")]
    public TimeSpan MaxPastAge { get; set; } = TimeSpan.FromDays(30);
}
