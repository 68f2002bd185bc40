using Ingest.Worker.Pipeline;

namespace Ingest.Worker.Quarantine;

/// <summary>A rejected message (or one rejected reading of it): what came, when, from where, and why.</summary>
public sealed record QuarantineRecord(
    string Topic, ReadOnlyMemory<byte> Payload, DateTimeOffset ReceivedAt, QuarantineReason Reason, string Detail, string? DeviceId = null)
{
    /// <summary>Completed once the record is on disk, so the message is acknowledged only then.</summary>
    public Delivery Delivery { get; init; } = Delivery.None;

    /// <summary>The payload's length as sent (<see cref="Payload"/> may hold only its start).</summary>
    public int PayloadLength { get; init; } = Payload.Length;
}
