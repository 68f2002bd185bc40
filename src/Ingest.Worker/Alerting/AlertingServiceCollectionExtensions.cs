using Ingest.Worker.Alerting.Fanout;
using Ingest.Worker.Alerting.Rules;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Worker.Alerting;

/// <summary>Registration of the alert engine.</summary>
public static class AlertingServiceCollectionExtensions
{
    /// <summary>
    /// The alert engine: rules file, evaluator, MQTT client and InfluxDB writer. Register after the decode stage and before
    /// the InfluxDB sink and the MQTT source: the rules file is validated at start-up before the worker touches InfluxDB or
    /// subscribes (so the source still subscribes right after the database is ready), and on stop the source stops first,
    /// the evaluator then drains what the decode stage hands it, and the publishers drain what the evaluator produced.
    /// </summary>
    public static IServiceCollection AddAlerting(this IServiceCollection services)
    {
        services.AddOptions<AlertingOptions>().BindConfiguration(AlertingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AlertChannels>();
        services.AddSingleton<AlertIntake>();
        services.AddSingleton<AlertMetrics>();
        services.AddSingleton<AlertRulesProvider>();
        services.AddSingleton<AlertStateFile>();
        services.AddSingleton<AlertMqttClient>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertMqttClient>());
        services.AddSingleton<AlertStore>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertStore>());
        services.AddSingleton<AlertEvaluator>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertEvaluator>());
        return services;
    }
}
