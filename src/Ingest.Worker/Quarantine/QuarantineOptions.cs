using System.ComponentModel.DataAnnotations;

namespace Ingest.Worker.Quarantine;

/// <summary>Where and how rejected messages are kept (section <c>Quarantine</c>).</summary>
public sealed class QuarantineOptions
{
    public const string Section = "Quarantine";

    /// <summary>Folder of the rotating quarantine files; empty means <c>{Ingest:DataDirectory}/quarantine</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>A file is closed and a new one started past this size.</summary>
    [Range(64 * 1024, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How many rotated files are kept; the oldest is deleted beyond that.</summary>
    [Range(1, 10_000)]
    public int MaxFiles { get; set; } = 20;

    /// <summary>At most this many bytes of each raw payload are kept (a 1 MiB hostile payload does not fill the disk).</summary>
    [Range(0, 1024 * 1024)]
    public int MaxPayloadBytesKept { get; set; } = 4096;

    /// <summary>Each reason is logged at most once per interval, with the count since the last line.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LogInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Capacity of the queue in front of the file writer; the pipeline waits when it is full.</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;
}
