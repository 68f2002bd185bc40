using Ingest.Contracts;

namespace Ingest.Worker.Tests.Alerting;

/// <summary>Threshold rules: hysteresis and minimum durations keep a signal oscillating around a limit from flapping.</summary>
public sealed class ThresholdRuleTests
{
    private const string Calm = """
        { "id": "water.nh4", "kind": "threshold", "field": "nh4", "above": 0.3, "hysteresis": 0.05,
          "raiseAfter": "00:02:00", "clearAfter": "00:02:00", "standard": "QCVN 08:2023/BTNMT Table 1" }
        """;

    private const string Raw = """{ "id": "water.nh4", "kind": "threshold", "field": "nh4", "above": 0.3 }""";

    /// <summary>0.28, 0.32, 0.28, 0.32 … every 30 s: a noisy sensor sitting on the limit.</summary>
    private static int Oscillate(EngineHarness h, int readings, double low, double high)
    {
        for (var i = 0; i < readings; i++)
        {
            h.Read(Domains.Water, "water-1", "nh4", i % 2 == 0 ? low : high);
            h.Time.Advance(TimeSpan.FromSeconds(30));
        }

        return h.Events.Count;
    }

    [Fact]
    public void Oscillating_WithoutHysteresisOrDuration_Flaps()
    {
        var h = new EngineHarness(EngineHarness.Rules1(Domains.Water, Raw));

        var events = Oscillate(h, 40, 0.28, 0.32);

        Assert.Equal(39, events); // every reading after the first raises or clears: what the calm rule must prevent
    }

    [Fact]
    public void Oscillating_WithMinimumDuration_NeverRaises()
    {
        var h = new EngineHarness(EngineHarness.Rules1(Domains.Water, Calm));

        var events = Oscillate(h, 40, 0.28, 0.32);

        Assert.Equal(0, events);
    }

    [Fact]
    public void SustainedThenOscillatingInsideHysteresis_OneRaiseNoClear()
    {
        var h = new EngineHarness(EngineHarness.Rules1(Domains.Water, Calm));
        for (var i = 0; i < 6; i++)
        {
            h.Read(Domains.Water, "water-1", "nh4", 0.4);
            h.Time.Advance(TimeSpan.FromSeconds(30));
        }

        // 0.27 and 0.33: below the limit but not below limit − hysteresis (0.25), so still breached while open.
        Oscillate(h, 40, 0.27, 0.33);

        var raised = Assert.Single(h.Events);
        Assert.Equal(AlertState.Raised, raised.State);
        Assert.Equal(0.4, raised.Value);
        Assert.Equal(0.3, raised.Limit);
        Assert.Equal("QCVN 08:2023/BTNMT Table 1", raised.Standard);
        Assert.Equal("mg/L", raised.Unit);
        Assert.Equal("threshold", raised.RuleKind);
    }

    [Fact]
    public void Breach_RaisedOnlyAfterMinimumDuration_ClearedOnlyAfterClearDuration()
    {
        var h = new EngineHarness(EngineHarness.Rules1(Domains.Water, Calm));
        var start = h.Time.GetUtcNow();

        Assert.Empty(h.Read(Domains.Water, "water-1", "nh4", 0.5));
        h.Time.Advance(TimeSpan.FromSeconds(119));
        Assert.Empty(h.Read(Domains.Water, "water-1", "nh4", 0.5));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var raised = Assert.Single(h.Read(Domains.Water, "water-1", "nh4", 0.5));
        Assert.Equal(start.AddMinutes(2), raised.RaisedAt);

        h.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(h.Read(Domains.Water, "water-1", "nh4", 0.2));
        h.Time.Advance(TimeSpan.FromSeconds(119));
        Assert.Empty(h.Read(Domains.Water, "water-1", "nh4", 0.2));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var cleared = Assert.Single(h.Read(Domains.Water, "water-1", "nh4", 0.2));

        Assert.Equal(AlertState.Cleared, cleared.State);
        Assert.Equal(raised.AlertId, cleared.AlertId);
        Assert.Equal(raised.RaisedAt, cleared.RaisedAt);
        Assert.Equal(h.Time.GetUtcNow(), cleared.ClearedAt);
    }

    [Fact]
    public void OneOpenAlertPerRuleAndDevice_OtherDevicesIndependent()
    {
        var h = new EngineHarness(EngineHarness.Rules1(Domains.Water, Raw));

        h.Read(Domains.Water, "water-1", "nh4", 0.5);
        h.Read(Domains.Water, "water-1", "nh4", 0.6);
        h.Read(Domains.Water, "water-2", "nh4", 0.5);

        Assert.Equal(2, h.Count(AlertState.Raised));
        Assert.Equal(2, h.Engine.OpenAlerts().Count);
        Assert.Equal(["water-1", "water-2"], h.Engine.OpenAlerts().Select(a => a.DeviceId).Order());
    }

    [Fact]
    public void Lifecycle_RaisedAcknowledgedCleared_KeepsIdAndWhoAcknowledged()
    {
        var h = new EngineHarness(EngineHarness.Rules1(Domains.Water, Raw));
        var raised = Assert.Single(h.Read(Domains.Water, "water-1", "nh4", 0.5));

        Assert.True(h.Acknowledge(raised.AlertId, "lan.nguyen"));
        h.Time.Advance(TimeSpan.FromMinutes(1));
        var cleared = Assert.Single(h.Read(Domains.Water, "water-1", "nh4", 0.1));

        Assert.Equal([AlertState.Raised, AlertState.Acknowledged, AlertState.Cleared], h.Events.Select(e => e.State));
        Assert.All(h.Events, e => Assert.Equal(raised.AlertId, e.AlertId));
        Assert.Equal("lan.nguyen", cleared.AcknowledgedBy);
        Assert.False(h.Acknowledge(raised.AlertId, "late")); // cleared: nothing open to acknowledge
        Assert.False(h.Acknowledge("no-such-alert", "x"));
    }

    [Fact]
    public void Restore_OpenAlertOfPreviousRun_IsClearedNotRaisedAgain()
    {
        var first = new EngineHarness(EngineHarness.Rules1(Domains.Water, Raw));
        var raised = Assert.Single(first.Read(Domains.Water, "water-1", "nh4", 0.5));

        var second = new EngineHarness(EngineHarness.Rules1(Domains.Water, Raw));
        second.Engine.Restore(first.Engine.OpenAlerts());
        Assert.Empty(second.Read(Domains.Water, "water-1", "nh4", 0.6));
        var cleared = Assert.Single(second.Read(Domains.Water, "water-1", "nh4", 0.1));

        Assert.Equal(raised.AlertId, cleared.AlertId);
        Assert.Equal(AlertState.Cleared, cleared.State);
    }

    [Fact]
    public void BelowLimit_DissolvedOxygen_RaisedBelowAndClearedAboveWithHysteresis()
    {
        var h = new EngineHarness(EngineHarness.Rules1(Domains.Water, """
            { "id": "water.do", "kind": "water-limit", "field": "do", "column": "B", "hysteresis": 0.2,
              "columns": { "B": { "below": 5.0 }, "C": { "below": 4.0 } }, "standard": "QCVN 08:2023/BTNMT" }
            """));

        Assert.Empty(h.Read(Domains.Water, "river-1", "do", 5.1));
        var raised = Assert.Single(h.Read(Domains.Water, "river-1", "do", 4.9));
        Assert.Empty(h.Read(Domains.Water, "river-1", "do", 5.1)); // inside the hysteresis
        var cleared = Assert.Single(h.Read(Domains.Water, "river-1", "do", 5.3));

        Assert.Equal(5.0, raised.Limit);
        Assert.Contains("4.9 mg/L below the limit 5 mg/L", raised.Message, StringComparison.Ordinal);
        Assert.Contains("4,9 mg/L thấp hơn giới hạn 5 mg/L", raised.MessageVi, StringComparison.Ordinal);
        Assert.Contains("(5,3 mg/L)", cleared.MessageVi, StringComparison.Ordinal);
        Assert.Equal(AlertState.Cleared, cleared.State);
    }
}
