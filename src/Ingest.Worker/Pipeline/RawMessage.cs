namespace Ingest.Worker.Pipeline;

/// <summary>
/// One message as it came off the broker: topic, a private copy of the payload, the MQTT 5 content type,
/// when it was received, and the delivery that must be completed (acknowledged) once its readings are durable.
/// </summary>
public sealed record RawMessage(string Topic, ReadOnlyMemory<byte> Payload, string? ContentType, DateTimeOffset ReceivedAt, Delivery Delivery)
{
    /// <summary>
    /// The payload's length as sent. Larger than <see cref="Payload"/>'s when the source kept only the start of a payload
    /// over the size limit (it is refused unread, and quarantine keeps only its start).
    /// </summary>
    public int PayloadLength { get; init; } = Payload.Length;
}
