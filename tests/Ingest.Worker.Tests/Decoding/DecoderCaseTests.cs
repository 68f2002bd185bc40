using System.Text.Json;
using Ingest.Worker.Decoding;
using Ingest.Worker.Hosting;
using Ingest.Worker.Pipeline;
using Ingest.Worker.Quarantine;
using Ingest.Worker.Validation;
using Ingest.Worker.Enrichment;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Tests.Decoding;

/// <summary>
/// One folder per case under <c>Decoding/Cases</c>: <c>payload.json</c> (the raw bytes published) and either
/// <c>expected.json</c> (the reading) or <c>expected-error.txt</c> (the quarantine reason). A field bug becomes a new folder.
/// The topic is <c>bn/air/yen-phong/air-yp-0001/telemetry</c> unless the case has a <c>topic.txt</c>.
/// </summary>
public sealed class DecoderCaseTests
{
    private const string DefaultTopic = "bn/air/yen-phong/air-yp-0001/telemetry";
    private static readonly DateTimeOffset ReceivedAt = new(2026, 11, 24, 11, 0, 0, TimeSpan.Zero);
    private static readonly string CasesRoot = Path.Combine(AppContext.BaseDirectory, "Decoding", "Cases");

    public static TheoryData<string> Cases() => [.. Directory.GetDirectories(CasesRoot).Select(d => Path.GetFileName(d)!).Order()];

    internal static MessageDecoder CreateSut(RegistryOptions? registry = null)
    {
        var limits = Options.Create(new ValidationOptions());
        var devices = new DeviceRegistry(Options.Create(registry ?? new RegistryOptions()), TimeProvider.System, NullLogger<DeviceRegistry>.Instance);
        if (devices.IsConfigured)
        {
            devices.Reload();
        }

        var json = new PlatformJsonDecoder(limits);
        return new MessageDecoder(
            Options.Create(new IngestOptions()), limits, json, new GatewayBatchDecoder(json, devices, limits), new SenmlDecoder(limits),
            new LineProtocolDecoder(limits), new ReadingEnricher(devices));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_Case_MatchesExpectation(string name)
    {
        var folder = Path.Combine(CasesRoot, name);
        var payload = File.ReadAllBytes(Path.Combine(folder, "payload.json"));
        var topicFile = Path.Combine(folder, "topic.txt");
        var topic = File.Exists(topicFile) ? File.ReadAllText(topicFile).Trim() : DefaultTopic;
        var sut = CreateSut();

        var result = sut.Decode(new RawMessage(topic, payload, null, ReceivedAt, Delivery.None));

        var errorFile = Path.Combine(folder, "expected-error.txt");
        if (File.Exists(errorFile))
        {
            var expected = Enum.Parse<QuarantineReason>(File.ReadAllText(errorFile).Trim());
            Assert.False(result.IsSuccess, $"expected {expected}, got a reading");
            Assert.Equal(expected, result.Reason);
            Assert.False(string.IsNullOrWhiteSpace(result.Detail));
            return;
        }

        Assert.True(result.IsSuccess, $"expected a reading, got {result.Reason}: {result.Detail}");
        var reading = Assert.Single(result.Readings);
        using var expectedDoc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "expected.json")));
        var e = expectedDoc.RootElement;
        Assert.Equal(e.GetProperty("measurement").GetString(), reading.Measurement);
        Assert.Equal(e.GetProperty("device").GetString(), reading.DeviceId);
        Assert.Equal(e.GetProperty("site").GetString(), reading.Site);
        Assert.Equal(DateTimeOffset.Parse(e.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture), reading.Timestamp);
        Assert.Equal(e.GetProperty("deviceTimestamp").GetBoolean(), reading.HasDeviceTimestamp);
        var seq = e.GetProperty("seq");
        Assert.Equal(seq.ValueKind == JsonValueKind.Null ? null : seq.GetInt64(), reading.Sequence);
        Assert.Equal(
            e.GetProperty("values").EnumerateObject().Select(p => new KeyValuePair<string, double>(p.Name, p.Value.GetDouble())),
            reading.Values);
        Assert.Equal(e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!), reading.Flags);
    }

    [Theory]
    [InlineData("bn/air/yen-phong/air-yp-0001", QuarantineReason.InvalidTopic)]
    [InlineData("bn/soil/yen-phong/air-yp-0001/telemetry", QuarantineReason.InvalidTopic)]
    [InlineData("xx/air/yen-phong/air-yp-0001/telemetry", QuarantineReason.InvalidTopic)]
    [InlineData("bn/air//air-yp-0001/telemetry", QuarantineReason.InvalidTopic)]
    public void Decode_TopicOutsideScheme_QuarantinesWithReason(string topic, QuarantineReason expected)
    {
        var sut = CreateSut();

        var result = sut.Decode(new RawMessage(topic, """{"id":"air-yp-0001","values":{"pm25":1}}"""u8.ToArray(), null, ReceivedAt, Delivery.None));

        Assert.Equal(expected, result.Reason);
    }

    [Fact]
    public void Decode_PayloadOverLimit_QuarantinesWithoutParsing()
    {
        var sut = CreateSut();
        var payload = new byte[new ValidationOptions().MaxPayloadBytes + 1];
        Array.Fill(payload, (byte)'[');

        var result = sut.Decode(new RawMessage(DefaultTopic, payload, null, ReceivedAt, Delivery.None));

        Assert.Equal(QuarantineReason.PayloadTooLarge, result.Reason);
    }

    [Fact]
    public void Decode_RandomBytes_NeverThrows()
    {
        var sut = CreateSut();
        var random = new Random(7);
        for (var i = 0; i < 5_000; i++)
        {
            var payload = new byte[random.Next(0, 300)];
            random.NextBytes(payload);
            if (i % 2 == 0 && payload.Length > 2)
            {
                payload[0] = (byte)'{';
            }

            var result = sut.Decode(new RawMessage(DefaultTopic, payload, null, ReceivedAt, Delivery.None));

            Assert.False(result.IsSuccess);
        }
    }
}
