using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ingest.Contracts;
using Ingest.IntegrationTests.Infrastructure;
using Ingest.Worker.Quarantine;

namespace Ingest.IntegrationTests;

/// <summary>
/// 10,000 malformed or hostile messages interleaved with 10,000 valid ones: every valid reading stored, every bad message
/// quarantined with the reason its kind deserves, and the worker's throughput on the valid ones compared with a clean run
/// of the same 10,000 (printed, not asserted: speed is for benchmarks; the median of three pairs of runs, after one pair not counted). Both runs drain the same kind of backlog: the
/// messages wait in the broker for the worker's persistent session, then one worker is started and timed until done.
/// The same backlog also waits for a <see cref="BareConsumer"/>, drained and timed first: what delivering and
/// acknowledging the extra 10,000 costs before the worker does anything with them, printed as the ratio that cost alone
/// would leave (an estimate: in the worker that transport overlaps its work on the valid messages). The same bound is
/// printed in CPU: the machine's CPU for the clean run (this process, which hosts the worker, mosquitto and influxd) against
/// that plus what the bare consumer and mosquitto spent on the bad messages — the ratio a worker that spent nothing on
/// them beyond receiving them would reach where, as here on two cores, the drain keeps the machine busy.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output) : BrokerAndStoreTest("bn-hostile-")
{
    private const int Devices = 100;
    private const int PerDevice = 100;

    /// <summary>
    /// Pairs of drains, clean then hostile: one drain takes a third of a second, where a batch's flush interval or a
    /// garbage collection is a tenth of it, so one pair's ratio scatters widely; the median of three is the figure.
    /// </summary>
    private const int Pairs = 3;

    [Fact]
    public async Task TenThousandHostileAmongTenThousandValid_ValidStored_EachBadQuarantinedWithItsReason()
    {
        // One pair first, not counted: the worker is hosted in this process, so its first drains run on code the JIT has
        // not yet optimised — the clean one most (it comes first), which would flatter the ratio.
        await DrainAsync("warm-up clean", hostile: false);
        await DrainAsync("warm-up hostile", hostile: true);

        var ratios = new List<double>();
        var bounds = new List<double>();
        for (var pair = 1; pair <= Pairs; pair++)
        {
            var clean = await DrainAsync("clean", hostile: false);
            var dirty = await DrainAsync("hostile", hostile: true);

            var ratio = dirty.ValidPerSecond / clean.ValidPerSecond;
            ratios.Add(ratio);
            var transportOnly = dirty.BareElapsed - clean.BareElapsed;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pair {pair}: clean run: {Devices * PerDevice} valid in {clean.Elapsed.TotalSeconds:F2} s ({clean.ValidPerSecond:F0} valid/s); "
                + $"hostile run: {Devices * PerDevice} valid + {dirty.Bad} bad in {dirty.Elapsed.TotalSeconds:F2} s ({dirty.ValidPerSecond:F0} valid/s); "
                + $"throughput on valid readings with hostile input = {ratio:P0} of the clean run"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pair {pair}: a bare consumer (acknowledges only) drains the clean backlog in {clean.BareElapsed.TotalSeconds:F2} s, the hostile one in "
                + $"{dirty.BareElapsed.TotalSeconds:F2} s: delivering the bad messages alone adds {transportOnly.TotalSeconds:F2} s, which added "
                + $"to the clean run would leave a ratio of {clean.Elapsed / (clean.Elapsed + transportOnly):P0}"));
            var deliveryCpu = dirty.BareCpu - clean.BareCpu;
            bounds.Add(clean.MachineCpu / (clean.MachineCpu + deliveryCpu));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pair {pair}: CPU of the worker's process, mosquitto and influxd: clean run {clean.MachineCpu.TotalSeconds:F2} s, hostile run "
                + $"{dirty.MachineCpu.TotalSeconds:F2} s; delivering the bad messages to the bare consumer took {deliveryCpu.TotalSeconds:F2} s of its and "
                + $"mosquitto's CPU: a worker that spent nothing on them beyond receiving them would reach about {bounds[^1]:P0}"));
        }

        ratios.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"throughput on valid readings with hostile input, median of {Pairs} pairs: {ratios[Pairs / 2]:P0} of the clean run "
            + $"(pairs: {string.Join(", ", ratios.Select(r => r.ToString("P0", CultureInfo.InvariantCulture)))}); "
            + $"the bound in CPU for a worker that spent nothing on the bad messages: median {bounds.Order().ElementAt(Pairs / 2):P0}"));
    }

    /// <param name="MachineCpu">CPU of this process (the worker), mosquitto and influxd while the worker drained.</param>
    /// <param name="BareCpu">CPU of this process (the bare consumer) and mosquitto while the bare consumer drained.</param>
    private sealed record Drain(TimeSpan Elapsed, double ValidPerSecond, int Bad, TimeSpan BareElapsed, TimeSpan MachineCpu, TimeSpan BareCpu);

    private async Task<Drain> DrainAsync(string name, bool hostile)
    {
        var root = WorkerSettings.UniqueName(name[..3]);
        var topics = new Topics(root);
        var fleet = TestFleet.Create(topics, Devices, PerDevice, TestFleet.RecentStart());
        var registry = Path.Combine(DataDirectory, $"{root}-devices.csv");
        await File.WriteAllLinesAsync(registry,
            ["id,domain,site", .. fleet.Select(f => f.Point).DistinctBy(p => p.Device).Select(p => $"{p.Device},{p.Measurement},{p.Site}")],
            TestContext.Current.CancellationToken);
        var settings = WorkerSettings.For(Mqtt, Influx.BaseUri, root, root, Path.Combine(DataDirectory, root));
        settings["Registry:Path"] = registry;
        settings["Registry:UnknownDevice"] = "Quarantine";
        settings["Ingest:ReportInterval"] = "00:00:30";

        // Create the worker's persistent session and subscription, then let the backlog build up in the broker.
        await using (var first = await WorkerHost.StartAsync(settings, TestContext.Current.CancellationToken))
        {
            await EndToEndTests.WaitForSubscriptionAsync(first);
        }

        var bare = new BareConsumer(Mqtt.Host, Mqtt.Port, $"bare-{root}", topics.TelemetryFilter);
        await bare.SubscribeAsync(TestContext.Current.CancellationToken);

        var bad = hostile ? HostileMessages(topics, fleet.Select(f => f.Point).ToList()) : [];
        var messages = fleet.Select(f => (f.Topic, f.Payload)).ToList();
        for (var i = 0; i < bad.Count; i++)
        {
            messages.Insert(Math.Min(messages.Count, i * 2 + 1), (bad[i].Topic, bad[i].Payload));
        }

        await using (var publisher = await TestPublisher.ConnectAsync(Mqtt.Host, Mqtt.Port, $"pub-{root}", TestContext.Current.CancellationToken))
        {
            await publisher.PublishAllAsync(messages, window: 200, TestContext.Current.CancellationToken);
        }

        var bareCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var bareBrokerCpu = Mqtt.CpuTime;
        var bareElapsed = await bare.DrainAsync(messages.Count, TestContext.Current.CancellationToken);
        bareCpu = Process.GetCurrentProcess().TotalProcessorTime - bareCpu;
        bareBrokerCpu = Mqtt.CpuTime - bareBrokerCpu;
        var brokerCpu = Mqtt.CpuTime;
        var influxCpu = Influx.CpuTime;
        var ownCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var clock = Stopwatch.StartNew();
        await using var worker = await WorkerHost.StartAsync(settings, TestContext.Current.CancellationToken);
        var started = clock.Elapsed;
        await Eventually.HoldsAsync(
            () => Task.FromResult(worker.Metrics.WrittenTotal >= fleet.Count && worker.Metrics.QuarantinedTotal >= bad.Count),
            TimeSpan.FromSeconds(120),
            () => $"written {worker.Metrics.WrittenTotal} of {fleet.Count}, quarantined {worker.Metrics.QuarantinedTotal} of {bad.Count}",
            interval: TimeSpan.FromMilliseconds(5));
        var elapsed = clock.Elapsed;
        ownCpu = Process.GetCurrentProcess().TotalProcessorTime - ownCpu;
        brokerCpu = Mqtt.CpuTime - brokerCpu;
        influxCpu = Influx.CpuTime - influxCpu;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {elapsed.TotalSeconds:F2} s, of which {started.TotalSeconds:F2} s starting the worker (bare consumer {bareElapsed.TotalSeconds:F2} s, its CPU {bareCpu.TotalSeconds:F2} s, the broker's {bareBrokerCpu.TotalSeconds:F2} s); CPU of the worker (and test) process {ownCpu.TotalSeconds:F2} s, of the broker {brokerCpu.TotalSeconds:F2} s, of influxd {influxCpu.TotalSeconds:F2} s; garbage collections gen0/1/2 {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}"));

        Assert.True(fleet.Count == await TestFleet.CountStoredAsync(Influx, root),
            $"written {worker.Metrics.WrittenTotal}, stored {await TestFleet.CountStoredAsync(Influx, root)}: {await TestFleet.DescribeMissingAsync(Influx, root, fleet)}");
        foreach (var group in bad.GroupBy(b => b.Reason))
        {
            Assert.True(
                worker.Metrics.Quarantined(group.Key) == group.Count(),
                $"{group.Key}: quarantined {worker.Metrics.Quarantined(group.Key)}, sent {group.Count()}");
        }

        Assert.Equal(bad.Count, worker.Metrics.QuarantinedTotal);
        var quarantined = 0;
        await Eventually.HoldsAsync(
            () =>
            {
                var folder = Path.Combine(DataDirectory, root, "quarantine");
                quarantined = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.jsonl").Sum(f => File.ReadLines(f).Count()) : 0;
                return Task.FromResult(quarantined == bad.Count);
            },
            TimeSpan.FromSeconds(30), () => $"{quarantined} of {bad.Count} records in the quarantine files");

        // An oversized payload is kept only in part, but its record tells its real size.
        var oversized = bad.Where(b => b.Reason == QuarantineReason.PayloadTooLarge).Select(b => (long)b.Payload.Length).Order().ToList();
        var recorded = Directory.GetFiles(Path.Combine(DataDirectory, root, "quarantine"), "*.jsonl")
            .SelectMany(File.ReadLines)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement)
            .Where(r => r.GetProperty("reason").GetString() == nameof(QuarantineReason.PayloadTooLarge))
            .Select(r => r.GetProperty("payloadLength").GetInt64())
            .Order()
            .ToList();
        Assert.Equal(oversized, recorded);
        return new Drain(elapsed, fleet.Count / elapsed.TotalSeconds, bad.Count, bareElapsed, ownCpu + brokerCpu + influxCpu, bareCpu + bareBrokerCpu);
    }

    /// <summary>10,000 bad messages of eight kinds, deterministic for a seed, each with the reason it must be quarantined for.</summary>
    private static List<(string Topic, byte[] Payload, QuarantineReason Reason)> HostileMessages(Topics topics, List<TestFleet.Expected> valid)
    {
        var random = new Random(1459);
        var devices = valid.DistinctBy(p => p.Device).ToList();
        var now = TestFleet.RecentStart().AddHours(1);
        var result = new List<(string, byte[], QuarantineReason)>(10_000);
        TestFleet.Expected Victim() => devices[random.Next(devices.Count)];
        string Topic(TestFleet.Expected d) => topics.Telemetry(d.Measurement, d.Site, d.Device);
        string Ts(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

        for (var i = 0; i < 2_000; i++)
        {
            // Random bytes: not JSON, not line protocol (the first byte is no ASCII letter).
            var bytes = new byte[random.Next(1, 512)];
            random.NextBytes(bytes);
            bytes[0] = (byte)random.Next(0x80, 0x100);
            result.Add((Topic(Victim()), bytes, QuarantineReason.InvalidJson));
        }

        for (var i = 0; i < 20; i++)
        {
            var d = Victim();
            var big = Encoding.UTF8.GetBytes($"{{\"id\":\"{d.Device}\",\"values\":{{\"pm25\":1}},\"pad\":\"{new string('x', 1 << 20)}\"}}");
            result.Add((Topic(d), big, QuarantineReason.PayloadTooLarge));
        }

        for (var i = 0; i < 980; i++)
        {
            var d = Victim();
            var depth = random.Next(70, 400);
            var nested = $"{{\"id\":\"{d.Device}\",\"values\":{{\"pm25\":{new string('[', depth)}1{new string(']', depth)}}}}}";
            result.Add((Topic(d), Encoding.UTF8.GetBytes(nested), QuarantineReason.InvalidJson));
        }

        for (var i = 0; i < 1_500; i++)
        {
            var d = Victim();
            result.Add((Topic(d), Encoding.UTF8.GetBytes($"{{\"id\":\"{d.Device}\",\"ts\":\"{Ts(now)}\",\"values\":{{\"pm25\":\"high\"}}}}"), QuarantineReason.InvalidValue));
        }

        for (var i = 0; i < 1_500; i++)
        {
            var d = Victim();
            var value = (i % 3) switch { 0 => "NaN", 1 => "Infinity", _ => "-Infinity" };
            result.Add((Topic(d), Encoding.UTF8.GetBytes($"{{\"id\":\"{d.Device}\",\"ts\":\"{Ts(now)}\",\"values\":{{\"pm25\":{value}}}}}"), QuarantineReason.NonFiniteValue));
        }

        for (var i = 0; i < 1_500; i++)
        {
            // A device speaking for another: the payload names a different (real) device than the topic.
            var d = Victim();
            var other = devices[(devices.IndexOf(d) + 1) % devices.Count];
            result.Add((Topic(d), Encoding.UTF8.GetBytes($"{{\"id\":\"{other.Device}\",\"ts\":\"{Ts(now)}\",\"values\":{{\"pm25\":5}}}}"), QuarantineReason.DeviceIdMismatch));
        }

        for (var i = 0; i < 1_500; i++)
        {
            var device = $"air-rogue-{i:D4}";
            result.Add((topics.Telemetry(Domains.Air, "site-0", device),
                Encoding.UTF8.GetBytes($"{{\"id\":\"{device}\",\"ts\":\"{Ts(now)}\",\"values\":{{\"pm25\":5}}}}"), QuarantineReason.UnknownDevice));
        }

        for (var i = 0; i < 1_000; i++)
        {
            var d = Victim();
            var ts = i % 2 == 0 ? now.AddDays(1) : now.AddYears(-5);
            result.Add((Topic(d), Encoding.UTF8.GetBytes($"{{\"id\":\"{d.Device}\",\"ts\":\"{Ts(ts)}\",\"values\":{{\"pm25\":5}}}}"), QuarantineReason.TimestampOutOfRange));
        }

        // Interleave the kinds too, so no stretch of the stream is all one kind.
        return [.. result.OrderBy(_ => random.Next())];
    }
}
