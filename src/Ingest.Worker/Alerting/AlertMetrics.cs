using System.Diagnostics.Metrics;
using Ingest.Worker.Diagnostics;

namespace Ingest.Worker.Alerting;

/// <summary>
/// Alerting's instruments on the worker's meter (<see cref="IngestMetrics.MeterName"/>, so Prometheus sees them):
/// events per state, AQI updates, and the latency from the receipt of a reading's message to the PUBACK of its alert.
/// </summary>
public sealed class AlertMetrics
{
    private readonly Counter<long> _events;
    private readonly Counter<long> _aqi;
    private readonly Histogram<double> _latency;

    public AlertMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(IngestMetrics.MeterName);
        _events = meter.CreateCounter<long>("ingest.alerts.events", description: "Alert events published, by state");
        _aqi = meter.CreateCounter<long>("ingest.alerts.aqi_updates", description: "Hourly VN_AQI updates published");
        _latency = meter.CreateHistogram<double>("ingest.alerts.latency", unit: "ms", description: "Receipt of the reading's message to the broker's PUBACK of its alert");
        meter.CreateObservableGauge("ingest.alerts.open", () => Volatile.Read(ref _open), "{alert}", "Open (raised or acknowledged, not cleared) alerts");
    }

    private int _open;

    /// <summary>Set by the evaluator (the only thread that touches the engine) after each input.</summary>
    public void OpenAlerts(int count) => Volatile.Write(ref _open, count);

    public void EventPublished(string state) => _events.Add(1, new KeyValuePair<string, object?>("state", state));

    public void AqiPublished() => _aqi.Add(1);

    public void Latency(TimeSpan latency) => _latency.Record(latency.TotalMilliseconds);
}
