using System.Diagnostics.Metrics;
using System.Net;
using Ingest.Dashboard.Live;
using OpenTelemetry.Metrics;

namespace Ingest.Dashboard.Health;

/// <summary>
/// The dashboard's instruments on the <c>Ingest.Dashboard</c> meter (<c>dashboard.*</c>, scraped as <c>dashboard_*</c>):
/// live hub connections, open alerts by domain and severity, devices by state, MQTT messages handled by kind.
/// </summary>
public sealed class DashboardMetrics : IDisposable
{
    public const string MeterName = "Ingest.Dashboard";

    private readonly Meter _meter;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _messages;

    public DashboardMetrics(IMeterFactory meters, AlertBoard alerts, DeviceBoard devices)
    {
        _meter = meters.Create(MeterName);
        _connections = _meter.CreateUpDownCounter<long>("dashboard.hub.connections", "{connection}", "Browsers connected to /hubs/live");
        _messages = _meter.CreateCounter<long>("dashboard.live.messages", "{message}", "MQTT messages handled by the live feed, by kind");
        _meter.CreateObservableGauge("dashboard.alerts.open", () => alerts.CountOpen().Select(c =>
            new Measurement<int>(c.Count, new("domain", c.Domain), new("severity", c.Severity.ToString().ToLowerInvariant()))),
            "{alert}", "Open (raised or acknowledged) alerts");
        _meter.CreateObservableGauge("dashboard.devices", () => devices.CountByState().Select(c =>
            new Measurement<int>(c.Count, new("domain", c.Domain), new("state", c.State))),
            "{device}", "Known devices by state");
    }

    public void Connected() => _connections.Add(1);

    public void Disconnected() => _connections.Add(-1);

    public void Handled(string kind) => _messages.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Dispose() => _meter.Dispose();
}

public static class DashboardMetricsExtensions
{
    /// <summary>OpenTelemetry metrics with a Prometheus scrape endpoint: the dashboard's own, ASP.NET Core's and the runtime's.</summary>
    public static IServiceCollection AddDashboardMetrics(this IServiceCollection services)
    {
        services.AddSingleton<DashboardMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(DashboardMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections")
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        return services;
    }

    /// <summary>
    /// <c>/metrics</c> without sign-in, for the scraper, but only from this host (or with <c>Metrics:AllowRemote</c>):
    /// the dashboard faces staff's browsers and the scrape endpoint is not for them.
    /// </summary>
    public static WebApplication MapDashboardMetrics(this WebApplication app)
    {
        var allowRemote = app.Configuration.GetValue("Metrics:AllowRemote", false);
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/metrics") && !allowRemote
                && context.Connection.RemoteIpAddress is { } ip && !IPAddress.IsLoopback(ip),
            branch => branch.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            }));
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        return app;
    }
}
