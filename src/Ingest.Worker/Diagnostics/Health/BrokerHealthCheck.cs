using Ingest.Worker.Sources.Mqtt;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ingest.Worker.Diagnostics.Health;

/// <summary>Ready while the worker is connected to the broker and subscribed.</summary>
public sealed class BrokerHealthCheck(MqttSource source) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(source.IsReady
            ? HealthCheckResult.Healthy("connected and subscribed")
            : HealthCheckResult.Unhealthy(source.IsConnected ? "connected, not yet subscribed" : "not connected to the broker"));
}
