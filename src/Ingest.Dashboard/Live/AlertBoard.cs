using Ingest.Contracts;

namespace Ingest.Dashboard.Live;

/// <summary>
/// The open alerts (raised or acknowledged, not cleared), keyed by alert id. Fed by the MQTT alert topic, by the start-up
/// rebuild from InfluxDB and by acknowledgements made here. Thread-safe; events older than the one held are ignored.
/// </summary>
public sealed class AlertBoard
{
    private readonly Dictionary<string, AlertEvent> _open = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Applies one lifecycle event; returns it when it changed the board, null when it was stale or a repeat.</summary>
    public AlertEvent? Apply(AlertEvent alert)
    {
        lock (_lock)
        {
            if (_open.TryGetValue(alert.AlertId, out var held) && (alert.EventAt < held.EventAt || alert == held))
            {
                return null;
            }

            if (alert.State == AlertState.Cleared)
            {
                return _open.Remove(alert.AlertId) ? alert : null;
            }

            if (held is { State: AlertState.Acknowledged } && alert.State == AlertState.Raised)
            {
                // A repeat of the raise (QoS 1 redelivery, retained copy) must not undo an acknowledgement.
                return null;
            }

            _open[alert.AlertId] = alert;
            return alert;
        }
    }

    /// <summary>Marks an open alert acknowledged by a person; null when no such alert is open.</summary>
    public AlertEvent? Acknowledge(string alertId, string by, DateTimeOffset at)
    {
        lock (_lock)
        {
            if (!_open.TryGetValue(alertId, out var held))
            {
                return null;
            }

            var acknowledged = held with { State = AlertState.Acknowledged, AcknowledgedBy = by, AcknowledgedAt = at, EventAt = at };
            _open[alertId] = acknowledged;
            return acknowledged;
        }
    }

    /// <summary>Open alerts per domain and severity, for the metrics.</summary>
    public IReadOnlyList<(string Domain, AlertSeverity Severity, int Count)> CountOpen()
    {
        lock (_lock)
        {
            return [.. _open.Values.GroupBy(a => (a.Domain, a.Severity)).Select(g => (g.Key.Domain, g.Key.Severity, g.Count()))];
        }
    }

    /// <summary>Whether the board reflects this event: it is the one held, or a clear of an alert no longer open.</summary>
    public bool IsCurrent(AlertEvent alert)
    {
        lock (_lock)
        {
            return _open.TryGetValue(alert.AlertId, out var held) ? held == alert : alert.State == AlertState.Cleared;
        }
    }

    public AlertEvent? Find(string alertId)
    {
        lock (_lock)
        {
            return _open.GetValueOrDefault(alertId);
        }
    }

    /// <summary>The open alerts of the given domains, newest raise first.</summary>
    public IReadOnlyList<AlertEvent> Open(IReadOnlySet<string> domains)
    {
        lock (_lock)
        {
            return [.. _open.Values.Where(a => domains.Contains(a.Domain)).OrderByDescending(a => a.RaisedAt).ThenBy(a => a.AlertId, StringComparer.Ordinal)];
        }
    }
}
