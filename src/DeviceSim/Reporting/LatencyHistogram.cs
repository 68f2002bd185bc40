namespace DeviceSim.Reporting;

/// <summary>
/// Latencies in log-spaced buckets (about 2 % wide, 10 µs … 10 min), so percentiles of millions of samples cost a
/// fixed amount of memory. Thread-safe for <see cref="Record"/>; read percentiles when recording has stopped.
/// </summary>
public sealed class LatencyHistogram
{
    private const double MinMs = 0.01;
    private const double Growth = 1.02;
    private static readonly int BucketCount = (int)Math.Ceiling(Math.Log(600_000 / MinMs) / Math.Log(Growth)) + 2;
    private readonly long[] _buckets = new long[BucketCount];
    private long _count;
    private double _maxMs;

    public long Count => Interlocked.Read(ref _count);

    public double MaxMs => _maxMs;

    public void Record(TimeSpan latency, long weight = 1)
    {
        if (weight <= 0)
        {
            return;
        }

        var ms = Math.Max(latency.TotalMilliseconds, 0);
        var index = ms <= MinMs ? 0 : Math.Min(BucketCount - 1, 1 + (int)(Math.Log(ms / MinMs) / Math.Log(Growth)));
        Interlocked.Add(ref _buckets[index], weight);
        Interlocked.Add(ref _count, weight);
        double seen;
        while (ms > (seen = Volatile.Read(ref _maxMs)) && Interlocked.CompareExchange(ref _maxMs, ms, seen) != seen)
        {
        }
    }

    /// <summary>The latency below which <paramref name="percentile"/> % of samples fall (upper edge of its bucket), in ms; NaN when empty.</summary>
    public double PercentileMs(double percentile)
    {
        var count = Count;
        if (count == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Ceiling(percentile / 100 * count);
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank && seen > 0)
            {
                return Math.Min(i == 0 ? MinMs : MinMs * Math.Pow(Growth, i), _maxMs);
            }
        }

        return _maxMs;
    }
}
