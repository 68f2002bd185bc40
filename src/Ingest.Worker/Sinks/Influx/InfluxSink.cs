using System.Diagnostics;
using InfluxDB.Client.Core.Exceptions;
using InfluxDB.Client.Writes;
using Ingest.Worker.Diagnostics;
using Ingest.Worker.Pipeline;
using Ingest.Worker.Quarantine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace Ingest.Worker.Sinks.Influx;

/// <summary>
/// The storage stage. Gathers decoded messages into batches (by reading count or by the age of the first, whichever comes
/// first), writes each batch through the <see cref="InfluxResilience.PipelineName"/> pipeline, and completes the messages'
/// deliveries only after InfluxDB accepted them. Each write is a transaction with three outcomes:
/// accepted → complete; rejected for content (400) → split to find the offending readings, quarantine only those;
/// unavailable → keep the batch and retry with backoff until InfluxDB returns (the broker keeps the un-acknowledged rest).
/// Single reader; batches are written in arrival order.
/// </summary>
public sealed partial class InfluxSink(
    PipelineChannels channels,
    InfluxWriter writer,
    ResiliencePipelineProvider<string> pipelines,
    QuarantineStore quarantine,
    IngestMetrics metrics,
    IOptions<InfluxSinkOptions> options,
    TimeProvider time,
    ILogger<InfluxSink> logger) : BackgroundService
{
    private readonly InfluxSinkOptions _options = options.Value;
    private readonly ResiliencePipeline _pipeline = pipelines.GetPipeline(InfluxResilience.PipelineName);
    private volatile bool _available = true;

    /// <summary>False from the first failed write until the next successful one.</summary>
    public bool IsAvailable => _available;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await writer.EnsureDatabaseAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // Not fatal: the write loop waits for InfluxDB and creates the database when it answers.
            LogUnavailable(_options.Url, ex.Message);
            _available = false;
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = channels.Sink.Reader;
        var batch = new List<PendingMessage>(256);
        // Not cancelled by stoppingToken: the decode stage completes the channel on stop and the rest is drained.
        while (!stoppingToken.IsCancellationRequested && await reader.WaitToReadAsync(CancellationToken.None))
        {
            var readings = 0;
            var deadline = time.GetUtcNow() + _options.FlushInterval;
            while (readings < _options.BatchSize)
            {
                if (reader.TryRead(out var message))
                {
                    batch.Add(message);
                    readings += message.Readings.Count;
                    continue;
                }

                var remaining = deadline - time.GetUtcNow();
                if (remaining <= TimeSpan.Zero || !await WaitForMoreAsync(reader, remaining))
                {
                    break;
                }
            }

            try
            {
                await WriteBatchAsync(batch, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopped while InfluxDB was away: these messages stay un-acknowledged and the broker redelivers them.
                return;
            }

            batch.Clear();
        }
    }

    private async Task<bool> WaitForMoreAsync(System.Threading.Channels.ChannelReader<PendingMessage> reader, TimeSpan remaining)
    {
        using var timeout = new CancellationTokenSource(remaining, time);
        try
        {
            return await reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task WriteBatchAsync(List<PendingMessage> batch, CancellationToken cancellationToken)
    {
        var entries = new List<(PointData Point, int Owner)>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            foreach (var reading in batch[i].Readings)
            {
                entries.Add((PointMapper.ToPoint(reading), i));
            }
        }

        var rejected = new Dictionary<int, string>();
        var started = Stopwatch.GetTimestamp();
        await WriteEntriesAsync(entries, rejected, cancellationToken);
        metrics.BatchWritten(entries.Count - rejected.Count, Stopwatch.GetElapsedTime(started));

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

    private async Task WriteEntriesAsync(List<(PointData Point, int Owner)> entries, Dictionary<int, string> rejected, CancellationToken cancellationToken)
    {
        var points = entries.ConvertAll(e => e.Point);
        var backoff = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await _pipeline.ExecuteAsync(static async (state, ct) => await state.writer.WriteAsync(state.points, ct), (writer, points), cancellationToken);
                MarkAvailable();
                return;
            }
            catch (Exception ex) when (ex is BadRequestException or RequestEntityTooLargeException)
            {
                MarkAvailable();
                if (entries.Count == 1)
                {
                    rejected[entries[0].Owner] = $"InfluxDB rejected the reading: {ex.Message}";
                    return;
                }

                // Split until only the offending readings are left; the accepted ones are idempotent rewrites.
                var half = entries.Count / 2;
                await WriteEntriesAsync(entries.GetRange(0, half), rejected, cancellationToken);
                await WriteEntriesAsync(entries.GetRange(half, entries.Count - half), rejected, cancellationToken);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                MarkUnavailable(ex);
                if (ex is NotFoundException)
                {
                    await TryEnsureDatabaseAsync(cancellationToken);
                }

                await Task.Delay(backoff, time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
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
            // Still away; the write loop goes on waiting.
        }
    }

    private void MarkAvailable()
    {
        if (!_available)
        {
            _available = true;
            LogAvailable(_options.Url);
        }
    }

    private void MarkUnavailable(Exception ex)
    {
        if (_available)
        {
            _available = false;
            LogUnavailable(_options.Url, ex.Message);
        }
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning,
        Message = "InfluxDB at {Url} is unavailable ({Error}); holding readings un-acknowledged and retrying")]
    private partial void LogUnavailable(Uri url, string error);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "InfluxDB at {Url} is available; writing")]
    private partial void LogAvailable(Uri url);
}
