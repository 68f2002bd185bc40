using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ingest.Contracts;

/// <summary>Where an alert is in its lifecycle: raised → (acknowledged) → cleared.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertState>))]
public enum AlertState
{
    [JsonStringEnumMemberName("raised")] Raised,
    [JsonStringEnumMemberName("acknowledged")] Acknowledged,
    [JsonStringEnumMemberName("cleared")] Cleared,
}

/// <summary>How urgent an alert is; the dashboard colours by it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertSeverity>))]
public enum AlertSeverity
{
    [JsonStringEnumMemberName("info")] Info,
    [JsonStringEnumMemberName("warning")] Warning,
    [JsonStringEnumMemberName("critical")] Critical,
}

/// <summary>
/// One alert lifecycle event, published by the worker at QoS 1 on <c>bn/alerts/{domain}/{site}/{deviceId}</c>
/// (<see cref="Topics.Alert"/>) and stored in the InfluxDB measurement <c>alerts</c>. JSON with camelCase names,
/// serialised with <see cref="AlertJson.Options"/>. <see cref="AlertId"/> is stable over one alert's raise, acknowledge
/// and clear; there is at most one open alert per (<see cref="RuleId"/>, <see cref="DeviceId"/>).
/// </summary>
public sealed record AlertEvent
{
    /// <summary>Identity of the alert across its lifecycle events.</summary>
    public required string AlertId { get; init; }

    public required AlertState State { get; init; }

    public required AlertSeverity Severity { get; init; }

    /// <summary>Configured rule id, e.g. <c>air.pm25.24h</c> or <c>meter.voltage.band</c>.</summary>
    public required string RuleId { get; init; }

    /// <summary>Rule kind: <c>threshold</c>, <c>rolling-average</c>, <c>aqi-band</c>, <c>water-limit</c>, <c>meter</c>, <c>data-quality</c>, <c>offline</c>.</summary>
    public required string RuleKind { get; init; }

    public required string Domain { get; init; }

    public required string Site { get; init; }

    public required string DeviceId { get; init; }

    /// <summary>The field the rule watches (<see cref="Fields"/>), when it watches one.</summary>
    public string? Field { get; init; }

    /// <summary>The value that caused this event (for a clear: the value that cleared it).</summary>
    public double? Value { get; init; }

    /// <summary>The limit the value was compared with, in the field's stored unit.</summary>
    public double? Limit { get; init; }

    /// <summary>The stored unit of <see cref="Value"/> and <see cref="Limit"/>.</summary>
    public string? Unit { get; init; }

    /// <summary>The standard the limit comes from, e.g. <c>QCVN 05:2023/BTNMT</c> or <c>Decision 1459/QĐ-TCMT</c>.</summary>
    public string? Standard { get; init; }

    /// <summary>A short human sentence in English.</summary>
    public required string Message { get; init; }

    /// <summary>The same sentence in Vietnamese.</summary>
    public required string MessageVi { get; init; }

    /// <summary>When the alert was raised (device time of the reading that raised it).</summary>
    public required DateTimeOffset RaisedAt { get; init; }

    /// <summary>When this event happened.</summary>
    public required DateTimeOffset EventAt { get; init; }

    /// <summary>
    /// When the worker received the message carrying the reading that caused this event (worker clock); absent for events
    /// no reading caused (offline by silence, acknowledgement). Its gap to <see cref="EventAt"/> shows device clock skew
    /// and transport delay; its gap to the event's arrival is the alert latency.
    /// </summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    public DateTimeOffset? AcknowledgedAt { get; init; }

    public string? AcknowledgedBy { get; init; }

    public DateTimeOffset? ClearedAt { get; init; }
}

/// <summary>
/// A person's acknowledgement of an open alert, sent by the dashboard at QoS 1 on <see cref="Topics.AlertAcknowledge"/>.
/// </summary>
public sealed record AlertAcknowledgement
{
    public required string AlertId { get; init; }

    public required string AcknowledgedBy { get; init; }

    public required DateTimeOffset AcknowledgedAt { get; init; }

    public string? Note { get; init; }
}

/// <summary>The one set of JSON options for alert messages on the wire.</summary>
public static class AlertJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
