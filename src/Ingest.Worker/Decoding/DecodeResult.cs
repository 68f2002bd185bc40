using Ingest.Worker.Quarantine;

namespace Ingest.Worker.Decoding;

/// <summary>One part of a message that could not be stored (a gateway batch's bad child), while the rest could.</summary>
public sealed record Rejection(QuarantineReason Reason, string Detail, string? DeviceId);

/// <summary>
/// What a decoder made of a message: readings (and, for a batch, the children it rejected), or the reason the whole
/// message cannot be stored. Never an exception.
/// </summary>
public readonly record struct DecodeResult
{
    private DecodeResult(ReadingList readings, IReadOnlyList<Rejection>? rejections, QuarantineReason? reason, string? detail)
    {
        Readings = readings;
        Rejections = rejections ?? [];
        Reason = reason;
        Detail = detail;
    }

    public ReadingList Readings { get; }

    /// <summary>Parts of an otherwise accepted message that go to quarantine.</summary>
    public IReadOnlyList<Rejection> Rejections { get; }

    /// <summary>Set when the whole message is rejected.</summary>
    public QuarantineReason? Reason { get; }

    /// <summary>A short human explanation of the failure, for the quarantine record.</summary>
    public string? Detail { get; }

    public bool IsSuccess => Reason is null;

    public static DecodeResult Success(IReadOnlyList<Reading> readings, IReadOnlyList<Rejection>? rejections = null) =>
        rejections is { Count: > 0 } && readings.Count == 0
            ? new(default, null, rejections[0].Reason, rejections.Count == 1 ? rejections[0].Detail : $"{rejections[0].Detail} (and {rejections.Count - 1} more)")
            : new(new ReadingList(readings), rejections, null, null);

    /// <summary>One reading, the usual case: held without a list.</summary>
    public static DecodeResult Success(Reading reading) => new(new ReadingList(reading), null, null, null);

    public static DecodeResult Failure(QuarantineReason reason, string detail) => new(default, null, reason, detail);
}
