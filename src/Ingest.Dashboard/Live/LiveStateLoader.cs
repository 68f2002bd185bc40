using Ingest.Contracts;
using Ingest.Dashboard.History;

namespace Ingest.Dashboard.Live;

/// <summary>
/// Before the live feed starts: rebuilds the open alerts from the last state per alert id in InfluxDB's <c>alerts</c>
/// measurement (last <see cref="Lookback"/>), and seeds the latest values per device. Best effort: if InfluxDB does not
/// answer within <see cref="Timeout"/>, the dashboard starts with what MQTT brings.
/// </summary>
public sealed partial class LiveStateLoader(HistoryReader history, AlertBoard alerts, DeviceBoard devices, TimeProvider time, ILogger<LiveStateLoader> logger) : IHostedService
{
    public static readonly TimeSpan Lookback = TimeSpan.FromDays(30);

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private const int MaxAlertEvents = 200_000;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var now = time.GetUtcNow();
        try
        {
            var events = await history.AlertsSinceAsync(now - Lookback, MaxAlertEvents, timeout.Token);
            foreach (var alert in events)
            {
                alerts.Apply(alert);
            }

            LogAlertsRebuilt(events.Count, alerts.Open(new HashSet<string>(Domains.Telemetry.Append(Domains.Gateway))).Count);
            foreach (var domain in Domains.Telemetry)
            {
                foreach (var (device, site, values) in await history.LatestAsync(domain, now, timeout.Token))
                {
                    devices.Seed(domain, site, device, values);
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or InfluxQueryException or OperationCanceledException or System.Text.Json.JsonException
                                   && !cancellationToken.IsCancellationRequested)
        {
            LogRebuildFailed(ex.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "Rebuilt open alerts from InfluxDB: {Events} events, {Open} open")]
    private partial void LogAlertsRebuilt(int events, int open);

    [LoggerMessage(EventId = 211, Level = LogLevel.Warning, Message = "Could not rebuild the live state from InfluxDB ({Reason}); starting with what MQTT brings")]
    private partial void LogRebuildFailed(string reason);
}
