using System.Globalization;
using DeviceSim.Reporting;

namespace DeviceSim.Bench;

/// <summary>
/// Watches what a bench run stored in InfluxDB. Every poll counts the run's points per 100 ms bucket of device
/// timestamp; points that appear in a bucket between two polls are given the latency (poll answer time − bucket
/// middle). So each reading's end-to-end latency (device timestamp → visible in InfluxDB) is measured with a resolution
/// of one poll interval plus 50 ms, from the same clock that stamped it. The final per-device count gives loss and
/// duplicates exactly.
/// </summary>
public sealed class StoreVerifier(InfluxQueryClient influx, string measurement, string field, string devicePrefix, DateTimeOffset since, TimeProvider time)
{
    private const int BucketMs = 100;
    private readonly Dictionary<long, long> _seen = [];

    /// <summary>Device timestamp → first poll that saw the point.</summary>
    public LatencyHistogram Latency { get; } = new();

    public long Stored { get; private set; }

    /// <summary>When the stored count last grew.</summary>
    public DateTimeOffset LastGrowth { get; private set; }

    private string Filter => $"device =~ /^{devicePrefix}/ AND time >= {InfluxQueryClient.Time(since)}";

    /// <summary>One poll; returns the run's stored point count.</summary>
    public async Task<long> PollAsync(CancellationToken cancellationToken)
    {
        var query = $"SELECT count(\"{field}\") FROM \"{measurement}\" WHERE {Filter} GROUP BY time({BucketMs}ms) fill(none)";
        var series = await influx.QueryAsync(query, cancellationToken);
        var answeredAt = time.GetUtcNow();
        long total = 0;
        foreach (var row in series.SelectMany(s => s.Rows))
        {
            var bucket = row[0].GetInt64();
            var count = row[1].GetInt64();
            total += count;
            _seen.TryGetValue(bucket, out var before);
            if (count > before)
            {
                var middle = DateTimeOffset.FromUnixTimeMilliseconds(bucket + (BucketMs / 2));
                Latency.Record(answeredAt - middle, count - before);
                _seen[bucket] = count;
            }
        }

        if (total > Stored)
        {
            LastGrowth = answeredAt;
        }

        Stored = total;
        return total;
    }

    /// <summary>Stored points per device of the run.</summary>
    public async Task<Dictionary<string, long>> CountPerDeviceAsync(CancellationToken cancellationToken)
    {
        var query = $"SELECT count(\"{field}\") FROM \"{measurement}\" WHERE {Filter} GROUP BY device";
        var series = await influx.QueryAsync(query, cancellationToken);
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var s in series)
        {
            if (s.Tags.TryGetValue("device", out var device) && s.Rows.Count > 0)
            {
                result[device] = s.Rows[0][1].GetInt64();
            }
        }

        return result;
    }

    public static string Describe(LatencyHistogram latency) => latency.Count == 0
        ? "no samples"
        : string.Create(CultureInfo.InvariantCulture,
            $"p50 {latency.PercentileMs(50):N0} ms  p90 {latency.PercentileMs(90):N0} ms  p99 {latency.PercentileMs(99):N0} ms  p99.9 {latency.PercentileMs(99.9):N0} ms  max {latency.MaxMs:N0} ms");
}
