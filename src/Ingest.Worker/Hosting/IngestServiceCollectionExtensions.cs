using Ingest.Worker.Decoding;
using Ingest.Worker.Diagnostics;
using Ingest.Worker.Enrichment;
using Ingest.Worker.Pipeline;
using Ingest.Worker.Quarantine;
using Ingest.Worker.Sinks.Influx;
using Ingest.Worker.Sinks.Spool;
using Ingest.Worker.Sources.Mqtt;
using Ingest.Worker.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Ingest.Worker.Hosting;

/// <summary>One <c>Add…</c> per concern of the worker; <c>Program.cs</c> calls them in pipeline order.</summary>
public static class IngestServiceCollectionExtensions
{
    /// <summary>Clock, metrics, worker-wide options, and a shutdown timeout that leaves room to drain.</summary>
    public static IServiceCollection AddIngestDefaults(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<IngestMetrics>();
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));
        return services;
    }

    /// <summary>Decode and validate stage (run by the source on its receive path), with the quarantine it sends rejects to.</summary>
    public static IServiceCollection AddIngestPipeline(this IServiceCollection services)
    {
        services.AddOptions<PipelineOptions>().BindConfiguration(PipelineOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ValidationOptions>().BindConfiguration(ValidationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<QuarantineOptions>().BindConfiguration(QuarantineOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PipelineChannels>();
        services.AddSingleton<DeliveryTracker>();
        services.AddSingleton<SequenceTracker>();
        services.AddOptions<RegistryOptions>().BindConfiguration(RegistryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DeviceRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<DeviceRegistry>());
        services.AddSingleton<ReadingEnricher>();
        services.AddSingleton<PlatformJsonDecoder>();
        services.AddSingleton<GatewayBatchDecoder>();
        services.AddSingleton<SenmlDecoder>();
        services.AddSingleton<LineProtocolDecoder>();
        services.AddSingleton<MessageDecoder>();
        services.AddSingleton<QuarantineStore>();
        services.AddHostedService(sp => sp.GetRequiredService<QuarantineStore>());
        services.AddSingleton<IngestPipeline>();
        return services;
    }

    /// <summary>The InfluxDB sink with its named resilience pipeline.</summary>
    public static IServiceCollection AddInfluxSink(this IServiceCollection services)
    {
        services.AddOptions<InfluxSinkOptions>().BindConfiguration(InfluxSinkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddInfluxResilience();
        services.AddOptions<SpoolOptions>().BindConfiguration(SpoolOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DiskSpool>();
        services.AddSingleton<InfluxWriter>();
        services.AddSingleton<InfluxSink>();
        services.AddHostedService(sp => sp.GetRequiredService<InfluxSink>());
        services.AddHostedService<StatusReporter>();
        return services;
    }

    /// <summary>The MQTT source; registered last so the host stops it first and it can drain the stages behind it.</summary>
    public static IServiceCollection AddMqttSource(this IServiceCollection services)
    {
        services.AddOptions<MqttSourceOptions>().BindConfiguration(MqttSourceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MqttSource>();
        services.AddSingleton<IMqttPublisher>(sp => sp.GetRequiredService<MqttSource>());
        services.AddHostedService(sp => sp.GetRequiredService<MqttSource>());
        return services;
    }
}
