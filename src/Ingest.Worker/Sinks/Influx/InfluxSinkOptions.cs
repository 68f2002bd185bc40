using System.ComponentModel.DataAnnotations;

namespace Ingest.Worker.Sinks.Influx;

/// <summary>Which InfluxDB HTTP API the worker writes through.</summary>
public enum InfluxApi
{
    /// <summary>1.x <c>/write</c> with <c>db</c>/<c>rp</c> (Debian's InfluxDB 1.6.7; the local default).</summary>
    V1,

    /// <summary><c>/api/v2/write</c> with org/bucket/token (InfluxDB 1.8+, 2.x, 3.x, Cloud).</summary>
    V2,
}

/// <summary>InfluxDB connection and batching (section <c>Influx</c>).</summary>
public sealed class InfluxSinkOptions : IValidatableObject
{
    public const string Section = "Influx";

    [Required]
    public Uri Url { get; set; } = new("http://127.0.0.1:8086");

    public InfluxApi Api { get; set; } = InfluxApi.V1;

    /// <summary>v1 database (and, when <see cref="Bucket"/> is empty, the v2 bucket).</summary>
    [Required]
    public string Database { get; set; } = "telemetry";

    /// <summary>v1 retention policy; empty means the database's default.</summary>
    public string? RetentionPolicy { get; set; }

    /// <summary>v2 bucket; empty means <see cref="Database"/>.</summary>
    public string? Bucket { get; set; }

    /// <summary>v2 organisation (1.8's compatibility API ignores it).</summary>
    public string Org { get; set; } = "-";

    /// <summary>v2 API token; never logged.</summary>
    public string? Token { get; set; }

    /// <summary>v1 user, sent as <c>u</c>/<c>p</c> (1.6 has no token scheme).</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Create the database at start-up (v1 only): convenient locally, off where the worker has no admin rights.</summary>
    public bool CreateDatabase { get; set; } = true;

    /// <summary>A batch is written when it holds this many readings…</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 5_000;

    /// <summary>…or when its first reading has waited this long, whichever comes first.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Batches written at once. Two keep InfluxDB busy while one of its writes waits for the disk (it fsyncs its WAL per
    /// request) and while the worker builds the next batch; acknowledgements still leave in arrival order.
    /// </summary>
    [Range(1, 16)]
    public int WriteConcurrency { get; set; } = 2;

    /// <summary>Time allowed for one write attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Quick retries of a transient failure inside one write, before the batch waits for InfluxDB to come back.</summary>
    [Range(0, 20)]
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Longest wait between attempts while InfluxDB is unavailable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    public string EffectiveBucket => Api == InfluxApi.V1
        ? string.IsNullOrEmpty(RetentionPolicy) ? Database : $"{Database}/{RetentionPolicy}"
        : string.IsNullOrEmpty(Bucket) ? Database : Bucket;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Url.IsAbsoluteUri || Url.Scheme is not ("http" or "https"))
        {
            yield return new ValidationResult("Influx:Url must be an absolute http(s) URL, e.g. http://127.0.0.1:8086", [nameof(Url)]);
        }

        if (Api == InfluxApi.V2 && string.IsNullOrEmpty(Token))
        {
            yield return new ValidationResult("Influx:Api=V2 requires Influx:Token (use Influx:Api=V1 for InfluxDB 1.x /write)", [nameof(Token)]);
        }

        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("Influx:Username and Influx:Password go together", [nameof(Username), nameof(Password)]);
        }
    }
}
