using System.Diagnostics;
using System.Threading.Channels;
using InfluxDB.Client.Core.Exceptions;
using Ingest.Worker.Diagnostics;
using Ingest.Worker.Pipeline;
using Ingest.Worker.Quarantine;
using Ingest.Worker.Sinks.Spool;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace Ingest.Worker.Sinks.Influx;

/// <summary>
/// The storage stage. Gathers decoded messages into batches (by reading count or by the age of the first, whichever comes
/// first) and treats each write as a transaction with three outcomes:
/// accepted by InfluxDB → complete the messages (they are acknowledged);
/// rejected for content (400) → split to find the offending readings and quarantine only those;
/// InfluxDB unavailable → append the batch to the <see cref="DiskSpool"/> (fsynced) and complete the messages; a replay
/// loop writes the spool back, oldest first, when InfluxDB returns. While the spool holds anything, new batches go behind
/// it, so readings reach InfluxDB in arrival order. When the spool is full, the stage waits instead of acknowledging:
/// the channels behind it fill and the broker keeps the rest. Single reader; up to <c>Influx:WriteConcurrency</c> batches
/// are written at once, a batch that goes to the spool goes after the one before it, and acknowledgements leave in arrival
/// order whichever write finishes first (<see cref="DeliveryTracker"/>).
/// </summary>
public sealed partial class InfluxSink(
    PipelineChannels channels,
    InfluxWriter writer,
    DiskSpool spool,
    ResiliencePipelineProvider<string> pipelines,
    QuarantineStore quarantine,
    IngestMetrics metrics,
    IOptions<InfluxSinkOptions> options,
    TimeProvider time,
    ILogger<InfluxSink> logger) : BackgroundService
{
    private const string SpoolTopic = "$spool";
    private static readonly TimeSpan BatchPollInterval = TimeSpan.FromMilliseconds(10);
    private readonly InfluxSinkOptions _options = options.Value;
    private readonly ResiliencePipeline _pipeline = pipelines.GetPipeline(InfluxResilience.PipelineName);
    private readonly SemaphoreSlim _spooled = new(0);
    private int _unavailable;

    /// <summary>False from the first failed write until the next successful one.</summary>
    public bool IsAvailable => Volatile.Read(ref _unavailable) == 0;

    /// <summary>Bytes of readings waiting in the spool.</summary>
    public long SpoolBytes => spool.Bytes;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await writer.EnsureDatabaseAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // Not fatal: batches go to the spool and the replay creates the database when InfluxDB answers.
            MarkUnavailable(ex);
        }

        if (!spool.IsEmpty)
        {
            LogSpoolFound(spool.SegmentCount, spool.Bytes, spool.Directory);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var replay = ReplayAsync(stoppingToken);
        var reader = channels.Sink.Reader;
        // Up to WriteConcurrency batches are written at once: InfluxDB parses one request while it fsyncs another, and
        // the next batch is built while a write waits. Each batch has its own buffers; taking a free one is what bounds
        // the writes in flight (and, behind them, the channel and the broker).
        var free = Channel.CreateUnbounded<WriteSlot>();
        for (var i = 0; i < _options.WriteConcurrency; i++)
        {
            free.Writer.TryWrite(new WriteSlot());
        }

        var previous = Task.CompletedTask;
        // Not cancelled by stoppingToken: the decode stage completes the channel on stop and the rest is drained.
        while (!stoppingToken.IsCancellationRequested && await reader.WaitToReadAsync(CancellationToken.None))
        {
            var slot = await free.Reader.ReadAsync(CancellationToken.None);
            if (previous.IsFaulted)
            {
                await previous;
            }

            var readings = 0;
            var deadline = time.GetUtcNow() + _options.FlushInterval;
            while (readings < _options.BatchSize)
            {
                if (reader.TryRead(out var message))
                {
                    slot.Batch.Add(message);
                    readings += message.Readings.Count;
                    continue;
                }

                var remaining = deadline - time.GetUtcNow();
                if (remaining <= TimeSpan.Zero || reader.Completion.IsCompleted)
                {
                    break;
                }

                // Polls instead of waking per message: at thousands of messages a second a wake-up (and a timer) per
                // message costs more than the work. The batch leaves at its deadline, or within a poll of filling up.
                await Task.Delay(remaining < BatchPollInterval ? remaining : BatchPollInterval, time, CancellationToken.None);
            }

            previous = StoreInTurnAsync(slot, previous, free.Writer, stoppingToken);
        }

        await previous;
        _spooled.Release();
        await replay;
    }

    /// <summary>
    /// Stores one batch beside the writes still in flight, and completes only after the batch before it has: awaiting the
    /// last one awaits them all, and a batch that goes to the spool goes after its predecessor's. The slot goes back to
    /// <paramref name="free"/> as soon as this batch is done.
    /// </summary>
    private async Task StoreInTurnAsync(WriteSlot slot, Task previous, ChannelWriter<WriteSlot> free, CancellationToken stoppingToken)
    {
        try
        {
            await StoreBatchAsync(slot, previous, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped with the spool full: these messages stay un-acknowledged and the broker redelivers them.
        }
        finally
        {
            slot.Batch.Clear();
            free.TryWrite(slot);
        }

        await previous;
    }

    private async Task StoreBatchAsync(WriteSlot slot, Task previous, CancellationToken cancellationToken)
    {
        var (batch, lines) = (slot.Batch, slot.Lines);
        lines.Clear();
        for (var i = 0; i < batch.Count; i++)
        {
            var readings = batch[i].Readings;
            for (var r = 0; r < readings.Count; r++)
            {
                lines.Add(readings[r], i);
            }
        }

        if (spool.IsEmpty && IsAvailable)
        {
            var rejected = new Dictionary<int, string>();
            var started = Stopwatch.GetTimestamp();
            if (await TryWriteAsync(lines, 0, lines.Count, rejected, cancellationToken))
            {
                metrics.BatchWritten(lines.Count - rejected.Count, Stopwatch.GetElapsedTime(started));
                await CompleteAsync(batch, rejected, cancellationToken);
                return;
            }
        }

        // The spool keeps batches in arrival order: the one before goes first (it may be on its way there too).
        await WaitQuietlyAsync(previous);

        // InfluxDB is away (or the spool still drains): keep the batch on disk, then acknowledge it.
        var waitingForRoom = false;
        while (!spool.HasRoomFor(lines.Bytes))
        {
            if (!waitingForRoom)
            {
                waitingForRoom = true;
                LogSpoolFull(spool.Bytes);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
        }

        await AppendToSpoolAsync(lines, cancellationToken);
        metrics.BatchSpooled(lines.Count);
        _spooled.Release();
        await CompleteAsync(batch, new Dictionary<int, string>(), cancellationToken);
    }

    /// <summary>Waits for a task without taking on its failure (its own awaiter reports that).</summary>
    private static async Task WaitQuietlyAsync(Task task)
    {
        try
        {
            await task;
        }
#pragma warning disable CA1031 // Only the order matters here; the batch's own chain rethrows the failure.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task AppendToSpoolAsync(LineBatch lines, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await spool.AppendAsync(lines.Body(0, lines.Count), cancellationToken);
                return;
            }
            catch (IOException ex)
            {
                // A failing disk: hold the batch un-acknowledged and keep trying; nothing is dropped.
                LogSpoolWriteFailed(ex, spool.Directory);
                await Task.Delay(backoff, time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
            }
        }
    }

    private async Task CompleteAsync(List<PendingMessage> batch, Dictionary<int, string> rejected, CancellationToken cancellationToken)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i].Message;
            if (rejected.TryGetValue(i, out var error))
            {
                // The quarantine completes the delivery once the record is on disk.
                await quarantine.AddAsync(
                    new QuarantineRecord(message.Topic, message.Payload, message.ReceivedAt, QuarantineReason.RejectedByStore, error,
                        batch[i].Readings.Count > 0 ? batch[i].Readings[0].DeviceId : null)
                    {
                        Delivery = message.Delivery,
                    },
                    cancellationToken);
            }
            else
            {
                message.Delivery.Complete();
            }
        }
    }

    /// <summary>
    /// One write of lines [<paramref name="from"/>, <paramref name="to"/>) with the resilience pipeline's quick retries.
    /// True when InfluxDB answered for every line (accepted, or rejected for content, in which case
    /// <paramref name="rejected"/> names the owners of the bad lines); false when it is unavailable.
    /// </summary>
    private async Task<bool> TryWriteAsync(LineBatch lines, int from, int to, Dictionary<int, string> rejected, CancellationToken cancellationToken)
    {
        if (from >= to)
        {
            return true;
        }

        try
        {
            await _pipeline.ExecuteAsync(static async (state, ct) => await state.writer.WriteAsync(state.body, ct), (writer, body: lines.Body(from, to)), cancellationToken);
            MarkAvailable();
            return true;
        }
        catch (Exception ex) when (ex is BadRequestException or RequestEntityTooLargeException)
        {
            MarkAvailable();
            if (to - from == 1)
            {
                rejected[lines.Owner(from)] = $"InfluxDB rejected the reading: {ex.Message}";
                return true;
            }

            // Split until only the offending lines are left; the accepted ones are idempotent rewrites.
            var half = from + ((to - from) / 2);
            return await TryWriteAsync(lines, from, half, rejected, cancellationToken)
                && await TryWriteAsync(lines, half, to, rejected, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            MarkUnavailable(ex);
            if (ex is NotFoundException)
            {
                await TryEnsureDatabaseAsync(cancellationToken);
            }

            return false;
        }
    }

    /// <summary>Writes the spool back to InfluxDB, oldest segment first, waiting with backoff while it is away.</summary>
    private async Task ReplayAsync(CancellationToken stoppingToken)
    {
        var replayed = new LineBatch();
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!spool.TryPeekOldest(out var segment))
            {
                try
                {
                    await _spooled.WaitAsync(stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            try
            {
                replayed.Clear();
                replayed.AddLines(await spool.ReadAsync(segment, stoppingToken));

                var rejected = new Dictionary<int, string>();
                var started = Stopwatch.GetTimestamp();
                if (!await TryWriteAsync(replayed, 0, replayed.Count, rejected, stoppingToken))
                {
                    await Task.Delay(backoff, time, stoppingToken);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                    continue;
                }

                foreach (var (line, error) in rejected)
                {
                    await quarantine.AddAsync(
                        new QuarantineRecord(SpoolTopic, replayed.Line(line).ToArray(), time.GetUtcNow(), QuarantineReason.RejectedByStore, error),
                        stoppingToken);
                }

                metrics.BatchWritten(replayed.Count - rejected.Count, Stopwatch.GetElapsedTime(started));
                metrics.SpoolReplayed(replayed.Count);
                spool.Delete(segment);
                backoff = TimeSpan.FromMilliseconds(200);
                if (spool.IsEmpty)
                {
                    LogSpoolDrained();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task TryEnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await writer.EnsureDatabaseAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Still away; the spool holds the readings meanwhile.
        }
    }

    private void MarkAvailable()
    {
        if (Interlocked.Exchange(ref _unavailable, 0) == 1)
        {
            metrics.InfluxStateChanged(available: true);
            LogAvailable(_options.Url, spool.SegmentCount);
        }
    }

    private void MarkUnavailable(Exception ex)
    {
        if (Interlocked.Exchange(ref _unavailable, 1) == 0)
        {
            metrics.InfluxStateChanged(available: false);
            LogUnavailable(_options.Url, ex.Message);
        }
    }

    /// <summary>The buffers of one batch in flight.</summary>
    private sealed class WriteSlot
    {
        public List<PendingMessage> Batch { get; } = new(256);

        public LineBatch Lines { get; } = new();
    }

    public override void Dispose()
    {
        _spooled.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning,
        Message = "InfluxDB at {Url} is unavailable ({Error}); keeping readings in the spool and retrying")]
    private partial void LogUnavailable(Uri url, string error);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "InfluxDB at {Url} is available again; replaying {Segments} spooled batch(es)")]
    private partial void LogAvailable(Uri url, int segments);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Spool drained: every spooled reading is in InfluxDB")]
    private partial void LogSpoolDrained();

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning,
        Message = "Spool is full ({Bytes} bytes): no longer acknowledging new messages; the broker keeps them until InfluxDB returns")]
    private partial void LogSpoolFull(long bytes);

    [LoggerMessage(EventId = 404, Level = LogLevel.Error, Message = "Cannot write to the spool in {Directory}; holding the batch")]
    private partial void LogSpoolWriteFailed(Exception exception, string directory);

    [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "Found {Segments} spooled batch(es) ({Bytes} bytes) in {Directory}; replaying")]
    private partial void LogSpoolFound(int segments, long bytes, string directory);
}
