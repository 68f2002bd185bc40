using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;
using Ingest.Worker.Decoding;

namespace Ingest.Worker.Sinks.Influx;

/// <summary>
/// Reading → InfluxDB.Client <see cref="PointData"/>: measurement = domain, tags <c>device</c>, <c>site</c> and the registry's,
/// one float field per value, the device timestamp in nanoseconds. The library does all escaping. The identity
/// (measurement, tags, timestamp) is fixed by the reading, so a redelivered message overwrites itself.
/// </summary>
public static class PointMapper
{
    public const string DeviceTag = "device";
    public const string SiteTag = "site";

    public static PointData ToPoint(Reading reading)
    {
        var builder = PointData.Builder.Measurement(reading.Measurement)
            .Tag(DeviceTag, reading.DeviceId)
            .Tag(SiteTag, reading.Site);
        foreach (var (key, value) in reading.Tags)
        {
            builder = builder.Tag(key, value);
        }

        foreach (var (name, value) in reading.Values)
        {
            builder = builder.Field(name, value);
        }

        return builder.Timestamp(reading.Timestamp, WritePrecision.Ns).ToPointData();
    }
}
