using System.Text;
using System.Text.Json;
using DeviceSim.Faults;
using DeviceSim.Fleet;
using DeviceSim.Generators;
using DeviceSim.Publishing;
using DeviceSim.Tests.Generators;
using Ingest.Contracts;

namespace DeviceSim.Tests.Faults;

/// <summary>
/// Each fault kind appears at its configured rate, judged from what the injector actually emits (the messages), not only
/// from its own counters. Tolerance: five standard deviations of a binomial count, so a correct injector never fails it
/// and a rate off by a quarter always does at these sample sizes.
/// </summary>
public sealed class FaultRateTests
{
    private const int Readings = 40_000;
    private static readonly Topics Topics = new();

    private sealed record Outcome(FaultInjector Injector, List<List<OutgoingMessage>> Messages, IReadOnlyList<DeviceSpec> Devices, List<TelemetryDocument> Documents, int[] Publishers);

    private static Outcome Inject(FaultPlan plan, int seed = 9)
    {
        var devices = FleetBuilder.Build(new FleetPlan(Air: 20, Water: 10, Meters: 20));
        var generators = devices.Select(d => GeneratorFactory.Create(d, seed)).ToArray();
        var injector = new FaultInjector(plan, devices, Topics, seed);
        var messages = new List<List<OutgoingMessage>>(Readings);
        var documents = new List<TelemetryDocument>(Readings);
        var publishers = new int[Readings];
        for (var i = 0; i < Readings; i++)
        {
            var publisher = i % devices.Count;
            var document = generators[publisher].Next(Simulation.WinterDay + TimeSpan.FromSeconds(5 * (i / devices.Count)));
            var output = new List<OutgoingMessage>(2);
            injector.Apply(publisher, document, output);
            messages.Add(output);
            documents.Add(document);
            publishers[i] = publisher;
        }

        return new Outcome(injector, messages, devices, documents, publishers);
    }

    private static void AssertRate(long observed, long trials, double rate, string what)
    {
        var sigma = Math.Sqrt(trials * rate * (1 - rate));
        var expected = trials * rate;
        Assert.True(Math.Abs(observed - expected) <= (5 * sigma) + 1,
            $"{what}: {observed} in {trials} (rate {(double)observed / trials:0.####}), configured {rate} (expected {expected:0} ± {5 * sigma:0})");
    }

    [Theory]
    [InlineData(FaultKind.Dropout, 0.02)]
    [InlineData(FaultKind.Malformed, 0.05)]
    [InlineData(FaultKind.UnknownDevice, 0.01)]
    [InlineData(FaultKind.SpoofedId, 0.01)]
    [InlineData(FaultKind.Duplicate, 0.03)]
    [InlineData(FaultKind.OutOfOrder, 0.03)]
    [InlineData(FaultKind.SkewedTimestamp, 0.01)]
    public void MessageFault_AppearsInTheEmittedMessagesAtItsRate(FaultKind kind, double rate)
    {
        var outcome = Inject(new FaultPlan { [kind] = rate });
        var known = outcome.Devices.Select(d => d.Id).ToHashSet();

        var observed = 0;
        for (var i = 0; i < Readings; i++)
        {
            var device = outcome.Devices[outcome.Publishers[i]];
            var sent = outcome.Messages[i];
            var own = sent.Where(m => Parse(m.Payload) is { } d && d.Sequence == outcome.Documents[i].Sequence && TopicDevice(m.Topic) == device.Id).ToList();
            observed += kind switch
            {
                FaultKind.Dropout => sent.Count == 0 ? 1 : 0,
                FaultKind.Malformed => sent.Count(m => Parse(m.Payload) is null),
                FaultKind.UnknownDevice => sent.Count(m => !known.Contains(TopicDevice(m.Topic))),
                FaultKind.SpoofedId => sent.Count(m => Parse(m.Payload) is { } d && d.Id != TopicDevice(m.Topic)),
                FaultKind.Duplicate => sent.Count >= 2 && sent[0].Payload.AsSpan().SequenceEqual(sent[1].Payload) ? 1 : 0,
                FaultKind.OutOfOrder => own.Count == 0 ? 1 : 0,
                FaultKind.SkewedTimestamp => sent.Count(m => Parse(m.Payload) is { Timestamp: { } ts } && Math.Abs((ts - outcome.Documents[i].Timestamp!.Value).TotalMinutes) >= 10),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
        }

        AssertRate(observed, Readings, rate, FaultGroups.OptionName(kind));
        Assert.Equal(observed, outcome.Injector.Count(kind));
    }

    [Fact]
    public void OutOfOrder_HeldReadingIsSentAfterTheNextOne_NothingIsLost()
    {
        var outcome = Inject(new FaultPlan { [FaultKind.OutOfOrder] = 0.2 });
        var sent = outcome.Messages.SelectMany(m => m).Concat(outcome.Injector.TakeHeld().Select(h => h.Message))
            .Select(m => Parse(m.Payload)!).ToList();

        Assert.Equal(Readings, sent.Count);
        Assert.Equal(Readings, sent.Select(d => (d.Id, d.Sequence)).Distinct().Count());
        var late = sent.GroupBy(d => d.Id).Sum(g => g.Zip(g.Skip(1)).Count(p => p.Second.Sequence < p.First.Sequence));

        // A held reading arrives after its successor, unless that one was held too (then it goes out in order).
        Assert.InRange(late, outcome.Injector.Count(FaultKind.OutOfOrder) * 3 / 4, outcome.Injector.Count(FaultKind.OutOfOrder));
    }

    [Fact]
    public void Malformed_EveryVariantAppears_EachWithTheReasonTheWorkerGives()
    {
        var faults = new List<InjectedFault>();
        var devices = FleetBuilder.Build(new FleetPlan(Air: 2, Water: 2, Meters: 2));
        var injector = new FaultInjector(new FaultPlan { [FaultKind.Malformed] = 1 }, devices, Topics, 1) { Injected = faults.Add };
        var generator = GeneratorFactory.Create(devices[0], 1);
        for (var i = 0; i < 600; i++)
        {
            injector.Apply(0, generator.Next(Simulation.WinterDay + TimeSpan.FromSeconds(i)), []);
        }

        foreach (var group in faults.GroupBy(f => f.Variant!.Value))
        {
            AssertRate(group.Count(), 600, 1.0 / MalformedPayloads.Variants.Length, group.Key.ToString());
            Assert.All(group, f => Assert.Equal(MalformedPayloads.ExpectedReason(group.Key), f.ExpectedReason));
        }

        Assert.Equal(MalformedPayloads.Variants.Length, faults.Select(f => f.Variant).Distinct().Count());
    }

    [Theory]
    [InlineData(FaultKind.Spike, 0.01)]
    [InlineData(FaultKind.Drift, 0.002)]
    [InlineData(FaultKind.Stuck, 0.002)]
    [InlineData(FaultKind.DisconnectStorm, 0.001)]
    [InlineData(FaultKind.Silent, 0.0005)]
    public void ValueFaultsAndDeviceEvents_StartAtTheirRatePerEligibleReading(FaultKind kind, double rate)
    {
        var outcome = Inject(new FaultPlan { [kind] = rate });

        AssertRate(outcome.Injector.Count(kind), outcome.Injector.Opportunities(kind), rate, FaultGroups.OptionName(kind));
        Assert.True(outcome.Injector.Count(kind) > 0);
    }

    [Fact]
    public void Spike_MultipliesTheMainQuantityFiveToFifteenTimes()
    {
        var outcome = Inject(new FaultPlan { [FaultKind.Spike] = 0.05 });
        var spikes = 0;
        for (var i = 0; i < Readings; i++)
        {
            var device = outcome.Devices[outcome.Publishers[i]];
            var field = device.Domain switch { Domains.Air => Fields.Pm25, Domains.Water => Fields.Nh4, _ => Fields.Power };
            var before = Simulation.Value(outcome.Documents[i], field);
            var after = Simulation.Value(Parse(outcome.Messages[i][0].Payload)!, field);
            if (before != 0 && Math.Abs(after / before) >= 4.99)
            {
                Assert.InRange(after / before, 4.99, 15.01);
                spikes++;
            }
        }

        Assert.Equal(outcome.Injector.Count(FaultKind.Spike), spikes);
    }

    [Fact]
    public void SameSeed_SameFaults()
    {
        var plan = new FaultPlan { [FaultKind.Malformed] = 0.05, [FaultKind.Duplicate] = 0.05, [FaultKind.Spike] = 0.05 };
        var a = Inject(plan, seed: 4).Messages.SelectMany(m => m).Select(m => Convert.ToBase64String(m.Payload));
        var b = Inject(plan, seed: 4).Messages.SelectMany(m => m).Select(m => Convert.ToBase64String(m.Payload));

        Assert.Equal(a, b);
    }

    [Fact]
    public void RatesOfOneGroupAddingUpToMoreThanOne_AreRefused()
    {
        var plan = new FaultPlan { [FaultKind.Malformed] = 0.6, [FaultKind.Duplicate] = 0.5 };

        Assert.Throws<ArgumentException>(plan.Validate);
    }

    private static string TopicDevice(string topic) => topic.Split('/')[3];

    /// <summary>The platform document in a payload, or null when it is not one (what the worker would quarantine).</summary>
    private static TelemetryDocument? Parse(byte[] payload)
    {
        try
        {
            using var json = JsonDocument.Parse(Encoding.UTF8.GetString(payload));
            var root = json.RootElement;
            if (!root.TryGetProperty("id", out var id) || !root.TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Object
                || !values.EnumerateObject().Any() || values.EnumerateObject().Any(v => v.Value.ValueKind != JsonValueKind.Number)
                || !root.TryGetProperty("ts", out var ts) || !ts.TryGetDateTimeOffset(out var time))
            {
                return null;
            }

            return new TelemetryDocument(
                id.GetString()!, time, root.GetProperty("seq").GetInt64(),
                values.EnumerateObject().Select(v => new KeyValuePair<string, double>(v.Name, v.Value.GetDouble())).ToList());
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
