using System.Text.Json;
using Ingest.Contracts;

namespace Ingest.Dashboard.History;

/// <summary>
/// Turns rows of the <c>alerts</c> measurement (common contract: tags domain, site, device, rule, state, severity; fields
/// alert_id, rule_kind, field, value, limit, unit, standard, message, message_vi, acknowledged_by, raised_at; time = EventAt)
/// back into <see cref="AlertEvent"/>s. Rows that miss the identity columns are skipped.
/// </summary>
public static class AlertRows
{
    public static IEnumerable<AlertEvent> Read(QuerySeries series)
    {
        foreach (var row in series.Rows)
        {
            if (ReadRow(series, row) is { } alert)
            {
                yield return alert;
            }
        }
    }

    private static AlertEvent? ReadRow(QuerySeries series, JsonElement[] row)
    {
        string? Text(string column)
        {
            var i = series.Column(column);
            if (i < 0)
            {
                return series.Tags.GetValueOrDefault(column);
            }

            return row[i].ValueKind == JsonValueKind.String ? row[i].GetString() : null;
        }

        double? Number(string column)
        {
            var i = series.Column(column);
            return i >= 0 && row[i].ValueKind == JsonValueKind.Number ? row[i].GetDouble() : null;
        }

        var id = Text("alert_id");
        var time = Number("time");
        if (id is null || time is null || Text("domain") is not { } domain || Text("device") is not { } device)
        {
            return null;
        }

        var at = DateTimeOffset.FromUnixTimeMilliseconds((long)time.Value);
        var state = Text("state") switch { "cleared" => AlertState.Cleared, "acknowledged" => AlertState.Acknowledged, _ => AlertState.Raised };
        var raisedAt = Number("raised_at") is { } raised ? DateTimeOffset.FromUnixTimeMilliseconds((long)raised) : at;
        return new AlertEvent
        {
            AlertId = id,
            State = state,
            Severity = Text("severity") switch { "critical" => AlertSeverity.Critical, "info" => AlertSeverity.Info, _ => AlertSeverity.Warning },
            RuleId = Text("rule") ?? "",
            RuleKind = Text("rule_kind") ?? "",
            Domain = domain,
            Site = Text("site") ?? "",
            DeviceId = device,
            Field = Text("field"),
            Value = Number("value"),
            Limit = Number("limit"),
            Unit = Text("unit"),
            Standard = Text("standard"),
            Message = Text("message") ?? "",
            MessageVi = Text("message_vi") ?? Text("message") ?? "",
            RaisedAt = raisedAt,
            EventAt = at,
            AcknowledgedBy = Text("acknowledged_by"),
            AcknowledgedAt = state == AlertState.Acknowledged ? at : null,
            ClearedAt = state == AlertState.Cleared ? at : null,
        };
    }
}
