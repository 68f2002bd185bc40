using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Ingest.Worker.Hosting;
using Ingest.Worker.Quarantine;
using Ingest.Worker.Sources.Mqtt;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Worker.Tests.Quarantine;

/// <summary>
/// How the quarantine store publishes dead letters when many rejected messages come at once: one message per reason per
/// written group, its records as JSON lines in arrival order, none over the size bound. The records are queued before the
/// store starts, so they form one group whatever the machine's speed. The publisher here only records what it is given;
/// the real broker path (a dead letter per reason, its record, topic and raw bytes) is
/// <c>EndToEndTests.Publish_MalformedBetweenValid_QuarantinedWithReasonAndTheRestStored</c>.
/// </summary>
public sealed class DeadLetterTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"dead-letter-test-{Guid.NewGuid():N}");

    [Fact]
    public async Task BurstOfTwoReasons_OneDeadLetterPerReason_RecordsAsLinesInArrivalOrder()
    {
        var publisher = new RecordingPublisher();
        await using var services = Services(publisher);
        var store = services.GetRequiredService<QuarantineStore>();
        var sent = new List<(QuarantineReason Reason, string Topic)>();
        for (var i = 0; i < 300; i++)
        {
            var reason = i % 3 == 0 ? QuarantineReason.InvalidJson : QuarantineReason.NonFiniteValue;
            var topic = $"bn/air/s/air-{i:D3}/telemetry";
            sent.Add((reason, topic));
            await store.AddAsync(new QuarantineRecord(topic, Encoding.UTF8.GetBytes($"bad {i}"), DateTimeOffset.UtcNow, reason, "test"), TestContext.Current.CancellationToken);
        }

        await store.StartAsync(TestContext.Current.CancellationToken);
        store.Complete();
        await store.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(["bn/deadletter/InvalidJson", "bn/deadletter/NonFiniteValue"], publisher.Published.Select(p => p.Topic));
        foreach (var (topic, payload) in publisher.Published)
        {
            var reason = topic[(topic.LastIndexOf('/') + 1)..];
            var records = Lines(payload).ToList();
            Assert.All(records, r => Assert.Equal(reason, r.GetProperty("reason").GetString()));
            Assert.Equal(
                sent.Where(s => s.Reason.ToString() == reason).Select(s => s.Topic),
                records.Select(r => r.GetProperty("topic").GetString()));
        }
    }

    [Fact]
    public async Task BurstOfLargeRecords_SplitIntoDeadLettersUnderTheBound_NoneLostOrRepeated()
    {
        var publisher = new RecordingPublisher();
        await using var services = Services(publisher);
        var store = services.GetRequiredService<QuarantineStore>();
        // 4 KiB kept of each payload is about 5.5 KB of base64 per record: 200 records need several dead letters.
        var payload = new byte[8192];
        Random.Shared.NextBytes(payload);
        for (var i = 0; i < 200; i++)
        {
            await store.AddAsync(new QuarantineRecord($"bn/air/s/air-{i:D3}/telemetry", payload, DateTimeOffset.UtcNow, QuarantineReason.PayloadTooLarge, "test"), TestContext.Current.CancellationToken);
        }

        await store.StartAsync(TestContext.Current.CancellationToken);
        store.Complete();
        await store.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.True(publisher.Published.Count > 1, $"{publisher.Published.Count} dead letter(s) for 200 records of 5.5 KB");
        Assert.All(publisher.Published, p => Assert.True(p.Payload.Length <= 256 * 1024, $"a dead letter of {p.Payload.Length} bytes"));
        Assert.Equal(
            Enumerable.Range(0, 200).Select(i => $"bn/air/s/air-{i:D3}/telemetry"),
            publisher.Published.SelectMany(p => Lines(p.Payload)).Select(r => r.GetProperty("topic").GetString()));
        Assert.All(
            publisher.Published.SelectMany(p => Lines(p.Payload)),
            r => Assert.Equal(payload.AsSpan(0, 4096).ToArray(), r.GetProperty("payload").GetBytesFromBase64()));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static IEnumerable<JsonElement> Lines(byte[] payload) =>
        Encoding.UTF8.GetString(payload).Split('\n').Select(line => JsonDocument.Parse(line).RootElement.Clone());

    private ServiceProvider Services(RecordingPublisher publisher)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingest:DataDirectory"] = _directory,
        }).Build();
        return new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddIngestDefaults()
            .AddIngestPipeline()
            .AddSingleton<IMqttPublisher>(publisher)
            .BuildServiceProvider();
    }

    private sealed class RecordingPublisher : IMqttPublisher
    {
        public ConcurrentQueue<(string Topic, byte[] Payload)> Published { get; } = new();

        public Task<bool> TryPublishAsync(string topic, ReadOnlyMemory<byte> payload, string contentType, bool atLeastOnce, CancellationToken cancellationToken)
        {
            Assert.Equal("application/jsonl", contentType);
            Published.Enqueue((topic, payload.ToArray()));
            return Task.FromResult(true);
        }
    }
}
