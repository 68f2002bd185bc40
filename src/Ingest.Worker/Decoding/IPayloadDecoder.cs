using Ingest.Contracts;

namespace Ingest.Worker.Decoding;

/// <summary>
/// Turns one message's bytes into readings. Implementations are pure and thread-safe: they may be called
/// concurrently, keep no state between calls, and never throw on bad input — every failure is a
/// <see cref="DecodeResult"/> with a <see cref="Quarantine.QuarantineReason"/>.
/// </summary>
public interface IPayloadDecoder
{
    DecodeResult Decode(ReadOnlySpan<byte> payload, DeviceTopic topic, DateTimeOffset receivedAt);
}
