using System.ComponentModel.DataAnnotations;

namespace Ingest.Worker.Pipeline;

/// <summary>Capacities of the bounded channels between stages (section <c>Pipeline</c>). Full channels make the stage before wait.</summary>
public sealed class PipelineOptions
{
    public const string Section = "Pipeline";

    /// <summary>Messages between the MQTT source and the decode stage.</summary>
    [Range(1, 1_000_000)]
    public int RawCapacity { get; set; } = 10_000;

    /// <summary>Decoded messages waiting for the InfluxDB sink.</summary>
    [Range(1, 1_000_000)]
    public int SinkCapacity { get; set; } = 20_000;

    /// <summary>How long a graceful stop waits for held messages to be stored and acknowledged.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(25);
}
