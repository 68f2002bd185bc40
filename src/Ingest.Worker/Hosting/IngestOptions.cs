using System.ComponentModel.DataAnnotations;

namespace Ingest.Worker.Hosting;

/// <summary>Worker-wide settings (section <c>Ingest</c>).</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>Folder for the worker's own files: quarantine, spool, state. Relative paths are under the content root.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>How often the worker logs its running totals (one line, not one per message).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Topic root of the scheme in DESIGN.md §3.</summary>
    [Required]
    public string TopicRoot { get; set; } = Contracts.Topics.DefaultRoot;
}
