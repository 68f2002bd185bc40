using Ingest.Contracts;

namespace Ingest.Worker.Tests.Alerting;

/// <summary>Offline: from silence longer than the window (TimeProvider time) and from the device's status (will) message.</summary>
public sealed class OfflineRuleTests
{
    private static readonly string Rules = EngineHarness.Rules1(Domains.Air, """{ "id": "air.offline", "kind": "offline", "window": "00:05:00" }""");

    [Fact]
    public void Silence_RaisedAfterWindow_ClearedOnNextReading()
    {
        var h = new EngineHarness(Rules);
        h.Read(Domains.Air, "air-1", "pm25", 10);

        h.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(h.Tick()); // exactly the window: not yet
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var raised = Assert.Single(h.Tick());
        h.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(h.Tick()); // still one open alert, not one per tick
        var cleared = Assert.Single(h.Read(Domains.Air, "air-1", "pm25", 11));

        Assert.Equal(AlertState.Raised, raised.State);
        Assert.Equal("offline", raised.RuleKind);
        Assert.Equal(301, raised.Value);
        Assert.Equal(300, raised.Limit);
        Assert.Equal("s", raised.Unit);
        Assert.Equal(AlertState.Cleared, cleared.State);
        Assert.Equal(raised.AlertId, cleared.AlertId);
    }

    [Fact]
    public void ReadingsWithinWindow_NeverOffline()
    {
        var h = new EngineHarness(Rules);
        for (var i = 0; i < 20; i++)
        {
            h.Read(Domains.Air, "air-1", "pm25", 10);
            h.Time.Advance(TimeSpan.FromMinutes(4));
            h.Tick();
        }

        Assert.Empty(h.Events);
    }

    [Fact]
    public void StatusOffline_RaisedAtOnce_OnlineOrReadingClears()
    {
        var h = new EngineHarness(Rules);
        h.Read(Domains.Air, "air-1", "pm25", 10);

        var raised = Assert.Single(h.Status(Domains.Air, "air-1", online: false));
        Assert.Empty(h.Status(Domains.Air, "air-1", online: false));
        var cleared = Assert.Single(h.Status(Domains.Air, "air-1", online: true));
        Assert.Single(h.Status(Domains.Air, "air-2", online: false)); // a device known only from its will message
        var clearedByReading = Assert.Single(h.Read(Domains.Air, "air-2", "pm25", 10));

        Assert.Contains("status", raised.Message, StringComparison.Ordinal);
        Assert.Equal(AlertState.Cleared, cleared.State);
        Assert.Equal(AlertState.Cleared, clearedByReading.State);
    }
}
