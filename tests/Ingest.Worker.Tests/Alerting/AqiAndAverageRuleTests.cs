using Ingest.Contracts;

namespace Ingest.Worker.Tests.Alerting;

/// <summary>Hourly VN_AQI per station with band alerts (Decision 1459/QĐ-TCMT), and QCVN 05:2023 rolling means with the dated PM2.5 limit.</summary>
public sealed class AqiAndAverageRuleTests
{
    [Fact]
    public void Aqi_HourlyIndexPerStation_BandAlertRaisedWorsenedAndCleared()
    {
        var h = new EngineHarness(EngineHarness.Rules1(Domains.Air, """
            { "id": "air.aqi", "kind": "aqi-band", "fromBand": 3, "criticalFromBand": 5 }
            """));

        // Four readings per hour; the hour's AQI is computed when the next hour's first reading arrives.
        void Hour(double pm25)
        {
            for (var q = 0; q < 4; q++)
            {
                h.Read(Domains.Air, "air-st-1", "pm25", pm25);
                h.Time.Advance(TimeSpan.FromMinutes(15));
            }
        }

        Hour(30); // hour 0: one hour of data, NowCast needs 2 of c1..c3 → no AQI
        Hour(30); // hour 1
        Hour(70); // hour 2
        Hour(200); // hour 3
        h.Read(Domains.Air, "air-st-1", "pm25", 5);

        // By hand: hour 1 NowCast 30 → 50 + 50/25·5 = 60 (band 2).
        // hour 2: [70,30,30] w* = 0.43 → w = 0.5: (70 + 15 + 7.5)/1.75 = 52.857 → 100 + 50/30·2.857 = 104.8 → 105 (band 3: raise).
        // hour 3: [200,70,30,30] w = 0.5: (200 + 35 + 7.5 + 3.75)/1.875 = 131.33 → 150 + 50/70·51.33 = 186.7 → 187 (band 4: worse).
        Assert.Equal([60, 105, 187], h.Aqi.Select(a => a.Aqi));
        Assert.Equal([2, 3, 4], h.Aqi.Select(a => a.Band));
        Assert.Equal("Xấu", h.Aqi[^1].BandNameVi);
        Assert.Equal("#FF0000", h.Aqi[^1].Colour);
        Assert.Equal("pm25", h.Aqi[^1].Dominant);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 3, 0, 0, TimeSpan.Zero), h.Aqi[^1].Hour);
        Assert.Equal(2, h.Events.Count);
        Assert.All(h.Events, e => Assert.Equal(AlertState.Raised, e.State));
        Assert.Equal(h.Events[0].AlertId, h.Events[1].AlertId); // one open alert, raised again when the band worsened
        Assert.Equal(105, h.Events[0].Value);
        Assert.Equal(101, h.Events[0].Limit);
        Assert.Equal(187, h.Events[1].Value);
        Assert.Equal("aqi-band", h.Events[0].RuleKind);
        Assert.Equal("Decision 1459/QĐ-TCMT", h.Events[0].Standard);
        Assert.StartsWith("VN_AQI 187: Xấu, chất ô nhiễm chính PM2.5", h.Events[1].MessageVi, StringComparison.Ordinal);
        Assert.Contains("dominant PM2.5", h.Events[1].Message, StringComparison.Ordinal);

        // Clean air until the band drops below 3: cleared within 12 hours.
        for (var i = 0; i < 12 && h.Count(AlertState.Cleared) == 0; i++)
        {
            Hour(5);
        }

        var cleared = Assert.Single(h.Events, e => e.State == AlertState.Cleared);
        Assert.True(h.Aqi[^1].Band < 3);
        Assert.Equal(h.Events[0].AlertId, cleared.AlertId);

        // An hour with no later reading is closed by the clock (after the grace period).
        var updates = h.Aqi.Count;
        h.Time.Advance(TimeSpan.FromMinutes(70));
        h.Tick();
        Assert.Equal(updates + 1, h.Aqi.Count);
    }

    [Fact]
    public void Aqi_DailyIndex_FromTheLocalDaysHourlyMeans_OfficialExample()
    {
        var local = TimeSpan.FromHours(7);
        var h = new EngineHarness(
            EngineHarness.Rules1(Domains.Air, """{ "id": "air.aqi", "kind": "aqi-band" }"""),
            start: new DateTimeOffset(2026, 3, 1, 23, 0, 0, local));

        // From 23:00 on 1 March to 00:00 on 3 March (Vietnamese time), every 15 minutes: PM2.5 55.7, NO2 130.8.
        while (h.Time.GetUtcNow() <= new DateTimeOffset(2026, 3, 3, 0, 0, 0, local))
        {
            h.Read(Domains.Air, "air-st-1", [(Fields.Pm25, 55.7), (Fields.No2, 130.8)]);
            h.Time.Advance(TimeSpan.FromMinutes(15));
        }

        // 1 March had one hour of data: too little PM for a daily mean (18 h), so no daily index for it.
        // 2 March, by hand (S2's daily example): PM2.5 24 h mean 55.7 → 100 + 50/30·5.7 = 109.5 → 110; NO2 max 130.8 → 65.4.
        var daily = Assert.Single(h.Daily);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 0, 0, 0, local), daily.Day);
        Assert.Equal(110, daily.Result.Value);
        Assert.Equal("pm25", daily.Result.Dominant);
        Assert.Equal(65, daily.Result.SubIndices["no2"]);
        Assert.Equal(3, daily.Result.Band.Level);
    }

    [Fact]
    public void Aqi_NoPm_NoIndex()
    {
        var h = new EngineHarness(EngineHarness.Rules1(Domains.Air, """{ "id": "air.aqi", "kind": "aqi-band" }"""));
        for (var i = 0; i < 5 * 4; i++)
        {
            h.Read(Domains.Air, "air-st-1", "o3", 500);
            h.Time.Advance(TimeSpan.FromMinutes(15));
        }

        Assert.Empty(h.Aqi); // §2.1.b: no AQI without PM2.5 or PM10
        Assert.Empty(h.Events);
    }

    [Fact]
    public void Pm25DailyMean_LimitFiftyIn2025_FortyFiveFromFirstJanuary2026()
    {
        var h = new EngineHarness(
            EngineHarness.Rules1(Domains.Air, """
                { "id": "air.pm25.24h", "kind": "rolling-average", "field": "pm25", "window": "1.00:00:00",
                  "limits": [ { "from": "2023-09-12", "value": 50 }, { "from": "2026-01-01", "value": 45 } ],
                  "hysteresis": 2, "standard": "QCVN 05:2023/BTNMT" }
                """),
            start: new DateTimeOffset(2025, 12, 30, 0, 0, 0, TimeSpan.FromHours(7)));

        // A steady 47 µg/m³ every 15 minutes: within 50 in 2025, above 45 from 01/01/2026 (Vietnamese local date).
        AlertEvent? raised = null;
        var firstMeanJudged = false;
        while (raised is null && h.Time.GetUtcNow() < new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.FromHours(7)))
        {
            raised = h.Read(Domains.Air, "air-1", "pm25", 47).SingleOrDefault();
            firstMeanJudged |= h.Time.GetUtcNow() >= new DateTimeOffset(2025, 12, 30, 18, 0, 0, TimeSpan.FromHours(7));
            h.Time.Advance(TimeSpan.FromMinutes(15));
        }

        Assert.True(firstMeanJudged);
        Assert.NotNull(raised);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(7)), raised.RaisedAt);
        Assert.Equal(45, raised.Limit);
        Assert.Equal(47, raised.Value!.Value, 9);
        Assert.Equal("rolling-average", raised.RuleKind);
        Assert.Contains("PM2.5 24 h mean", raised.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RollingMean_NotJudgedBeforeEnoughOfTheWindowHasData()
    {
        var h = new EngineHarness(EngineHarness.Rules1(Domains.Air, """
            { "id": "air.no2.1h", "kind": "rolling-average", "field": "no2", "window": "01:00:00", "above": 200, "minCoverage": 0.75 }
            """));

        var events = new List<AlertEvent>();
        for (var minute = 0; minute < 60; minute += 5)
        {
            events.AddRange(h.Read(Domains.Air, "air-1", "no2", 400));
            if (minute < 40)
            {
                Assert.Empty(events); // fewer than 36 of 48 slots (75 %) hold data
            }

            h.Time.Advance(TimeSpan.FromMinutes(5));
        }

        Assert.Single(events);
    }

    [Fact]
    public void RateOfChange_BeyondPhysicalBound_Raised()
    {
        var h = new EngineHarness(EngineHarness.Rules1(Domains.Air, """
            { "id": "air.pm25.rate", "kind": "rate-of-change", "field": "pm25", "maxRatePerMinute": 500 }
            """));

        h.Read(Domains.Air, "air-1", "pm25", 10);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(h.Read(Domains.Air, "air-1", "pm25", 400));
        h.Time.Advance(TimeSpan.FromSeconds(30));
        var raised = Assert.Single(h.Read(Domains.Air, "air-1", "pm25", 20)); // 380 in 30 s = 760 per minute
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(h.Read(Domains.Air, "air-1", "pm25", 22));

        Assert.Equal(760, raised.Value!.Value, 6);
        Assert.Equal("data-quality", raised.RuleKind);
    }

    [Fact]
    public void RateOfChange_ReadingsMillisecondsApart_NotCompared_NextComparedWithTheLastUsed()
    {
        var h = new EngineHarness(EngineHarness.Rules1(Domains.Air, """
            { "id": "air.pm25.rate", "kind": "rate-of-change", "field": "pm25", "maxRatePerMinute": 500 }
            """));

        h.Read(Domains.Air, "air-1", "pm25", 10);
        h.Time.Advance(TimeSpan.FromMilliseconds(20));
        // A second source 20 ms later: 30 µg/m³ in 20 ms would be 90,000 per minute; below the 1 s minimum it is skipped.
        Assert.Empty(h.Read(Domains.Air, "air-1", "pm25", 40));
        h.Time.Advance(TimeSpan.FromMinutes(1));
        // Compared with the 10 of a minute ago, not with the skipped 40: 25 per minute.
        Assert.Empty(h.Read(Domains.Air, "air-1", "pm25", 35));
        h.Time.Advance(TimeSpan.FromSeconds(30));
        var raised = Assert.Single(h.Read(Domains.Air, "air-1", "pm25", 400)); // 365 in 30 s = 730 per minute
        Assert.Equal(730, raised.Value!.Value, 6);
    }

    [Fact]
    public void FlatLine_UnchangedForWindow_Raised_ClearedOnChange()
    {
        var h = new EngineHarness(EngineHarness.Rules1(Domains.Water, """
            { "id": "water.ph.flat", "kind": "flat-line", "field": "ph", "window": "06:00:00" }
            """));

        for (var i = 0; i < 6 * 6; i++)
        {
            h.Read(Domains.Water, "water-1", "ph", 7.25);
            h.Time.Advance(TimeSpan.FromMinutes(10));
        }

        Assert.Empty(h.Events); // 35 × 10 min = 5 h 50 min unchanged
        var raised = Assert.Single(h.Read(Domains.Water, "water-1", "ph", 7.25));
        var cleared = Assert.Single(h.Read(Domains.Water, "water-1", "ph", 7.3));

        Assert.Contains("unchanged at 7.25", raised.Message, StringComparison.Ordinal);
        Assert.Contains("không đổi ở 7,25", raised.MessageVi, StringComparison.Ordinal);
        Assert.Equal(AlertState.Cleared, cleared.State);
    }
}
