namespace Ingest.Worker.Decoding;

/// <summary>
/// One device's readings at one instant after decoding: the unit the rest of the pipeline works with.
/// <see cref="Measurement"/> is the device's domain; <see cref="Values"/> are in the stored units of DESIGN.md §3.
/// </summary>
/// <remarks>
/// Domain, site and tags are completed in place while the decode stage still owns the reading (a gateway's child learns
/// its domain and site, the registry adds its site and tags): a copy per reading (<c>with</c>) was the largest
/// allocation left on the hot path. Once handed on, a reading does not change.
/// </remarks>
public sealed record Reading(
    string Measurement,
    string DeviceId,
    string Site,
    DateTimeOffset Timestamp,
    bool HasDeviceTimestamp,
    long? Sequence,
    ReadingValues Values,
    IReadOnlyList<string> Flags)
{
    // The sequence number is kept as a number and a flag (packed with the other flag) rather than a long? (16 bytes):
    // the reading object is one of the two allocations per reading.
    private long _sequence = Sequence.GetValueOrDefault();
    private bool _hasSequence = Sequence.HasValue;

    public long? Sequence
    {
        get => _hasSequence ? _sequence : null;
        init => (_sequence, _hasSequence) = (value.GetValueOrDefault(), value.HasValue);
    }

    public string Measurement { get; private set; } = Measurement;

    public string Site { get; private set; } = Site;

    private IReadOnlyList<KeyValuePair<string, string>> _tags = [];

    /// <summary>Extra tags from the device registry (zone, kind, …); <c>device</c> and <c>site</c> are always added.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get => _tags; init => _tags = value; }

    /// <summary>Where a gateway's child belongs: its domain and site, from the registry or its id and the gateway.</summary>
    internal void Place(string measurement, string site)
    {
        Measurement = measurement;
        Site = site;
    }

    /// <summary>The registry's site and tags for the device.</summary>
    internal void Enrich(string site, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        Site = site;
        _tags = tags;
    }
}
