using System.Diagnostics;
using Ingest.LoadProbe.Measure;

namespace Ingest.LoadProbe.Load;

/// <summary>
/// End-to-end latency (device timestamp → visible in InfluxDB) of one step's readings. The publisher records how many
/// readings it stamped in each 100 ms bucket of device time; every poll counts the stored points per bucket, from the oldest
/// bucket not yet complete on (so a poll stays cheap however long the step), and points that appeared in a bucket since the
/// last poll get the latency "poll answer time − bucket middle". Resolution: one poll interval + 50 ms. Device time and
/// poll time come from the same clock (this process).
/// </summary>
public sealed class StoreWatcher(HttpClient http, Uri influx, string db, string measurement, string site)
{
    public const int BucketMs = 100;
    private readonly SortedDictionary<long, long> _published = [];
    private readonly Dictionary<long, long> _stored = [];
    private readonly Lock _gate = new();

    public LatencySamples Latency { get; } = new();

    public long Stored { get; private set; }

    /// <summary>When the stored count last grew (Stopwatch timestamp), 0 before the first point.</summary>
    public long LastGrowth { get; private set; }

    public int PollErrors { get; private set; }

    public void OnPublished(long timestampMs, int readings)
    {
        var bucket = timestampMs - (timestampMs % BucketMs);
        lock (_gate)
        {
            _published[bucket] = _published.GetValueOrDefault(bucket) + readings;
        }
    }

    public async Task PollAsync(CancellationToken cancellationToken)
    {
        long from;
        lock (_gate)
        {
            from = _published.Count == 0 ? 0 : _published.First().Key;
            foreach (var (bucket, count) in _published)
            {
                if (_stored.GetValueOrDefault(bucket) < count)
                {
                    from = bucket;
                    break;
                }

                from = bucket + BucketMs;
            }
        }

        if (from == 0)
        {
            return;
        }

        List<(long Time, long Count)> rows;
        try
        {
            rows = await StoreCount.BucketsAsync(http, influx, db, measurement, site, from, BucketMs, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            PollErrors++;
            return;
        }

        var answeredMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long grown = 0;
        foreach (var (bucket, count) in rows)
        {
            var before = _stored.GetValueOrDefault(bucket);
            if (count > before)
            {
                Latency.Add(answeredMs - (bucket + (BucketMs / 2)), count - before);
                _stored[bucket] = count;
                grown += count - before;
            }
        }

        if (grown > 0)
        {
            Stored += grown;
            LastGrowth = Stopwatch.GetTimestamp();
        }
    }

    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await PollAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
