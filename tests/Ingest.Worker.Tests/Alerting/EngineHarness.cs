using Ingest.Contracts;
using Ingest.Worker.Alerting.Engine;
using Ingest.Worker.Alerting.Rules;
using Ingest.Worker.Decoding;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Worker.Tests.Alerting;

/// <summary>An <see cref="AlertEngine"/> on a <see cref="FakeTimeProvider"/> with rules given as JSON, and helpers to feed it.</summary>
internal sealed class EngineHarness
{
    public EngineHarness(string rulesJson, DateTimeOffset? start = null)
    {
        Time = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        Rules = AlertRuleSet.Parse(rulesJson, "test-rules", 1, out var errors)
            ?? throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
        Engine = new AlertEngine(() => Rules, Time, TimeSpan.FromHours(7), TimeSpan.FromMinutes(5), NullLogger.Instance);
    }

    public FakeTimeProvider Time { get; }

    public AlertRuleSet Rules { get; set; }

    public AlertEngine Engine { get; }

    /// <summary>Every event produced so far, in order.</summary>
    public List<AlertEvent> Events { get; } = [];

    public List<AqiUpdate> Aqi { get; } = [];

    public List<DailyAqi> Daily { get; } = [];

    /// <summary>A reading at the fake clock's current time; the clock is not moved.</summary>
    public List<AlertEvent> Read(string domain, string device, IEnumerable<(string Field, double Value)> values, string[]? flags = null, string site = "site-1", string? kind = null)
    {
        var now = Time.GetUtcNow();
        var reading = new Reading(domain, device, site, now, true, null, [.. values.Select(v => new KeyValuePair<string, double>(v.Field, v.Value))], flags ?? [])
        {
            Tags = kind is null ? [] : [new("kind", kind)],
        };
        var output = new EngineOutput();
        Engine.OnReading(reading, now, output);
        return Collect(output);
    }

    public List<AlertEvent> Read(string domain, string device, string field, double value, string[]? flags = null, string? kind = null) =>
        Read(domain, device, [(field, value)], flags, kind: kind);

    public List<AlertEvent> Tick()
    {
        var output = new EngineOutput();
        Engine.OnTick(output);
        return Collect(output);
    }

    public List<AlertEvent> Status(string domain, string device, bool online)
    {
        var output = new EngineOutput();
        Engine.OnStatus(domain, "site-1", device, online, Time.GetUtcNow(), output);
        return Collect(output);
    }

    public bool Acknowledge(string alertId, string by)
    {
        var output = new EngineOutput();
        var ok = Engine.OnAcknowledge(new AlertAcknowledgement { AlertId = alertId, AcknowledgedBy = by, AcknowledgedAt = Time.GetUtcNow() }, output);
        Collect(output);
        return ok;
    }

    private List<AlertEvent> Collect(EngineOutput output)
    {
        var events = output.Alerts.Select(a => a.Event).ToList();
        Events.AddRange(events);
        Aqi.AddRange(output.Aqi);
        Daily.AddRange(output.DailyAqi);
        return events;
    }

    public int Count(AlertState state) => Events.Count(e => e.State == state);

    public static string Rules1(string domain, string ruleJson) => $$"""{ "domains": { "{{domain}}": [ {{ruleJson}} ] } }""";
}
