using System.ComponentModel.DataAnnotations;

namespace Ingest.Worker.Sources.Mqtt;

/// <summary>Broker connection and subscription (section <c>Mqtt</c>).</summary>
public sealed class MqttSourceOptions : IValidatableObject, Ingest.Mqtt.IMqttBrokerOptions
{
    public const string Section = "Mqtt";

    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 1883;

    /// <summary>Fixed client id: the broker keeps the session (and un-acknowledged messages) under it.</summary>
    [Required]
    [MaxLength(128)]
    public string ClientId { get; set; } = "bn-ingest-worker";

    /// <summary>MQTT 5 shared-subscription group; replicas in one group split the messages. Empty: a plain subscription.</summary>
    public string? SharedGroup { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    public bool UseTls { get; set; }

    /// <summary>PEM or DER file of the CA the broker's certificate must chain to; empty: the system trust store.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>The name expected in the broker's certificate when it differs from <see cref="Host"/>.</summary>
    public string? TlsHost { get; set; }

    /// <summary>How long the broker keeps the session while the worker is away. Must be &gt; 0 for a persistent session.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "49710.00:00:00")]
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromDays(1);

    [Range(typeof(TimeSpan), "00:00:01", "18:00:00")]
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Un-acknowledged messages the broker may have in flight to the worker (MQTT 5 Receive Maximum); must cover a batch.
    /// The worker keeps to it itself too: it reads no further message while this many are un-acknowledged, since a broker
    /// may not (mosquitto 2.0.11 does not once acknowledgements flow), and a worker behind would hold all it was sent.
    /// </summary>
    [Range(1, 65535)]
    public int ReceiveMaximum { get; set; } = 65535;

    /// <summary>
    /// Bytes of un-acknowledged messages the worker holds at most before it reads further (32 MiB: the whole window of
    /// single readings, or about 3,000 gateway batches of 100 readings).
    /// </summary>
    [Range(64 * 1024, long.MaxValue)]
    public long MaxUnacknowledgedBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Socket send and receive buffer size. MQTTnet's default (8 KiB) caps the TCP receive window so low that a 1 MiB
    /// message takes tens of milliseconds and a steady stream needs many more reads; the kernel caps it at net.core.rmem_max.
    /// </summary>
    [Range(4096, 64 * 1024 * 1024)]
    public int SocketBufferBytes { get; set; } = 1024 * 1024;

    /// <summary>How often the connection is checked and, if lost, re-established.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan ReconnectInterval { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(CaCertificatePath) && !File.Exists(CaCertificatePath))
        {
            yield return new ValidationResult($"Mqtt:CaCertificatePath: no file at {CaCertificatePath}", [nameof(CaCertificatePath)]);
        }

        if (!string.IsNullOrEmpty(Username) && string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("Mqtt:Password is required with Mqtt:Username (set it from the environment: Mqtt__Password)", [nameof(Password)]);
        }

        if (!string.IsNullOrEmpty(SharedGroup) && SharedGroup.IndexOfAny(['/', '+', '#']) >= 0)
        {
            yield return new ValidationResult("Mqtt:SharedGroup must not contain '/', '+' or '#'", [nameof(SharedGroup)]);
        }
    }
}
