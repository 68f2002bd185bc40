using Ingest.Dashboard.Api;
using Ingest.Dashboard.Health;
using Ingest.Dashboard.History;
using Ingest.Dashboard.Registry;

namespace Ingest.Dashboard.Live;

public static class LiveExtensions
{
    /// <summary>Device registry, the live boards, the MQTT relay and the SignalR hub.</summary>
    public static IServiceCollection AddLiveFeed(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LiveFeedOptions>().BindConfiguration(LiveFeedOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BackplaneOptions>().BindConfiguration(BackplaneOptions.Section)
            .Validate(o => !o.Enabled || (o.RelayGroup.Length > 0 && o.RelayGroup.IndexOfAny(['/', '+', '#']) < 0), "SignalR:RelayGroup must be a plain name")
            .ValidateOnStart();
        services.AddOptions<RegistryOptions>().BindConfiguration(RegistryOptions.Section);
        services.AddSingleton<DeviceRegistry>();
        services.AddSingleton<AlertBoard>();
        services.AddSingleton<DeviceBoard>();
        services.AddSingleton<AqiBoard>();
        services.AddSingleton<DeviceResolver>();
        var signalR = services.AddSignalR();
        var backplane = configuration.GetSection(BackplaneOptions.Section).Get<BackplaneOptions>() ?? new BackplaneOptions();
        if (backplane.Enabled)
        {
            // One key away from scale-out: every instance's hub sends reach the clients of all instances.
            signalR.AddStackExchangeRedis(backplane.Redis!, o => o.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal("bn-dashboard"));
        }

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
