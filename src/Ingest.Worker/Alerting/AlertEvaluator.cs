using System.Text.Json;
using Ingest.Contracts;
using Ingest.Worker.Alerting.Engine;
using Ingest.Worker.Alerting.Fanout;
using Ingest.Worker.Alerting.Rules;
using Ingest.Worker.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Alerting;

/// <summary>
/// The alerting stage: one loop that takes decoded readings, status messages, acknowledgements and timer ticks in order,
/// runs them through the <see cref="AlertEngine"/>, and queues what comes out for MQTT and InfluxDB. Start-up refuses an
/// invalid rules file and restores the open alerts of the last run; the state file is rewritten (atomically) at the next
/// tick after the open set changes, and on stop. The write (with its fsync) runs beside the loop, not in it: a slow disk
/// must not hold back the alerts queued behind a tick; only the newest snapshot of the open set is written. One bad item never ends the loop. On stop it drains its input (the decode
/// stage completes it) and then completes its outputs.
/// </summary>
public sealed partial class AlertEvaluator(
    AlertChannels channels,
    AlertRulesProvider rules,
    AlertStateFile stateFile,
    AlertMetrics metrics,
    IOptions<AlertingOptions> options,
    IOptions<IngestOptions> ingest,
    TimeProvider time,
    ILogger<AlertEvaluator> logger) : BackgroundService
{
    private readonly AlertingOptions _options = options.Value;
    private readonly Topics _topics = new(ingest.Value.TopicRoot);
    private readonly System.Threading.Channels.Channel<IReadOnlyList<AlertEvent>> _snapshots =
        System.Threading.Channels.Channel.CreateBounded<IReadOnlyList<AlertEvent>>(new System.Threading.Channels.BoundedChannelOptions(1)
        {
            FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = true,
        });

    private AlertEngine? _engine;
    private volatile bool _saveFailed;

    /// <summary>The engine (after start), for diagnostics and tests.</summary>
    public AlertEngine? Engine => _engine;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Enabled)
        {
            rules.LoadAtStartup();
            _engine = new AlertEngine(() => rules.Current, time, _options.StandardsUtcOffset, _options.AqiHourGrace, logger);
            try
            {
                var open = stateFile.Load();
                _engine.Restore(open);
                LogRestored(open.Count, stateFile.Path);
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
            {
                LogStateUnreadable(stateFile.Path, ex.Message);
            }
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_engine is not { } engine)
        {
            channels.Mqtt.Writer.TryComplete();
            channels.Store.Writer.TryComplete();
            return;
        }

        var ticks = TickAsync(stoppingToken);
        var saving = WriteSnapshotsAsync();
        var output = new EngineOutput();
        var reader = channels.Input.Reader;
        try
        {
            // Not cancelled by stoppingToken: the decode stage completes the channel on stop and everything in it is evaluated.
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                while (reader.TryRead(out var input))
                {
                    output.Clear();
                    Evaluate(engine, input, output);
                    metrics.OpenAlerts(engine.OpenCount);
                    if (!output.IsEmpty)
                    {
                        await SendAsync(output);
                    }
                }
            }
        }
        finally
        {
            _snapshots.Writer.TryComplete();
            await saving;
            SaveState(engine.OpenAlerts());
            channels.Mqtt.Writer.TryComplete();
            channels.Store.Writer.TryComplete();
            await ticks;
        }
    }

    private void Evaluate(AlertEngine engine, AlertInput input, EngineOutput output)
    {
        try
        {
            switch (input)
            {
                case ReadingInput r:
                    foreach (var reading in r.Readings)
                    {
                        engine.OnReading(reading, r.ReceivedAt, output);
                    }

                    break;
                case StatusInput s:
                    engine.OnStatus(s.Domain, s.Site, s.DeviceId, s.Online, s.ReceivedAt, output);
                    break;
                case AcknowledgeInput a:
                    if (!engine.OnAcknowledge(a.Acknowledgement, output))
                    {
                        LogAcknowledgeUnknown(a.Acknowledgement.AlertId, a.Acknowledgement.AcknowledgedBy);
                    }

                    break;
                case TickInput:
                    engine.OnTick(output);
                    if (engine.OpenAlertsChanged || _saveFailed)
                    {
                        _saveFailed = false;
                        // A newer snapshot replaces one not yet written.
                        _snapshots.Writer.TryWrite(engine.OpenAlerts());
                        engine.OpenAlertsChanged = false;
                    }

                    break;
            }
        }
#pragma warning disable CA1031 // One bad item must not stop alerting for everyone.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogEvaluationFault(ex, input.GetType().Name);
        }
    }

    private async Task SendAsync(EngineOutput output)
    {
        foreach (var (evaluated, receivedAt) in output.Alerts)
        {
            var alert = receivedAt is null ? evaluated : evaluated with { ReceivedAt = receivedAt };
            var payload = JsonSerializer.SerializeToUtf8Bytes(alert, AlertJson.Options);
            await channels.Mqtt.Writer.WriteAsync(
                new OutgoingMqttMessage(_topics.Alert(alert.Domain, alert.Site, alert.DeviceId), payload, Retain: false, alert.AlertId, AlertPoints.State(alert.State), receivedAt),
                CancellationToken.None);
            await channels.Store.Writer.WriteAsync(AlertPoints.Alert(alert), CancellationToken.None);
        }

        foreach (var aqi in output.Aqi)
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(aqi, AlertJson.Options);
            await channels.Mqtt.Writer.WriteAsync(new OutgoingMqttMessage(_topics.Aqi(aqi.Site, aqi.DeviceId), payload, Retain: true, null, null, null), CancellationToken.None);
            await channels.Store.Writer.WriteAsync(AlertPoints.Aqi(aqi), CancellationToken.None);
        }

        foreach (var daily in output.DailyAqi)
        {
            await channels.Store.Writer.WriteAsync(AlertPoints.DailyAqi(daily), CancellationToken.None);
        }
    }

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.TickInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // Ticks are idempotent: when the input is full, the next one will do.
                channels.Input.Writer.TryWrite(TickInput.Instance);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WriteSnapshotsAsync()
    {
        // Off the evaluation loop's thread from the first await on.
        await Task.Yield();
        await foreach (var open in _snapshots.Reader.ReadAllAsync())
        {
            SaveState(open);
        }
    }

    private void SaveState(IReadOnlyList<AlertEvent> open)
    {
        try
        {
            stateFile.Save(open);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Tried again at the next tick.
            _saveFailed = true;
            LogStateNotSaved(stateFile.Path, ex.Message);
        }
    }

    [LoggerMessage(EventId = 740, Level = LogLevel.Information, Message = "Alert engine started with {Open} open alert(s) restored from {Path}")]
    private partial void LogRestored(int open, string path);

    [LoggerMessage(EventId = 741, Level = LogLevel.Error, Message = "Open-alert state file {Path} unreadable ({Error}); starting with no open alerts")]
    private partial void LogStateUnreadable(string path, string error);

    [LoggerMessage(EventId = 742, Level = LogLevel.Error, Message = "Open-alert state file {Path} not written: {Error}")]
    private partial void LogStateNotSaved(string path, string error);

    [LoggerMessage(EventId = 743, Level = LogLevel.Information, Message = "Acknowledgement by {AcknowledgedBy} for alert {AlertId} ignored: no such open alert here (already cleared, or held by another replica)")]
    private partial void LogAcknowledgeUnknown(string alertId, string acknowledgedBy);

    [LoggerMessage(EventId = 744, Level = LogLevel.Error, Message = "Alert evaluation fault on a {Input}; skipped")]
    private partial void LogEvaluationFault(Exception exception, string input);
}
