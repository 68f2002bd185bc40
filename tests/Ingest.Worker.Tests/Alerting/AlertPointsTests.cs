using Ingest.Contracts;
using Ingest.Worker.Alerting.Fanout;

namespace Ingest.Worker.Tests.Alerting;

/// <summary>The InfluxDB points of the common contract: measurement <c>alerts</c> and <c>aqi</c>.</summary>
public sealed class AlertPointsTests
{
    [Fact]
    public void Alert_HasTheContractsTagsFieldsAndTime()
    {
        var raisedAt = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
        var alert = new AlertEvent
        {
            AlertId = "a1", State = AlertState.Acknowledged, Severity = AlertSeverity.Critical, RuleId = "water.nh4", RuleKind = "threshold",
            Domain = "water", Site = "cau", DeviceId = "water-cau-0001", Field = "nh4", Value = 0.5, Limit = 0.3, Unit = "mg/L",
            Standard = "QCVN 08:2023/BTNMT", Message = "Ammonium \"high\"", MessageVi = "Amoni cao", RaisedAt = raisedAt,
            EventAt = raisedAt.AddSeconds(90), AcknowledgedBy = "lan", AcknowledgedAt = raisedAt.AddSeconds(90),
        };

        var line = AlertPoints.Alert(alert).ToLineProtocol();

        Assert.StartsWith("alerts,device=water-cau-0001,domain=water,rule=water.nh4,severity=critical,site=cau,state=acknowledged ", line, StringComparison.Ordinal);
        Assert.Contains("acknowledged_by=\"lan\"", line, StringComparison.Ordinal);
        Assert.Contains("alert_id=\"a1\"", line, StringComparison.Ordinal);
        Assert.Contains("field=\"nh4\"", line, StringComparison.Ordinal);
        Assert.Contains("limit=0.3", line, StringComparison.Ordinal);
        Assert.Contains("message=\"Ammonium \\\"high\\\"\"", line, StringComparison.Ordinal);
        Assert.Contains("message_vi=\"Amoni cao\"", line, StringComparison.Ordinal);
        Assert.Contains($"raised_at={raisedAt.ToUnixTimeMilliseconds()}i", line, StringComparison.Ordinal);
        Assert.Contains("rule_kind=\"threshold\"", line, StringComparison.Ordinal);
        Assert.Contains("standard=\"QCVN 08:2023/BTNMT\"", line, StringComparison.Ordinal);
        Assert.Contains("unit=\"mg/L\"", line, StringComparison.Ordinal);
        Assert.Contains("value=0.5", line, StringComparison.Ordinal);
        Assert.EndsWith($" {alert.EventAt.ToUnixTimeMilliseconds() * 1_000_000}", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Aqi_IntegerFieldsPerPollutant_AtTheHourStart()
    {
        var hour = new DateTimeOffset(2026, 3, 1, 3, 0, 0, TimeSpan.Zero);
        var update = new AqiUpdate
        {
            DeviceId = "air-1", Site = "yp", Hour = hour, Aqi = 187, Band = 4, BandNameVi = "Xấu", BandNameEn = "Bad", Colour = "#FF0000",
            Dominant = "pm25", SubIndices = new Dictionary<string, int> { ["pm25"] = 187, ["no2"] = 65 },
        };

        var line = AlertPoints.Aqi(update).ToLineProtocol();

        Assert.Equal($"aqi,device=air-1,site=yp aqi=187i,aqi_no2=65i,aqi_pm25=187i,band=4i,dominant=\"pm25\" {hour.ToUnixTimeMilliseconds() * 1_000_000}", line);
    }
}
