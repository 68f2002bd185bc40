using Ingest.Worker.Sinks.Spool;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Diagnostics.Health;

/// <summary>
/// Ready while the disk spool is under its high-water mark. Above it the worker is close to refusing acknowledgements
/// (the broker then holds the readings), which an orchestrator should see before it happens.
/// </summary>
public sealed class SpoolHealthCheck(DiskSpool spool, IOptions<SpoolOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var bytes = spool.Bytes;
        var mark = (long)(options.Value.MaxBytes * options.Value.HighWaterFraction);
        var data = new Dictionary<string, object> { ["bytes"] = bytes, ["highWaterBytes"] = mark, ["segments"] = spool.SegmentCount };
        return Task.FromResult(bytes < mark
            ? HealthCheckResult.Healthy($"spool {bytes} bytes", data)
            : HealthCheckResult.Unhealthy($"spool {bytes} bytes is over its high-water mark of {mark}", data: data));
    }
}
