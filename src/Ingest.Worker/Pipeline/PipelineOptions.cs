using System.ComponentModel.DataAnnotations;

namespace Ingest.Worker.Pipeline;

/// <summary>Capacity of the bounded channel between the decode stage and the sink, and the drain on stop (section <c>Pipeline</c>). Full channels make the stage before wait.</summary>
public sealed class PipelineOptions
{
    public const string Section = "Pipeline";

    /// <summary>Decoded messages waiting for the InfluxDB sink.</summary>
    [Range(1, 1_000_000)]
    public int SinkCapacity { get; set; } = 20_000;

    /// <summary>How long a graceful stop waits for held messages to be stored and acknowledged.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(25);
}
