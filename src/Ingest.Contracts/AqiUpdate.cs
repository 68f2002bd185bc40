namespace Ingest.Contracts;

/// <summary>
/// A station's current hourly VN_AQI (Decision 1459/QĐ-TCMT), published by the worker, retained, at QoS 1 on
/// <c>bn/aqi/{site}/{deviceId}</c> (<see cref="Topics.Aqi"/>) whenever it changes, and stored in the InfluxDB measurement
/// <c>aqi</c> (one point per station per hour). JSON with <see cref="AlertJson.Options"/>.
/// </summary>
public sealed record AqiUpdate
{
    public required string DeviceId { get; init; }

    public required string Site { get; init; }

    /// <summary>The hour the index is for (start of the hour, UTC).</summary>
    public required DateTimeOffset Hour { get; init; }

    /// <summary>The overall hourly index: the highest sub-index (needs PM2.5 or PM10).</summary>
    public required int Aqi { get; init; }

    /// <summary>Band level 1–6 (Tốt … Nguy hại).</summary>
    public required int Band { get; init; }

    public required string BandNameVi { get; init; }

    public required string BandNameEn { get; init; }

    /// <summary>Band colour as <c>#RRGGBB</c>.</summary>
    public required string Colour { get; init; }

    /// <summary>The pollutant with the highest sub-index (<see cref="Fields"/> name).</summary>
    public required string Dominant { get; init; }

    /// <summary>Sub-index per pollutant field name.</summary>
    public required IReadOnlyDictionary<string, int> SubIndices { get; init; }
}
