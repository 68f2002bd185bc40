using InfluxDB.Client.Core.Exceptions;
using Ingest.Worker.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Ingest.Worker.Sinks.Influx;

/// <summary>
/// The named Polly pipeline for InfluxDB writes: retry only transient failures (network, timeout, 5xx, 429, 408) with
/// exponential backoff and jitter, a circuit breaker so a dead server is not hammered while the sink holds its batch, and
/// a timeout per attempt. A content rejection (400) is not transient and is never retried here.
/// </summary>
public static class InfluxResilience
{
    public const string PipelineName = "influx-write";

    public static IServiceCollection AddInfluxResilience(this IServiceCollection services)
    {
        services.AddResiliencePipeline(PipelineName, (builder, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<InfluxSinkOptions>>().Value;
            var metrics = context.ServiceProvider.GetRequiredService<IngestMetrics>();
            Configure(builder, options, () => metrics.WriteRetried());
        });
        return services;
    }

    public static void Configure(ResiliencePipelineBuilder builder, InfluxSinkOptions options, Action onRetry)
    {
        var transient = new PredicateBuilder().Handle<Exception>(IsTransient);
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = options.MaxBackoff,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = _ =>
                {
                    onRetry();
                    return ValueTask.CompletedTask;
                },
            });
        }

        // Sized above the retry count so the breaker does not open in the middle of one write's retries.
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            ShouldHandle = transient,
            FailureRatio = 0.8,
            MinimumThroughput = (options.MaxRetryAttempts + 1) * 2,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(2),
        });
        builder.AddTimeout(options.Timeout);
    }

    /// <summary>Worth retrying: the server may answer differently later. Content and auth errors are not.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        BadRequestException or RequestEntityTooLargeException => false,
        HttpException http => http.Status is 0 or 408 or 429 or >= 500,
        HttpRequestException or TimeoutRejectedException or IOException => true,
        TaskCanceledException or OperationCanceledException => true,
        InfluxException influx => influx.Status is 0 or >= 500,
        _ => false,
    };
}
