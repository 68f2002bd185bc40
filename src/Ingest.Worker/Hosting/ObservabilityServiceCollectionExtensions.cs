using System.Text.Json;
using Ingest.Worker.Alerting.Fanout;
using Ingest.Worker.Diagnostics;
using Ingest.Worker.Diagnostics.Health;
using Ingest.Worker.Pipeline;
using Ingest.Worker.Sinks.Spool;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;

namespace Ingest.Worker.Hosting;

/// <summary>
/// Operations endpoints of the worker on its small HTTP listener (<c>Urls</c>, loopback by default): Prometheus metrics at
/// <c>/metrics</c> (instruments named <c>ingest.*</c>, scraped as <c>ingest_*</c>), <c>/health/live</c> (the process
/// answers) and <c>/health/ready</c> (broker connected, InfluxDB reachable, spool under its high-water mark).
/// </summary>
public static class ObservabilityServiceCollectionExtensions
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddIngestObservability(this IServiceCollection services)
    {
        services.AddHttpClient(InfluxHealthCheck.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(2));
        services.AddHealthChecks()
            .AddCheck<BrokerHealthCheck>("broker", tags: [ReadyTag])
            .AddCheck<InfluxHealthCheck>("influxdb", tags: [ReadyTag])
            .AddCheck<SpoolHealthCheck>("spool", tags: [ReadyTag]);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(IngestMetrics.MeterName)
            // Alert latency has a 100 ms target (issue 4): buckets fine enough below it to read a p99 from the scrape.
            .AddView("ingest.alerts.latency", new ExplicitBucketHistogramConfiguration
            {
                Boundaries = [1, 2, 5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 125, 150, 200, 250, 500, 1000, 2500, 5000, 10000],
            })
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        return services;
    }

    public static WebApplication MapIngestOperations(this WebApplication app)
    {
        // Gauges read from the parts that own the state, registered once the container is built.
        var metrics = app.Services.GetRequiredService<IngestMetrics>();
        var spool = app.Services.GetRequiredService<DiskSpool>();
        var sequences = app.Services.GetRequiredService<SequenceTracker>();
        metrics.Observe("ingest.spool.bytes", () => spool.Bytes, "By", "Bytes of readings held in the disk spool");
        metrics.Observe("ingest.spool.segments", () => spool.SegmentCount, "{segment}", "Spool segment files waiting for replay");
        if (app.Services.GetService<AlertStore>() is { } alertStore)
        {
            metrics.Observe("ingest.alerts.spool.bytes", () => alertStore.SpoolBytes, "By", "Bytes of alert/AQI points on disk waiting for InfluxDB");
        }

        metrics.ObserveCounter("ingest.sequence.gaps", () => sequences.TotalGaps, "{reading}", "Readings missing from devices' sequence numbers");
        metrics.ObserveCounter("ingest.sequence.duplicates", () => sequences.TotalDuplicates, "{reading}", "Readings received again (same sequence number)");
        metrics.ObserveCounter("ingest.sequence.out_of_order", () => sequences.TotalOutOfOrder, "{reading}", "Readings that arrived after a later one");
        metrics.Observe("ingest.devices.seen", () => sequences.DeviceCount, "{device}", "Devices heard from since start");

        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJsonAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteJsonAsync });
        return app;
    }

    private static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        });
    }
}
