using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;
using Ingest.Contracts;
using Ingest.Worker.Alerting.Engine;

namespace Ingest.Worker.Alerting.Fanout;

/// <summary>
/// Alert events and AQI updates as InfluxDB points (common contract): measurement <c>alerts</c> — tags domain, site,
/// device, rule, state, severity; fields alert_id, rule_kind, field, value, limit, unit, standard, message, message_vi,
/// acknowledged_by, raised_at (unix ms); time = EventAt — and measurement <c>aqi</c> — tags device, site; fields aqi, band,
/// dominant, aqi_{pollutant}; time = the hour's start — and, beyond the contract, measurement <c>aqi_daily</c> with the
/// same fields per local day.
/// </summary>
public static class AlertPoints
{
    public const string AlertsMeasurement = "alerts";
    public const string AqiMeasurement = "aqi";
    public const string DailyAqiMeasurement = "aqi_daily";

    public static PointData Alert(AlertEvent alert)
    {
        var b = PointData.Builder.Measurement(AlertsMeasurement)
            .Tag("domain", alert.Domain)
            .Tag("site", alert.Site)
            .Tag("device", alert.DeviceId)
            .Tag("rule", alert.RuleId)
            .Tag("state", State(alert.State))
            .Tag("severity", Severity(alert.Severity))
            .Field("alert_id", alert.AlertId)
            .Field("rule_kind", alert.RuleKind)
            .Field("message", alert.Message)
            .Field("message_vi", alert.MessageVi)
            .Field("raised_at", alert.RaisedAt.ToUnixTimeMilliseconds());
        b = Optional(b, "field", alert.Field);
        b = Optional(b, "unit", alert.Unit);
        b = Optional(b, "standard", alert.Standard);
        b = Optional(b, "acknowledged_by", alert.AcknowledgedBy);
        if (alert.Value is { } value && double.IsFinite(value))
        {
            b = b.Field("value", value);
        }

        if (alert.Limit is { } limit && double.IsFinite(limit))
        {
            b = b.Field("limit", limit);
        }

        return b.Timestamp(alert.EventAt, WritePrecision.Ns).ToPointData();
    }

    public static PointData Aqi(AqiUpdate update)
    {
        var b = PointData.Builder.Measurement(AqiMeasurement)
            .Tag("device", update.DeviceId)
            .Tag("site", update.Site)
            .Field("aqi", (long)update.Aqi)
            .Field("band", (long)update.Band)
            .Field("dominant", update.Dominant);
        foreach (var (pollutant, index) in update.SubIndices)
        {
            b = b.Field($"aqi_{pollutant}", (long)index);
        }

        return b.Timestamp(update.Hour, WritePrecision.Ns).ToPointData();
    }

    /// <summary>A station's daily VN_AQI in measurement <c>aqi_daily</c> (same fields as <c>aqi</c>; time = the local day's start).</summary>
    public static PointData DailyAqi(DailyAqi daily)
    {
        var b = PointData.Builder.Measurement(DailyAqiMeasurement)
            .Tag("device", daily.DeviceId)
            .Tag("site", daily.Site)
            .Field("aqi", (long)daily.Result.Value)
            .Field("band", (long)daily.Result.Band.Level)
            .Field("dominant", daily.Result.Dominant);
        foreach (var (pollutant, index) in daily.Result.SubIndices)
        {
            b = b.Field($"aqi_{pollutant}", (long)index);
        }

        return b.Timestamp(daily.Day, WritePrecision.Ns).ToPointData();
    }

    public static string State(AlertState state) => state switch
    {
        AlertState.Acknowledged => "acknowledged",
        AlertState.Cleared => "cleared",
        _ => "raised",
    };

    public static string Severity(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Info => "info",
        AlertSeverity.Critical => "critical",
        _ => "warning",
    };

    private static PointData.Builder Optional(PointData.Builder b, string name, string? value) =>
        string.IsNullOrEmpty(value) ? b : b.Field(name, value);
}
