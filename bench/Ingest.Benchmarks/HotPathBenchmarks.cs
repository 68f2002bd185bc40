using BenchmarkDotNet.Attributes;
using Ingest.Contracts;
using Ingest.Worker.Decoding;
using Ingest.Worker.Pipeline;
using Ingest.Worker.Sinks.Influx;

namespace Ingest.Benchmarks;

/// <summary>
/// The worker's per-reading work, each figure per reading (gateway and batch benchmarks divide by their readings):
/// decode + validate the platform JSON; the whole decode stage of a message (topic, format, decode, validate, enrich);
/// map a reading to its line-protocol point; a gateway batch of 100 decoded and mapped; and a 5,000-reading sink batch
/// written as the UTF-8 body of one write (what InfluxSink does before posting). The <c>…Registered</c> variants decode with
/// a registry that knows the device (site, zone and kind tags), the production setting.
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private const int GatewayChildren = 100;
    private const int SinkBatch = 5000;

    private MessageDecoder _decoder = null!;
    private MessageDecoder _registered = null!;
    private PlatformJsonDecoder _json = null!;
    private byte[] _document = null!;
    private DeviceTopic _topic;
    private RawMessage _single = null!;
    private RawMessage _gateway = null!;
    private Reading _reading = null!;
    private Reading[] _sinkReadings = null!;
    private readonly LineBatch _batch = new();

    [GlobalSetup]
    public void Setup()
    {
        _decoder = BenchInputs.CreateDecoder(out _json);
        _registered = BenchInputs.CreateDecoder(out _, withRegistry: true);
        _document = BenchInputs.Document(7, 42);
        var topics = new Topics();
        var topicName = topics.Telemetry(Domains.Air, "bench", BenchInputs.DeviceId(7));
        if (!topics.TryParse(topicName, out _topic))
        {
            throw new InvalidOperationException($"topic {topicName} does not parse");
        }

        _single = BenchInputs.Raw(topicName, _document);
        _gateway = BenchInputs.Raw(topics.GatewayBatch("bench", "gw-bench-001"), BenchInputs.GatewayBatch("gw-bench-001", GatewayChildren));
        _reading = Single(_decoder.Decode(_single));
        _sinkReadings = [.. Enumerable.Range(0, SinkBatch).Select(i => Single(_decoder.Decode(BenchInputs.Raw(
            topics.Telemetry(Domains.Air, "bench", BenchInputs.DeviceId(i % 1000)), BenchInputs.Document(i % 1000, i)))))];
        if (_registered.Decode(_single).Readings is not [{ Tags.Count: 2 }])
        {
            throw new InvalidOperationException("the registered decoder does not tag the bench device");
        }

        if (_decoder.Decode(_gateway).Readings.Count != GatewayChildren)
        {
            throw new InvalidOperationException("the gateway batch does not decode into its children");
        }
    }

    /// <summary>Decode + validate one platform JSON document (PlatformJsonDecoder, Utf8JsonReader over the payload).</summary>
    [Benchmark(Baseline = true)]
    public int DecodeValidate() => _json.Decode(_document, _topic, BenchInputs.Now).Readings.Count;

    /// <summary>The decode stage for one message: topic parse, format sniff, decode, validate, enrich (no registry).</summary>
    [Benchmark]
    public int DecodeStage() => _decoder.Decode(_single).Readings.Count;

    /// <summary>One reading → InfluxDB.Client PointData → line protocol: the sink's path before the direct writer.</summary>
    [Benchmark]
    public int MapToLineViaPointData() => PointMapper.ToPoint(_reading).ToLineProtocol().Length;

    /// <summary>One reading → line protocol as the sink does it now (PointMapper.ToLineProtocol).</summary>
    [Benchmark]
    public int MapToLine() => PointMapper.ToLineProtocol(_reading).Length;

    /// <summary>One reading → UTF-8 line appended to the sink's reused batch buffer (LineBatch), as the sink does now.</summary>
    [Benchmark]
    public long MapToLineBytes()
    {
        _batch.Clear();
        _batch.Add(_reading, 0);
        return _batch.Bytes;
    }

    /// <summary>
    /// Decode stage + the line in the sink's batch buffer for one single-reading message: the worker's whole CPU path per
    /// reading, less I/O.
    /// </summary>
    [Benchmark]
    public long HotPathPerReading() => DecodeIntoBatch(_decoder, _single);

    /// <summary>The same with the device in the registry: its site and tags set on the reading, and written as tags.</summary>
    [Benchmark]
    public long HotPathPerReadingRegistered() => DecodeIntoBatch(_registered, _single);

    /// <summary>A gateway batch of 100: decode, validate, place every child, write each line into the batch buffer. Per reading.</summary>
    [Benchmark(OperationsPerInvoke = GatewayChildren)]
    public long GatewayBatchPerReading() => DecodeIntoBatch(_decoder, _gateway);

    /// <summary>The same with every child in the registry.</summary>
    [Benchmark(OperationsPerInvoke = GatewayChildren)]
    public long GatewayBatchPerReadingRegistered() => DecodeIntoBatch(_registered, _gateway);

    /// <summary>A sink batch of 5,000 decoded readings written into the body of one write (InfluxSink.StoreBatchAsync). Per reading.</summary>
    [Benchmark(OperationsPerInvoke = SinkBatch)]
    public long SinkBatchPerReading()
    {
        _batch.Clear();
        for (var i = 0; i < _sinkReadings.Length; i++)
        {
            _batch.Add(_sinkReadings[i], i);
        }

        return _batch.Body(0, _batch.Count).Length;
    }

    private long DecodeIntoBatch(MessageDecoder decoder, RawMessage message)
    {
        var result = decoder.Decode(message);
        _batch.Clear();
        for (var i = 0; i < result.Readings.Count; i++)
        {
            _batch.Add(result.Readings[i], 0);
        }

        return _batch.Bytes;
    }

    private static Reading Single(DecodeResult result) =>
        result.IsSuccess && result.Readings.Count == 1 ? result.Readings[0] : throw new InvalidOperationException($"decode failed: {result.Reason} {result.Detail}");
}
