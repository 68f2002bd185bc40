using System.ComponentModel.DataAnnotations;

namespace Ingest.Dashboard.Live;

/// <summary>The broker the live feed listens to (section <c>Mqtt</c>).</summary>
public sealed class LiveFeedOptions : Ingest.Mqtt.IMqttBrokerOptions
{
    public const string Section = "Mqtt";

    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 1883;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>TLS to the broker (production: port 8883).</summary>
    public bool UseTls { get; set; }

    /// <summary>A private CA the broker's certificate must chain to; without it the system trust store decides.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>The name on the broker's certificate when it differs from <see cref="Host"/>.</summary>
    public string? TlsHost { get; set; }

    /// <summary>Topic root (<c>bn</c>).</summary>
    [Required]
    public string TopicRoot { get; set; } = Ingest.Contracts.Topics.DefaultRoot;

    /// <summary>At most one reading per device is pushed to browsers in this interval.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ReadingInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A device with no status message counts as offline after this long without a reading.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan OfflineAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a lost broker connection is retried.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan ReconnectInterval { get; set; } = TimeSpan.FromSeconds(2);
}
