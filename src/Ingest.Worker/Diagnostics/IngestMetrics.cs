using System.Diagnostics.Metrics;
using Ingest.Worker.Quarantine;

namespace Ingest.Worker.Diagnostics;

/// <summary>
/// The worker's counters, as OpenTelemetry-compatible instruments on the <c>Ingest.Worker</c> meter and as plain totals
/// for the periodic report and the tests. Thread-safe.
/// </summary>
public sealed class IngestMetrics : IDisposable
{
    public const string MeterName = "Ingest.Worker";

    private readonly Meter _meter;
    private readonly Counter<long> _received;
    private readonly Counter<long> _quarantined;
    private readonly Counter<long> _written;
    private readonly Counter<long> _writeRetries;
    private readonly Histogram<double> _batchSize;
    private readonly Histogram<double> _writeLatency;
    private readonly long[] _quarantinedByReason = new long[Enum.GetValues<QuarantineReason>().Length];
    private long _receivedTotal;
    private long _writtenTotal;
    private long _batchesTotal;
    private long _spooledTotal;
    private long _replayedTotal;
    private long _outagesTotal;
    private long _recoveriesTotal;
    private volatile int _influxAvailable = 1;
    private readonly Counter<long> _spooled;

    public IngestMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _received = _meter.CreateCounter<long>("ingest.messages.received", "{message}", "MQTT messages taken from the broker");
        _quarantined = _meter.CreateCounter<long>("ingest.messages.quarantined", "{message}", "Messages or readings quarantined, by reason");
        _written = _meter.CreateCounter<long>("ingest.readings.stored", "{reading}", "Readings accepted by InfluxDB");
        _writeRetries = _meter.CreateCounter<long>("ingest.write.retries", "{retry}", "Retried InfluxDB writes");
        _batchSize = _meter.CreateHistogram<double>("ingest.batch.size", "{reading}", "Readings per InfluxDB write");
        _spooled = _meter.CreateCounter<long>("ingest.readings.spooled", "{reading}", "Readings kept in the disk spool while InfluxDB was away");
        _meter.CreateObservableGauge("ingest.influx.available", () => _influxAvailable, description: "1 while InfluxDB accepts writes, 0 during an outage");
        _writeLatency = _meter.CreateHistogram<double>("ingest.write.duration", "s", "Duration of successful InfluxDB writes");
    }

    /// <summary>Whether the last InfluxDB write succeeded (false from a failed write after its retries until one succeeds).</summary>
    public bool InfluxAvailable => _influxAvailable == 1;

    /// <summary>Gauges read from other parts at collection time (spool depth, sequence counts): registered by the host.</summary>
    public void Observe<T>(string name, Func<T> read, string? unit, string description)
        where T : struct => _meter.CreateObservableGauge(name, read, unit, description);

    public void ObserveCounter<T>(string name, Func<T> read, string? unit, string description)
        where T : struct => _meter.CreateObservableCounter(name, read, unit, description);

    public long ReceivedTotal => Interlocked.Read(ref _receivedTotal);

    public long WrittenTotal => Interlocked.Read(ref _writtenTotal);

    public long BatchesTotal => Interlocked.Read(ref _batchesTotal);

    public long QuarantinedTotal
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < _quarantinedByReason.Length; i++)
            {
                sum += Interlocked.Read(ref _quarantinedByReason[i]);
            }

            return sum;
        }
    }

    public long Quarantined(QuarantineReason reason) => Interlocked.Read(ref _quarantinedByReason[(int)reason]);

    public void MessageReceived()
    {
        Interlocked.Increment(ref _receivedTotal);
        _received.Add(1);
    }

    public void QuarantinedOne(QuarantineReason reason)
    {
        Interlocked.Increment(ref _quarantinedByReason[(int)reason]);
        _quarantined.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));
    }

    public void BatchWritten(int readings, TimeSpan duration)
    {
        Interlocked.Add(ref _writtenTotal, readings);
        Interlocked.Increment(ref _batchesTotal);
        _written.Add(readings);
        _batchSize.Record(readings);
        _writeLatency.Record(duration.TotalSeconds);
    }

    public void WriteRetried() => _writeRetries.Add(1);

    public long SpooledTotal => Interlocked.Read(ref _spooledTotal);

    public long ReplayedTotal => Interlocked.Read(ref _replayedTotal);

    /// <summary>Times InfluxDB went away (a write failed after its retries) and came back.</summary>
    public long OutagesTotal => Interlocked.Read(ref _outagesTotal);

    public long RecoveriesTotal => Interlocked.Read(ref _recoveriesTotal);

    public void BatchSpooled(int readings)
    {
        Interlocked.Add(ref _spooledTotal, readings);
        _spooled.Add(readings);
    }

    public void SpoolReplayed(int readings) => Interlocked.Add(ref _replayedTotal, readings);

    public void InfluxStateChanged(bool available)
    {
        Interlocked.Increment(ref available ? ref _recoveriesTotal : ref _outagesTotal);
        _influxAvailable = available ? 1 : 0;
    }

    public void Dispose() => _meter.Dispose();
}
