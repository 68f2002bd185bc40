using Ingest.Worker.Sinks.Influx;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Diagnostics.Health;

/// <summary>
/// Ready while InfluxDB answers <c>/ping</c> (1.x, 2.x and 3.x all serve it) and the last write did not fail. An idle worker
/// has no writes to learn from, hence the ping.
/// </summary>
public sealed class InfluxHealthCheck(IHttpClientFactory clients, IOptions<InfluxSinkOptions> options, IngestMetrics metrics) : IHealthCheck
{
    public const string HttpClientName = "influx-health";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var url = new Uri(options.Value.Url, "ping");
        try
        {
            using var response = await clients.CreateClient(HttpClientName).GetAsync(url, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return HealthCheckResult.Unhealthy($"InfluxDB {url} answered {(int)response.StatusCode}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy($"InfluxDB {url} unreachable: {ex.Message}");
        }

        return metrics.InfluxAvailable
            ? HealthCheckResult.Healthy($"InfluxDB {url} reachable")
            : HealthCheckResult.Unhealthy("InfluxDB answers but the last write failed; readings go to the spool");
    }
}
