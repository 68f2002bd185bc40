using Ingest.Contracts;
using Ingest.Worker.Alerting;
using Ingest.Worker.Alerting.Fanout;
using Ingest.Worker.Alerting.Rules;
using Ingest.Worker.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Tests.Alerting;

/// <summary>The rules file: the shipped one validates; errors are reported with where and what; overrides per kind/site/device; reload.</summary>
public sealed class AlertRulesTests
{
    private static string ShippedRulesFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Ingest.Worker", "alert-rules.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("src/Ingest.Worker/alert-rules.json not found above the test folder");
    }

    private static AlertRuleSet Shipped()
    {
        var rules = AlertRuleSet.Load(ShippedRulesFile(), 1, out var errors);
        Assert.True(rules is not null, string.Join(Environment.NewLine, errors));
        return rules;
    }

    [Fact]
    public void ShippedFile_IsValid_WithEveryRuleKindTheIssueAsksFor()
    {
        var rules = Shipped();
        var air = rules.Resolve(Domains.Air, "lcs-roadside", "yp", "air-yp-0001");
        var river = rules.Resolve(Domains.Water, "river-station", "cau", "water-cau-0001");
        var meter = rules.Resolve(Domains.Meter, "household", "tu-son", "meter-ts-0001");

        var kinds = air.Concat(river).Concat(meter).Select(r => r.Kind).ToHashSet();
        Assert.Equal(Enum.GetValues<RuleKind>().Except([RuleKind.Threshold]).Order(), kinds.Except([RuleKind.Threshold]).Order());
        var pm25 = air.Single(r => r.Id == "air.pm25.24h");
        Assert.Equal(50, pm25.AboveOn(new DateOnly(2025, 12, 31)));
        Assert.Equal(45, pm25.AboveOn(new DateOnly(2026, 1, 1)));
        Assert.Equal("QCVN 05:2023/BTNMT", pm25.Standard);
        Assert.Equal(TimeSpan.FromDays(1), pm25.Window);
        var voltage = meter.Single(r => r.Kind == RuleKind.MeterVoltage);
        Assert.Equal(220, voltage.Nominal);
        Assert.Equal(5, voltage.TolerancePercent);
        var frequency = meter.Single(r => r.Kind == RuleKind.MeterFrequency);
        Assert.Equal((50, 0.2), (frequency.Nominal, frequency.Tolerance));
    }

    [Fact]
    public void ShippedFile_OutfallsUseQcvn40ColumnB_RiversQcvn08_SolarHouseholdsMayExport()
    {
        var rules = Shipped();

        var outfallCod = rules.Resolve(Domains.Water, "outfall", "que-vo", "water-qv-0001").Single(r => r.Id == "water.cod");
        var riverCod = rules.Resolve(Domains.Water, "river-station", "cau", "water-cau-0001").Single(r => r.Id == "water.cod");
        var outfall = rules.Resolve(Domains.Water, "outfall", "que-vo", "water-qv-0001");

        Assert.Equal((150.0, "QCVN 40:2011/BTNMT"), (outfallCod.Above!.Value, outfallCod.Standard));
        Assert.Equal((15.0, "QCVN 08:2023/BTNMT"), (riverCod.Above!.Value, riverCod.Standard));
        Assert.DoesNotContain(outfall, r => r.Id == "water.do");
        Assert.DoesNotContain(rules.Resolve(Domains.Meter, "household-solar", "ts", "meter-ts-0010"), r => r.Id == "meter.export");
        Assert.Contains(rules.Resolve(Domains.Meter, "household", "ts", "meter-ts-0011"), r => r.Id == "meter.export");
    }

    [Fact]
    public void Overrides_KindThenSiteThenDevice_ChangeOnlyWhatTheyName()
    {
        var rules = AlertRuleSet.Parse("""
            { "domains": { "water": [
                { "id": "water.cod", "kind": "water-limit", "field": "cod", "column": "B", "hysteresis": 1,
                  "columns": { "A": { "above": 75 }, "B": { "above": 150 } }, "standard": "QCVN 40:2011/BTNMT" } ] },
              "sites": { "vsip": [ { "id": "water.cod", "hysteresis": 3 } ] },
              "devices": { "water-vsip-0002": [ { "id": "water.cod", "column": "A" },
                                                { "id": "water.extra", "kind": "threshold", "field": "tss", "above": 60 } ] } }
            """, "t", 1, out var errors)!;
        Assert.Empty(errors);

        var plain = rules.Resolve(Domains.Water, null, "qv", "water-qv-0001").Single();
        var site = rules.Resolve(Domains.Water, null, "vsip", "water-vsip-0001").Single();
        var device = rules.Resolve(Domains.Water, null, "vsip", "water-vsip-0002");

        Assert.Equal((150.0, 1.0), (plain.Above!.Value, plain.Hysteresis));
        Assert.Equal((150.0, 3.0), (site.Above!.Value, site.Hysteresis));
        Assert.Equal((75.0, 3.0), (device[0].Above!.Value, device[0].Hysteresis));
        Assert.Equal("water.extra", device[1].Id);
    }

    [Theory]
    [InlineData("""{ "domains": { "air": [ { "id": "a", "kind": "treshold", "field": "pm25", "above": 1 } ] } }""", "'kind' must be one of")]
    [InlineData("""{ "domains": { "air": [ { "id": "a", "kind": "threshold", "field": "pm25", "abov": 1 } ] } }""", "abov")]
    [InlineData("""{ "domains": { "air": [ { "id": "a", "kind": "threshold", "field": "pm25" } ] } }""", "domains.air[0] (a): threshold needs 'above', 'below'")]
    [InlineData("""{ "domains": { "air": [ { "id": "a", "kind": "rolling-average", "field": "pm25", "above": 50 } ] } }""", "'window' is required for rolling-average")]
    [InlineData("""{ "domains": { "air": [ { "id": "a", "kind": "threshold", "field": "pm25", "above": 1, "severity": "loud" } ] } }""", "'severity' must be info, warning or critical")]
    [InlineData("""{ "domains": { "water": [ { "id": "w", "kind": "water-limit", "field": "cod", "column": "C", "columns": { "A": { "above": 75 } } } ] } }""", "'column' must name one of A")]
    [InlineData("""{ "domains": { "air": [ { "id": "a", "kind": "offline", "window": "00:05:00" }, { "id": "a", "kind": "offline", "window": "00:05:00" } ] } }""", "duplicate rule id 'a'")]
    [InlineData("""{ "domains": { "gas": [ ] } }""", "domains.gas: unknown domain")]
    [InlineData("""{ "domains": { "air": [ { "id": "a", "kind": "offline", "window": "00:05:00" } ] }, "devices": { "d1": [ { "window": "00:01:00" } ] } }""", "devices.d1[0] (no id): an override needs the 'id'")]
    [InlineData("""{ "domains": { "air": [ { "id": "a", "kind": "offline", "window": "00:05:00" } ] }, "sites": { "s": [ { "id": "a", "window": "-00:01:00" } ] } }""", "sites.s[0] (a): 'window' is required for offline")]
    [InlineData("""{ "domains": { "air": [ { "id": "a", "kind": "aqi-band", "fromBand": 7 } ] } }""", "'fromBand' must be 2–6")]
    [InlineData("""{ "domains": { "air": [ """, "t:")]
    public void InvalidFile_RefusedWithAMessageSayingWhereAndWhat(string json, string expected)
    {
        var rules = AlertRuleSet.Parse(json, "t", 1, out var errors);

        Assert.Null(rules);
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Provider_RefusesInvalidFileAtStartup_KeepsOldRulesOnInvalidEdit_TakesValidEdit()
    {
        var directory = Directory.CreateTempSubdirectory("bn-rules-").FullName;
        try
        {
            var path = Path.Combine(directory, "rules.json");
            File.WriteAllText(path, """{ "domains": { "air": [ { "id": "a", "kind": "offline" } ] } }""");
            using var invalid = new AlertRulesProvider(Options.Create(new AlertingOptions { RulesPath = path }), TimeProvider.System, NullLogger<AlertRulesProvider>.Instance);
            var refused = Assert.Throws<OptionsValidationException>(invalid.LoadAtStartup);
            Assert.Contains(refused.Failures, f => f.Contains("'window' is required for offline", StringComparison.Ordinal));

            File.WriteAllText(path, """{ "domains": { "air": [ { "id": "a", "kind": "offline", "window": "00:05:00" } ] } }""");
            using var provider = new AlertRulesProvider(Options.Create(new AlertingOptions { RulesPath = path }), TimeProvider.System, NullLogger<AlertRulesProvider>.Instance);
            provider.LoadAtStartup();
            var first = provider.Current;

            File.WriteAllText(path, """{ "domains": { "air": [ { "id": "a", "kind": "offline", "window": "bad" } ] } }""");
            Assert.False(provider.Reload());
            Assert.Same(first, provider.Current);

            File.WriteAllText(path, """{ "domains": { "air": [ { "id": "a", "kind": "offline", "window": "00:09:00" } ] } }""");
            Assert.True(provider.Reload());
            Assert.True(provider.Current.Version > first.Version);
            Assert.Equal(TimeSpan.FromMinutes(9), provider.Current.Resolve(Domains.Air, null, "s", "d").Single().Window);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Provider_WatchesTheFile_ReloadsOnSave()
    {
        var directory = Directory.CreateTempSubdirectory("bn-rules-").FullName;
        try
        {
            var path = Path.Combine(directory, "rules.json");
            File.WriteAllText(path, """{ "domains": { "air": [ { "id": "a", "kind": "offline", "window": "00:05:00" } ] } }""");
            using var provider = new AlertRulesProvider(Options.Create(new AlertingOptions { RulesPath = path }), TimeProvider.System, NullLogger<AlertRulesProvider>.Instance);
            provider.LoadAtStartup();
            var reloaded = new TaskCompletionSource<AlertRuleSet>(TaskCreationOptions.RunContinuationsAsynchronously);
            provider.Reloaded += r => reloaded.TrySetResult(r);

            File.WriteAllText(path, """{ "domains": { "air": [ { "id": "a", "kind": "offline", "window": "00:07:00" } ] } }""");
            var rules = await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

            Assert.Equal(TimeSpan.FromMinutes(7), rules.Resolve(Domains.Air, null, "s", "d").Single().Window);
            Assert.Same(rules, provider.Current);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void ReloadedRules_ApplyToKnownDevices_AlertOfRemovedRuleIsClosed()
    {
        var h = new EngineHarness(EngineHarness.Rules1(Domains.Water, """{ "id": "water.nh4", "kind": "threshold", "field": "nh4", "above": 0.3 }"""));
        var raised = Assert.Single(h.Read(Domains.Water, "water-1", "nh4", 0.5));

        h.Rules = AlertRuleSet.Parse(EngineHarness.Rules1(Domains.Water, """{ "id": "water.cod", "kind": "threshold", "field": "cod", "above": 15 }"""), "t", 2, out _)!;
        var events = h.Read(Domains.Water, "water-1", [("nh4", 0.5), ("cod", 20.0)]);

        Assert.Equal(2, events.Count);
        Assert.Equal((raised.AlertId, AlertState.Cleared), (events[0].AlertId, events[0].State));
        Assert.Contains("removed", events[0].Message, StringComparison.Ordinal);
        Assert.Equal(("water.cod", AlertState.Raised), (events[1].RuleId, events[1].State));
    }

    [Fact]
    public void ReloadedRule_SameIdOtherField_JudgesTheNewField()
    {
        // The engine remembers where a rule's field is in a device's readings; a reload that points the rule at another
        // field must not read the old one.
        var h = new EngineHarness(EngineHarness.Rules1(Domains.Water, """{ "id": "water.limit", "kind": "threshold", "field": "nh4", "above": 0.3 }"""));
        Assert.Empty(h.Read(Domains.Water, "water-1", [("nh4", 0.1), ("cod", 20.0)]));

        h.Rules = AlertRuleSet.Parse(EngineHarness.Rules1(Domains.Water, """{ "id": "water.limit", "kind": "threshold", "field": "cod", "above": 15 }"""), "t", 2, out _)!;
        var raised = Assert.Single(h.Read(Domains.Water, "water-1", [("nh4", 0.1), ("cod", 20.0)]));

        Assert.Equal(("water.limit", "cod", (double?)20.0), (raised.RuleId, raised.Field, raised.Value));
    }

    [Fact]
    public void StateFile_SavedAtomicallyAndReadBack()
    {
        var directory = Directory.CreateTempSubdirectory("bn-state-").FullName;
        try
        {
            var file = new AlertStateFile(Options.Create(new AlertingOptions()), Options.Create(new IngestOptions { DataDirectory = directory }));
            var h = new EngineHarness(EngineHarness.Rules1(Domains.Water, """{ "id": "water.nh4", "kind": "threshold", "field": "nh4", "above": 0.3 }"""));
            h.Read(Domains.Water, "water-1", "nh4", 0.5);
            h.Acknowledge(h.Events[0].AlertId, "an");

            file.Save(h.Engine.OpenAlerts());
            var back = file.Load();

            Assert.Equal(Path.Combine(directory, "alerts", "open-alerts.json"), file.Path);
            Assert.False(File.Exists(file.Path + ".tmp"));
            var alert = Assert.Single(back);
            Assert.Equal(h.Events[^1], alert);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
