using Ingest.Worker.Hosting;
using Ingest.Worker.Pipeline;
using Ingest.Worker.Sinks.Influx;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Diagnostics;

/// <summary>Logs one line of running totals and rates per interval (never one line per message), and only when something moved.</summary>
public sealed partial class ThroughputReporter(
    IngestMetrics metrics, DeliveryTracker tracker, InfluxSink sink, IOptions<IngestOptions> options, TimeProvider time,
    ILogger<ThroughputReporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ReportInterval;
        using var timer = new PeriodicTimer(interval, time);
        long lastReceived = 0, lastWritten = 0, lastQuarantined = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                long received = metrics.ReceivedTotal, written = metrics.WrittenTotal, quarantined = metrics.QuarantinedTotal;
                if (received == lastReceived && written == lastWritten && quarantined == lastQuarantined)
                {
                    continue;
                }

                LogTotals(
                    received, (received - lastReceived) / interval.TotalSeconds,
                    written, (written - lastWritten) / interval.TotalSeconds,
                    quarantined, tracker.PendingCount, sink.IsAvailable ? "up" : "DOWN", sink.SpoolBytes);
                (lastReceived, lastWritten, lastQuarantined) = (received, written, quarantined);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information,
        Message = "Messages received {Received} ({ReceiveRate:F0}/s), readings stored {Written} ({WriteRate:F0}/s), quarantined {Quarantined}, awaiting ack {Pending}, InfluxDB {InfluxState}, spool {SpoolBytes} bytes")]
    private partial void LogTotals(long received, double receiveRate, long written, double writeRate, long quarantined, int pending, string influxState, long spoolBytes);
}
