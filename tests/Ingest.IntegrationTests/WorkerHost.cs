using Ingest.Worker.Alerting;
using Ingest.Worker.Diagnostics;
using Ingest.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingest.IntegrationTests;

/// <summary>
/// The worker, wired exactly as its Program.cs does, running in the test process against real servers.
/// Settings are given as configuration keys (the same ones as appsettings.json and environment variables).
/// </summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private readonly IHost _host;

    private WorkerHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IngestMetrics Metrics => _host.Services.GetRequiredService<IngestMetrics>();

    public static async Task<WorkerHost> StartAsync(IDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information);
        builder.Services
            .AddIngestDefaults()
            .AddIngestPipeline()
            .AddAlerting()
            .AddInfluxSink()
            .AddMqttSource();
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new WorkerHost(host);
    }

    public Task StopAsync() => _host.StopAsync(CancellationToken.None);

    /// <summary>Stops the worker as a service stop would; a second call does nothing (tests stop and restart workers).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }

    private bool _disposed;
}
