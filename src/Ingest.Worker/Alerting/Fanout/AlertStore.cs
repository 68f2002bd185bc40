using System.Text;
using System.Threading.Channels;
using InfluxDB.Client.Core.Exceptions;
using InfluxDB.Client.Writes;
using Ingest.Worker.Hosting;
using Ingest.Worker.Sinks.Influx;
using Ingest.Worker.Sinks.Spool;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Alerting.Fanout;

/// <summary>
/// Writes alert and AQI points to InfluxDB through the worker's one write path (<see cref="InfluxWriter"/>), a small batch
/// at a time as they come. A batch InfluxDB cannot take now goes to a spool of its own on disk
/// (<c>{Ingest:DataDirectory}/alerts/spool</c>, the readings' <see cref="DiskSpool"/> format), and later batches after it,
/// so the alert history keeps its order and survives a stop or a crash while InfluxDB is away; the spool is written back,
/// oldest first, as soon as InfluxDB answers again (tried with growing back-off, and at the next start). A batch refused for
/// its content (400) is logged and dropped, since retrying cannot help. Single reader; drains on stop.
/// </summary>
public sealed partial class AlertStore : BackgroundService
{
    private const int MaxBatch = 500;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);

    private readonly AlertChannels _channels;
    private readonly InfluxWriter _writer;
    private readonly AlertingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertStore> _logger;
    private readonly DiskSpool _spool;
    private TimeSpan _backoff = FirstBackoff;
    private bool _failing;

    public AlertStore(
        AlertChannels channels, InfluxWriter writer, IOptions<AlertingOptions> options, IOptions<IngestOptions> ingest, TimeProvider time,
        ILogger<AlertStore> logger)
    {
        _channels = channels;
        _writer = writer;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _spool = new DiskSpool(
            Options.Create(new SpoolOptions { Directory = Path.Combine(ingest.Value.DataDirectory, "alerts", "spool"), MaxBytes = _options.SpoolMaxBytes }),
            ingest);
    }

    /// <summary>Bytes of alert/AQI points waiting on disk for InfluxDB.</summary>
    public long SpoolBytes => _spool.Bytes;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_spool.IsEmpty)
        {
            LogSpoolFound(_spool.SegmentCount, _spool.Bytes, _spool.Directory);
        }

        var reader = _channels.Store.Reader;
        var batch = new List<string>(MaxBatch);
        // Not cancelled by stoppingToken: the evaluator completes the channel on stop and what is in it is stored.
        while (true)
        {
            bool more;
            if (_spool.IsEmpty)
            {
                more = await reader.WaitToReadAsync(CancellationToken.None);
            }
            else if (await TryReplayOldestAsync())
            {
                continue;
            }
            else
            {
                // InfluxDB still away: wait for new points, or the back-off, whichever comes first.
                more = await WaitToReadAsync(reader, _backoff);
                GrowBackoff();
            }

            while (batch.Count < MaxBatch && reader.TryRead(out var point))
            {
                batch.Add(point.ToLineProtocol());
            }

            if (batch.Count > 0)
            {
                await StoreAsync(batch, stoppingToken);
                batch.Clear();
            }

            if (!more)
            {
                break; // completed and empty
            }
        }

        // Stopping: one more try at what waits on disk; whatever InfluxDB does not take now stays for the next start.
        while (!_spool.IsEmpty && await TryReplayOldestAsync())
        {
        }

        if (!_spool.IsEmpty)
        {
            LogLeftInSpool(_spool.SegmentCount, _spool.Bytes);
        }
    }

    private async Task<bool> WaitToReadAsync(ChannelReader<PointData> reader, TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout, _time);
        try
        {
            return await reader.WaitToReadAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    /// <summary>Writes a batch now, or (InfluxDB away, or older points still on disk) appends it to the spool.</summary>
    private async Task StoreAsync(List<string> batch, CancellationToken stoppingToken)
    {
        var body = Encoding.UTF8.GetBytes(string.Join('\n', batch) + "\n");
        while (true)
        {
            if (_spool.IsEmpty && await TryWriteAsync(body, batch.Count))
            {
                return;
            }

            if (_spool.HasRoomFor(body.Length))
            {
                try
                {
                    await _spool.AppendAsync(body, CancellationToken.None);
                    return;
                }
                catch (IOException ex)
                {
                    LogSpoolWriteFailed(ex, _spool.Directory);
                }
            }
            else
            {
                LogSpoolFull(_spool.Bytes);
            }

            // No room or a failing disk: hold the batch (the evaluator waits behind it) and try both ways again.
            if (stoppingToken.IsCancellationRequested && _backoff >= _options.MaxStoreBackoff)
            {
                LogGivenUp(batch.Count);
                return;
            }

            await Task.Delay(_backoff, _time, CancellationToken.None);
            GrowBackoff();
        }
    }

    private void GrowBackoff() => _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, _options.MaxStoreBackoff.Ticks));

    /// <summary>Writes the oldest spool segment back; false when InfluxDB is still away.</summary>
    private async Task<bool> TryReplayOldestAsync()
    {
        if (!_spool.TryPeekOldest(out var segment))
        {
            return true;
        }

        var body = await _spool.ReadAsync(segment, CancellationToken.None);
        var lines = body.AsSpan().Count((byte)'\n');
        if (!await TryWriteAsync(body, lines))
        {
            return false;
        }

        _spool.Delete(segment);
        if (_spool.IsEmpty)
        {
            LogSpoolDrained();
        }

        return true;
    }

    /// <summary>One write; true when InfluxDB answered (stored, or refused for content and dropped), false when it is away.</summary>
    private async Task<bool> TryWriteAsync(ReadOnlyMemory<byte> body, int points)
    {
        try
        {
            await _writer.WriteAsync(body, CancellationToken.None);
            if (_failing)
            {
                _failing = false;
                LogRecovered(points);
            }

            _backoff = FirstBackoff;
            return true;
        }
        catch (BadRequestException ex)
        {
            LogRejected(points, ex.Message);
            return true;
        }
#pragma warning disable CA1031 // InfluxDB away (any transport or server error): the points wait on disk.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (!_failing)
            {
                _failing = true;
                LogWriteFailed(points, ex.Message);
            }

            return false;
        }
    }

    [LoggerMessage(EventId = 730, Level = LogLevel.Warning, Message = "Cannot write {Count} alert/AQI point(s) to InfluxDB ({Error}); keeping them on disk until it is back")]
    private partial void LogWriteFailed(int count, string error);

    [LoggerMessage(EventId = 731, Level = LogLevel.Information, Message = "Alert/AQI points written again after InfluxDB came back ({Count} in the batch)")]
    private partial void LogRecovered(int count);

    [LoggerMessage(EventId = 732, Level = LogLevel.Error, Message = "InfluxDB refused {Count} alert/AQI point(s): {Error}")]
    private partial void LogRejected(int count, string error);

    [LoggerMessage(EventId = 733, Level = LogLevel.Error, Message = "Stopping with InfluxDB away and no room on disk: {Count} alert/AQI point(s) not stored (the events were published and the open alerts are in the state file)")]
    private partial void LogGivenUp(int count);

    [LoggerMessage(EventId = 734, Level = LogLevel.Information, Message = "Found {Segments} spooled alert/AQI batch(es) ({Bytes} bytes) in {Directory}; writing them to InfluxDB")]
    private partial void LogSpoolFound(int segments, long bytes, string directory);

    [LoggerMessage(EventId = 735, Level = LogLevel.Information, Message = "Spooled alert/AQI points all written to InfluxDB")]
    private partial void LogSpoolDrained();

    [LoggerMessage(EventId = 736, Level = LogLevel.Warning, Message = "Stopping with {Segments} alert/AQI batch(es) ({Bytes} bytes) on disk for InfluxDB; they are written at the next start")]
    private partial void LogLeftInSpool(int segments, long bytes);

    [LoggerMessage(EventId = 737, Level = LogLevel.Error, Message = "Cannot write the alert spool in {Directory}; holding the batch")]
    private partial void LogSpoolWriteFailed(Exception ex, string directory);

    [LoggerMessage(EventId = 738, Level = LogLevel.Warning, Message = "The alert spool is full ({Bytes} bytes); holding the batch until InfluxDB is back")]
    private partial void LogSpoolFull(long bytes);
}
