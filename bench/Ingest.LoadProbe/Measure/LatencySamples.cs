namespace Ingest.LoadProbe.Measure;

/// <summary>Latency samples with weights (many readings share one measured latency), and their percentiles in ms.</summary>
public sealed class LatencySamples
{
    private readonly List<(double Ms, long Count)> _samples = [];
    private readonly Lock _gate = new();

    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _samples.Sum(s => s.Count);
            }
        }
    }

    public void Add(double ms, long count = 1)
    {
        lock (_gate)
        {
            _samples.Add((ms, count));
        }
    }

    /// <summary>The smallest latency at or below which <paramref name="percent"/> % of the weight lies; null without samples.</summary>
    public double? Percentile(double percent)
    {
        lock (_gate)
        {
            var total = _samples.Sum(s => s.Count);
            if (total == 0)
            {
                return null;
            }

            var rank = Math.Max(1, (long)Math.Ceiling(total * percent / 100.0));
            long seen = 0;
            foreach (var (ms, count) in _samples.OrderBy(s => s.Ms))
            {
                seen += count;
                if (seen >= rank)
                {
                    return Math.Round(ms, 1);
                }
            }

            return Math.Round(_samples.Max(s => s.Ms), 1);
        }
    }
}
