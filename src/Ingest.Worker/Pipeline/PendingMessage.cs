using Ingest.Worker.Decoding;

namespace Ingest.Worker.Pipeline;

/// <summary>A decoded message on its way to storage; its delivery completes when all its readings are stored or quarantined.</summary>
public sealed record PendingMessage(RawMessage Message, ReadingList Readings);
