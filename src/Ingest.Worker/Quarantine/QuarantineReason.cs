namespace Ingest.Worker.Quarantine;

/// <summary>Why a message or reading was not stored. Stable names: they appear in metrics, files and dead-letter topics.</summary>
public enum QuarantineReason
{
    /// <summary>The topic is outside the scheme of DESIGN.md §3.</summary>
    InvalidTopic,

    /// <summary>The payload is larger than <c>Validation:MaxPayloadBytes</c>.</summary>
    PayloadTooLarge,

    /// <summary>Not well-formed JSON, or nested deeper than allowed.</summary>
    InvalidJson,

    /// <summary>Well-formed, but not the shape of a platform document (e.g. the root is not an object, a member of the wrong type).</summary>
    SchemaMismatch,

    /// <summary>No <c>id</c> member.</summary>
    MissingDeviceId,

    /// <summary>The payload's device id differs from the topic's: a device cannot speak for another.</summary>
    DeviceIdMismatch,

    /// <summary>A value that is not a number.</summary>
    InvalidValue,

    /// <summary>A value that is NaN or ±Infinity.</summary>
    NonFiniteValue,

    /// <summary>No values at all.</summary>
    NoValues,

    /// <summary>More values than <c>Validation:MaxValuesPerMessage</c>.</summary>
    TooManyValues,

    /// <summary>A field or id name that is too long or has characters outside [A-Za-z0-9_.-].</summary>
    InvalidName,

    /// <summary><c>ts</c> is neither RFC 3339 with an offset nor Unix epoch milliseconds.</summary>
    InvalidTimestamp,

    /// <summary>The timestamp is further in the future or the past than the configured skew allows.</summary>
    TimestampOutOfRange,

    /// <summary>The device is not in the registry and the registry is set to quarantine unknown devices.</summary>
    UnknownDevice,

    /// <summary>The registry lists the device under another domain than the topic's.</summary>
    RegistryMismatch,

    /// <summary>A value comes in a unit that cannot be converted into its field's stored unit.</summary>
    UnsupportedUnit,

    /// <summary>The content type or payload is in no format the worker reads.</summary>
    UnsupportedFormat,

    /// <summary>InfluxDB refused the reading for its content (HTTP 400: type conflict, bad field).</summary>
    RejectedByStore,
}
