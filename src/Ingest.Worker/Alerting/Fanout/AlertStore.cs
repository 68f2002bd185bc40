using InfluxDB.Client.Core.Exceptions;
using InfluxDB.Client.Writes;
using Ingest.Worker.Sinks.Influx;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Alerting.Fanout;

/// <summary>
/// Writes alert and AQI points to InfluxDB through the worker's one write path (<see cref="InfluxWriter"/>), a small batch
/// at a time as they come. A batch InfluxDB cannot take now is kept and retried with growing back-off; one it refuses for
/// its content (400) is logged and dropped, since retrying cannot help. Single reader; drains on stop.
/// </summary>
public sealed partial class AlertStore(
    AlertChannels channels,
    InfluxWriter writer,
    IOptions<AlertingOptions> options,
    TimeProvider time,
    ILogger<AlertStore> logger) : BackgroundService
{
    private const int MaxBatch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = channels.Store.Reader;
        var batch = new List<string>(MaxBatch);
        // Not cancelled by stoppingToken: the evaluator completes the channel on stop and what is in it is written.
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var point))
            {
                batch.Add(point.ToLineProtocol());
            }

            await WriteAsync(batch, stoppingToken);
            batch.Clear();
        }
    }

    private async Task WriteAsync(List<string> batch, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        var failing = false;
        while (true)
        {
            try
            {
                await writer.WriteAsync(batch, CancellationToken.None);
                if (failing)
                {
                    LogRecovered(batch.Count);
                }

                return;
            }
            catch (BadRequestException ex)
            {
                LogRejected(batch.Count, ex.Message);
                return;
            }
#pragma warning disable CA1031 // InfluxDB away (any transport or server error): keep the batch and try again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (!failing)
                {
                    failing = true;
                    LogWriteFailed(batch.Count, ex.Message);
                }

                if (stoppingToken.IsCancellationRequested && backoff >= options.Value.MaxStoreBackoff)
                {
                    LogGivenUp(batch.Count);
                    return;
                }

                await Task.Delay(backoff, time, CancellationToken.None);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.Value.MaxStoreBackoff.Ticks));
            }
        }
    }

    [LoggerMessage(EventId = 730, Level = LogLevel.Warning, Message = "Cannot write {Count} alert/AQI point(s) to InfluxDB ({Error}); retrying")]
    private partial void LogWriteFailed(int count, string error);

    [LoggerMessage(EventId = 731, Level = LogLevel.Information, Message = "Alert/AQI points written again after InfluxDB came back ({Count} in the batch)")]
    private partial void LogRecovered(int count);

    [LoggerMessage(EventId = 732, Level = LogLevel.Error, Message = "InfluxDB refused {Count} alert/AQI point(s): {Error}")]
    private partial void LogRejected(int count, string error);

    [LoggerMessage(EventId = 733, Level = LogLevel.Error, Message = "Stopping with InfluxDB away: {Count} alert/AQI point(s) not stored (the events were published and the open alerts are in the state file)")]
    private partial void LogGivenUp(int count);
}
