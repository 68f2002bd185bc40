using Ingest.Dashboard.Api;
using Ingest.Dashboard.Health;
using Ingest.Dashboard.History;
using Ingest.Dashboard.Registry;

namespace Ingest.Dashboard.Live;

public static class LiveExtensions
{
    /// <summary>Device registry, the live boards, the MQTT relay and the SignalR hub.</summary>
    public static IServiceCollection AddLiveFeed(this IServiceCollection services)
    {
        services.AddOptions<LiveFeedOptions>().BindConfiguration(LiveFeedOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RegistryOptions>().BindConfiguration(RegistryOptions.Section);
        services.AddSingleton<DeviceRegistry>();
        services.AddSingleton<AlertBoard>();
        services.AddSingleton<DeviceBoard>();
        services.AddSingleton<AqiBoard>();
        services.AddSingleton<DeviceResolver>();
        services.AddSignalR();
        // The loader must finish before the relay starts (hosted services start in registration order).
        services.AddHostedService<LiveStateLoader>();
        services.AddSingleton<LiveFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveFeed>());
        services.AddHealthChecks().AddCheck<LiveFeedHealthCheck>("mqtt", tags: ["ready"]);
        return services;
    }

    /// <summary>InfluxQL reads of history, exports and energy.</summary>
    public static IServiceCollection AddHistory(this IServiceCollection services)
    {
        services.AddOptions<InfluxReadOptions>().Validate(o => o.Url.IsAbsoluteUri && !string.IsNullOrWhiteSpace(o.Database), "Influx:Url must be an absolute URL and Influx:Database set").ValidateOnStart();
        services.AddHttpClient<InfluxQueryClient>(c => c.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<HistoryReader>();
        return services;
    }

    public static WebApplication MapLiveHub(this WebApplication app)
    {
        app.MapHub<LiveHub>("/hubs/live");
        return app;
    }
}
