using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ingest.Dashboard.Live;

/// <summary>Ready only while the live feed is connected to the broker and subscribed: without it nothing is live.</summary>
public sealed class LiveFeedHealthCheck(LiveFeed feed) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(feed.IsReady ? HealthCheckResult.Healthy("live feed subscribed") : HealthCheckResult.Unhealthy("live feed not connected to the MQTT broker"));
}
