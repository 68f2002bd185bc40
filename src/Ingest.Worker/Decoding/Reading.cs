namespace Ingest.Worker.Decoding;

/// <summary>
/// One device's readings at one instant after decoding: the unit the rest of the pipeline works with.
/// <see cref="Measurement"/> is the device's domain; <see cref="Values"/> are in the stored units of DESIGN.md §3.
/// </summary>
public sealed record Reading(
    string Measurement,
    string DeviceId,
    string Site,
    DateTimeOffset Timestamp,
    bool HasDeviceTimestamp,
    long? Sequence,
    IReadOnlyList<KeyValuePair<string, double>> Values,
    IReadOnlyList<string> Flags)
{
    /// <summary>Extra tags from the device registry (zone, kind, …); <c>device</c> and <c>site</c> are always added.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];
}
