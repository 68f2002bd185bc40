using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using Ingest.Contracts;
using Ingest.Worker.Diagnostics;
using Ingest.Worker.Hosting;
using Ingest.Worker.Sources.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Quarantine;

/// <summary>
/// Keeps every rejected message in rotating JSON-lines files (<c>quarantine-*.jsonl</c>): time, topic, reason, detail,
/// the raw payload (bounded, base64) and its full length. Records are queued by any stage and written by one loop that
/// fsyncs each group before completing their deliveries, so a quarantined message is acknowledged only once it is kept.
/// Counts per reason; logs each reason at most once per <see cref="QuarantineOptions.LogInterval"/>.
/// </summary>
public sealed partial class QuarantineStore : BackgroundService
{
    /// <summary>A dead letter's size bound: well under a broker's usual message size limit.</summary>
    private const int MaxDeadLetterBytes = 256 * 1024;

    /// <summary>JSON Lines: one quarantine record per line, as in the files.</summary>
    private const string DeadLetterContentType = "application/jsonl";

    private readonly Channel<QuarantineRecord> _queue;
    private readonly QuarantineOptions _options;
    private readonly IngestMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<QuarantineStore> _logger;
    private readonly string _directory;
    private readonly long[] _sinceLastLog = new long[Enum.GetValues<QuarantineReason>().Length];
    private readonly DateTimeOffset[] _lastLogged = new DateTimeOffset[Enum.GetValues<QuarantineReason>().Length];
    private readonly Lazy<IMqttPublisher?> _publisher;
    private readonly Topics _topics;
    /// <summary>The group being kept, as the JSON lines written to the file; <see cref="_lines"/> is where each record's is.</summary>
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly List<Range> _lines = new(1024);
    private readonly ArrayBufferWriter<byte> _deadLetter = new(4096);
    private FileStream? _file;

    public QuarantineStore(
        IOptions<QuarantineOptions> options,
        IOptions<IngestOptions> ingest,
        IngestMetrics metrics,
        IServiceProvider services,
        TimeProvider time,
        ILogger<QuarantineStore> logger)
    {
        // Resolved at the first dead letter, not here: the publisher is the MQTT source, which hands messages to the decode
        // stage, which quarantines through this store — a constructor dependency would be a cycle.
        _publisher = new Lazy<IMqttPublisher?>(services.GetService<IMqttPublisher>);
        _topics = new Topics(ingest.Value.TopicRoot);
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _directory = Path.GetFullPath(string.IsNullOrWhiteSpace(_options.Directory)
            ? Path.Combine(ingest.Value.DataDirectory, "quarantine")
            : _options.Directory);
        _queue = Channel.CreateBounded<QuarantineRecord>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    public string Directory => _directory;

    /// <summary>Queues a record; waits (never drops) while the writer is behind.</summary>
    public ValueTask AddAsync(QuarantineRecord record, CancellationToken cancellationToken)
    {
        _metrics.QuarantinedOne(record.Reason);
        return _queue.Writer.WriteAsync(record, cancellationToken);
    }

    /// <summary>No more records will come; the loop writes what it holds and ends.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(_directory);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var group = new List<QuarantineRecord>(256);
        // Drain to the end even after stop is requested: the pipeline completes the queue once it has drained.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            group.Clear();
            while (group.Count < 1024 && _queue.Reader.TryRead(out var record))
            {
                group.Add(record);
            }

            try
            {
                await WriteGroupAsync(group);
            }
#pragma warning disable CA1031 // Whatever the disk does, the records are kept and retried, not lost with the loop.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // The disk is failing: keep the messages un-acknowledged (the broker keeps them) and say so.
                LogWriteFailed(ex, _directory);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, CancellationToken.None);
                foreach (var record in group)
                {
                    await _queue.Writer.WriteAsync(record, CancellationToken.None);
                }

                continue;
            }

            foreach (var record in group)
            {
                record.Delivery.Complete();
                NoteForLog(record);
            }

            // Kept and acknowledged: the dead letters only tell of it, so they neither hold the acknowledgements back
            // nor, were publishing to fail, send the records round again.
            if (_publisher.Value is { } publisher)
            {
                await PublishDeadLettersAsync(publisher, group);
            }
        }

        _file?.Dispose();
    }

    /// <summary>
    /// Appends the group's records to the current file as JSON lines and fsyncs. The lines stay in <see cref="_buffer"/>
    /// (each record's at its range in <see cref="_lines"/>) for the dead letters: no copy per record.
    /// </summary>
    private async Task WriteGroupAsync(List<QuarantineRecord> group)
    {
        var file = OpenFile();
        _lines.Clear();
        _buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            foreach (var record in group)
            {
                var start = _buffer.WrittenCount;
                WriteRecord(writer, record);
                writer.Flush();
                writer.Reset();
                _lines.Add(new Range(start, _buffer.WrittenCount));
                _buffer.Write("\n"u8);
            }
        }

        await file.WriteAsync(_buffer.WrittenMemory);
        await file.FlushAsync();
        file.Flush(flushToDisk: true);
    }

    /// <summary>
    /// The group's records on <c>bn/deadletter/&lt;reason&gt;</c>: the file is the durable record, the topic is for people
    /// and tools watching live (QoS 0). One message per reason per group, its records as JSON lines in arrival order, at
    /// most <see cref="MaxDeadLetterBytes"/> each: a message alone makes a one-line dead letter, while a flood of bad
    /// messages costs the broker one publish per group rather than a second message for every message it delivered.
    /// </summary>
    private async Task PublishDeadLettersAsync(IMqttPublisher publisher, List<QuarantineRecord> group)
    {
        foreach (var reason in group.Select(r => r.Reason).Distinct())
        {
            var topic = _topics.DeadLetter(reason.ToString());
            _deadLetter.ResetWrittenCount();
            for (var i = 0; i < group.Count; i++)
            {
                if (group[i].Reason != reason)
                {
                    continue;
                }

                var line = _buffer.WrittenMemory[_lines[i]];
                if (_deadLetter.WrittenCount > 0 && _deadLetter.WrittenCount + 1 + line.Length > MaxDeadLetterBytes)
                {
                    await publisher.TryPublishAsync(topic, _deadLetter.WrittenMemory, DeadLetterContentType, atLeastOnce: false, CancellationToken.None);
                    _deadLetter.ResetWrittenCount();
                }

                if (_deadLetter.WrittenCount > 0)
                {
                    _deadLetter.Write("\n"u8);
                }

                _deadLetter.Write(line.Span);
            }

            await publisher.TryPublishAsync(topic, _deadLetter.WrittenMemory, DeadLetterContentType, atLeastOnce: false, CancellationToken.None);
        }
    }

    private void WriteRecord(Utf8JsonWriter writer, QuarantineRecord record)
    {
        writer.WriteStartObject();
        writer.WriteString("time", record.ReceivedAt.UtcDateTime);
        writer.WriteString("reason", record.Reason.ToString());
        writer.WriteString("detail", record.Detail);
        writer.WriteString("topic", record.Topic);
        if (record.DeviceId is not null)
        {
            writer.WriteString("device", record.DeviceId);
        }

        writer.WriteNumber("payloadLength", record.PayloadLength);
        var kept = record.Payload.Length <= _options.MaxPayloadBytesKept
            ? record.Payload.Span
            : record.Payload.Span[.._options.MaxPayloadBytesKept];
        writer.WriteBase64String("payload", kept);
        writer.WriteEndObject();
    }

    private FileStream OpenFile()
    {
        if (_file is not null && _file.Length < _options.MaxFileBytes)
        {
            return _file;
        }

        _file?.Dispose();
        var name = $"quarantine-{_time.GetUtcNow():yyyyMMdd'T'HHmmssfff}.jsonl";
        _file = new FileStream(Path.Combine(_directory, name), FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024);
        var old = new DirectoryInfo(_directory).GetFiles("quarantine-*.jsonl").OrderByDescending(f => f.Name).Skip(_options.MaxFiles);
        foreach (var stale in old)
        {
            stale.Delete();
        }

        return _file;
    }

    private void NoteForLog(QuarantineRecord record)
    {
        var i = (int)record.Reason;
        _sinceLastLog[i]++;
        var now = _time.GetUtcNow();
        if (now - _lastLogged[i] >= _options.LogInterval)
        {
            LogQuarantined(record.Reason, _sinceLastLog[i], record.Topic, record.Detail);
            _lastLogged[i] = now;
            _sinceLastLog[i] = 0;
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning,
        Message = "Quarantined {Count} message(s) for {Reason} since the last report; latest from {Topic}: {Detail}")]
    private partial void LogQuarantined(QuarantineReason reason, long count, string topic, string detail);

    [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "Cannot write the quarantine file in {Directory}; holding the messages")]
    private partial void LogWriteFailed(Exception exception, string directory);
}
