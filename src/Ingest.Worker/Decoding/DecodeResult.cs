using Ingest.Worker.Quarantine;

namespace Ingest.Worker.Decoding;

/// <summary>What a decoder made of a message: readings, or the reason it cannot be stored (never an exception).</summary>
public readonly record struct DecodeResult
{
    private DecodeResult(IReadOnlyList<Reading>? readings, QuarantineReason? reason, string? detail)
    {
        Readings = readings ?? [];
        Reason = reason;
        Detail = detail;
    }

    public IReadOnlyList<Reading> Readings { get; }

    public QuarantineReason? Reason { get; }

    /// <summary>A short human explanation of the failure, for the quarantine record.</summary>
    public string? Detail { get; }

    public bool IsSuccess => Reason is null;

    public static DecodeResult Success(IReadOnlyList<Reading> readings) => new(readings, null, null);

    public static DecodeResult Failure(QuarantineReason reason, string detail) => new(null, reason, detail);
}
