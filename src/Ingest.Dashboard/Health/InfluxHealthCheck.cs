using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Ingest.Dashboard.Health;

/// <summary>Where the dashboard reads history from (section <c>Influx</c>).</summary>
public sealed class InfluxReadOptions
{
    public const string Section = "Influx";

    public Uri Url { get; set; } = new("http://127.0.0.1:8086");

    public string Database { get; set; } = "telemetry";
}

/// <summary>Ready only while InfluxDB answers <c>/ping</c>: without it there is no history to show.</summary>
public sealed class InfluxHealthCheck(HttpClient http, IOptions<InfluxReadOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var url = new Uri(options.Value.Url, "ping");
        try
        {
            using var response = await http.GetAsync(url, cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy($"InfluxDB at {options.Value.Url} answers")
                : HealthCheckResult.Unhealthy($"InfluxDB at {options.Value.Url} answered {(int)response.StatusCode}");
        }
        catch (HttpRequestException ex)
        {
            return HealthCheckResult.Unhealthy($"InfluxDB at {options.Value.Url} is unreachable", ex);
        }
    }
}

public static class DashboardHealthExtensions
{
    /// <summary><c>/health</c>: the process is up. <c>/health/ready</c>: its dependencies answer too.</summary>
    public static IServiceCollection AddDashboardHealth(this IServiceCollection services)
    {
        services.AddOptions<InfluxReadOptions>().BindConfiguration(InfluxReadOptions.Section);
        services.AddHttpClient<InfluxHealthCheck>(c => c.Timeout = TimeSpan.FromSeconds(3));
        services.AddHealthChecks().AddCheck<InfluxHealthCheck>("influxdb", tags: ["ready"]);
        return services;
    }

    public static WebApplication MapDashboardHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/live", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        return app;
    }
}
