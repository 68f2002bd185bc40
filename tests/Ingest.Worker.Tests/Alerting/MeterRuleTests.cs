using Ingest.Contracts;

namespace Ingest.Worker.Tests.Alerting;

/// <summary>Each meter rule on a fake clock (Circular 39/2015/TT-BCT limits as configured in the default rules file).</summary>
public sealed class MeterRuleTests
{
    private const string Rules = """
        { "domains": { "meter": [
          { "id": "meter.voltage.band", "kind": "meter-voltage", "nominal": 220, "tolerancePercent": 5, "outageVoltage": 5, "hysteresis": 2,
            "raiseAfter": "00:01:00", "clearAfter": "00:01:00", "standard": "Circular 39/2015/TT-BCT Art. 5" },
          { "id": "meter.outage", "kind": "meter-outage", "outageVoltage": 5, "severity": "critical" },
          { "id": "meter.tamper", "kind": "meter-tamper", "severity": "critical" },
          { "id": "meter.frequency", "kind": "meter-frequency", "nominal": 50, "tolerance": 0.2, "hysteresis": 0.02 },
          { "id": "meter.export", "kind": "meter-export", "tolerance": 0.001, "powerTolerance": 0.05 },
          { "id": "meter.energy.backwards", "kind": "meter-energy-backwards", "tolerance": 0.001, "clearAfter": "00:30:00" }
        ] },
        "kinds": { "household-solar": [ { "id": "meter.export", "enabled": false } ] } }
        """;

    private readonly EngineHarness _h = new(Rules);

    private List<AlertEvent> Meter(params (string, double)[] values) => _h.Read(Domains.Meter, "meter-1", values);

    [Fact]
    public void Voltage_OutsideFivePercentForAMinute_RaisedAndClearedPastHysteresis()
    {
        Assert.Empty(Meter((Fields.Voltage, 231.0))); // 220 + 5 % = 231: on the limit is inside
        Assert.Empty(Meter((Fields.Voltage, 232.0)));
        _h.Time.Advance(TimeSpan.FromSeconds(60));
        var raised = Assert.Single(Meter((Fields.Voltage, 233.0)));
        _h.Time.Advance(TimeSpan.FromSeconds(60));
        Assert.Empty(Meter((Fields.Voltage, 230.0))); // inside the band but within 2 V hysteresis
        _h.Time.Advance(TimeSpan.FromSeconds(60));
        Assert.Empty(Meter((Fields.Voltage, 220.0)));
        _h.Time.Advance(TimeSpan.FromSeconds(60));
        var cleared = Assert.Single(Meter((Fields.Voltage, 221.0)));

        Assert.Equal("meter.voltage.band", raised.RuleId);
        Assert.Equal(231, raised.Limit);
        Assert.Equal("V", raised.Unit);
        Assert.Equal("meter", raised.RuleKind);
        Assert.Equal(AlertState.Cleared, cleared.State);
    }

    [Fact]
    public void Voltage_Low_UsesLowerLimit()
    {
        Meter((Fields.Voltage, 205.0));
        _h.Time.Advance(TimeSpan.FromSeconds(60));
        var raised = Assert.Single(Meter((Fields.Voltage, 205.0)));

        Assert.Equal(209, raised.Limit);
    }

    [Fact]
    public void Outage_ZeroVoltage_RaisedOnFirstReading_VoltageRuleStaysQuiet()
    {
        var raised = Assert.Single(Meter((Fields.Voltage, 0.0)));
        _h.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(Meter((Fields.Voltage, 0.2)));
        var cleared = Assert.Single(Meter((Fields.Voltage, 221.0)));

        Assert.Equal("meter.outage", raised.RuleId);
        Assert.Equal(AlertSeverity.Critical, raised.Severity);
        Assert.Equal(AlertState.Cleared, cleared.State);
    }

    [Fact]
    public void Outage_Flag_RaisedOnFirstReadingEvenWithoutVoltage()
    {
        var raised = Assert.Single(_h.Read(Domains.Meter, "meter-1", [(Fields.EnergyImport, 10.0)], [Flags.Outage]));

        Assert.Equal("meter.outage", raised.RuleId);
        Assert.Single(_h.Read(Domains.Meter, "meter-1", [(Fields.Voltage, 220.0)], []));
    }

    [Fact]
    public void Tamper_Flag_RaisedAndClearedWhenGone()
    {
        Assert.Empty(Meter((Fields.Voltage, 220.0)));
        var raised = Assert.Single(_h.Read(Domains.Meter, "meter-1", [(Fields.Voltage, 220.0)], [Flags.Tamper]));
        Assert.Empty(_h.Read(Domains.Meter, "meter-1", [(Fields.Voltage, 220.0)], [Flags.Tamper]));
        var cleared = Assert.Single(Meter((Fields.Voltage, 220.0)));

        Assert.Equal("meter.tamper", raised.RuleId);
        Assert.Contains("tamper", raised.Message, StringComparison.Ordinal);
        Assert.Equal(AlertState.Cleared, cleared.State);
    }

    [Fact]
    public void Frequency_OutsideFiftyPlusMinusPointTwo()
    {
        Assert.Empty(Meter((Fields.Frequency, 50.19)));
        Assert.Empty(Meter((Fields.Frequency, 49.81)));
        var low = Assert.Single(Meter((Fields.Frequency, 49.7)));
        Assert.Empty(Meter((Fields.Frequency, 49.81))); // within 0.02 Hz hysteresis
        Assert.Single(Meter((Fields.Frequency, 49.85)));

        Assert.Equal(49.8, low.Limit!.Value, 9);
        Assert.Equal("Hz", low.Unit);
    }

    [Fact]
    public void Export_RisingExportRegisterOrNegativePower_Raised_SolarHouseholdExempt()
    {
        Assert.Empty(Meter((Fields.EnergyExport, 5.0)));
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(Meter((Fields.EnergyExport, 5.0)));
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var raised = Assert.Single(Meter((Fields.EnergyExport, 5.4)));
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(Meter((Fields.EnergyExport, 5.4), (Fields.Power, 0.3)));
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var byPower = Assert.Single(Meter((Fields.Power, -1.0)));

        var solar = new List<AlertEvent>();
        solar.AddRange(_h.Read(Domains.Meter, "meter-solar", [(Fields.EnergyExport, 1.0)], kind: "household-solar"));
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        solar.AddRange(_h.Read(Domains.Meter, "meter-solar", [(Fields.EnergyExport, 3.0), (Fields.Power, -2.0)], kind: "household-solar"));

        Assert.Equal("meter.export", raised.RuleId);
        Assert.Equal(0.4, raised.Value!.Value, 9);
        Assert.Equal(AlertState.Raised, byPower.State);
        Assert.Empty(solar);
    }

    [Fact]
    public void EnergyBackwards_RedeliveredOlderReading_IsNotGoingBackwards()
    {
        var t = _h.Time.GetUtcNow();
        Assert.Empty(Meter((Fields.EnergyImport, 1000.0)));
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(Meter((Fields.EnergyImport, 1001.0)));
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(Meter((Fields.EnergyImport, 1002.0)));

        // The broker redelivers the reading of minute 1 after a reconnect: older device time, smaller register.
        var late = new Ingest.Worker.Decoding.Reading(Domains.Meter, "meter-1", "site-1", t.AddMinutes(1), true, null, [new(Fields.EnergyImport, 1001.0)], []);
        var output = new Ingest.Worker.Alerting.Engine.EngineOutput();
        _h.Engine.OnReading(late, t, output);
        _h.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Empty(output.Alerts);
        Assert.Empty(Meter((Fields.EnergyImport, 1003.0)));
    }

    [Fact]
    public void EnergyBackwards_Raised_ClearedAfterHalfHourOfSaneReadings()
    {
        Assert.Empty(Meter((Fields.EnergyImport, 1000.0)));
        _h.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(Meter((Fields.EnergyImport, 1000.0005))); // inside the tolerance
        _h.Time.Advance(TimeSpan.FromSeconds(10));
        var raised = Assert.Single(Meter((Fields.EnergyImport, 990.0)));
        _h.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(Meter((Fields.EnergyImport, 991.0)));
        _h.Time.Advance(TimeSpan.FromMinutes(30));
        var cleared = Assert.Single(Meter((Fields.EnergyImport, 992.0)));

        Assert.Equal("meter.energy.backwards", raised.RuleId);
        Assert.Equal(990, raised.Value);
        Assert.Equal(1000.0005, raised.Limit);
        Assert.Equal(AlertState.Cleared, cleared.State);
    }
}
