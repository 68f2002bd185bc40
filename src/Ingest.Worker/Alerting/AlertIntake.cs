using Ingest.Worker.Alerting.Engine;
using Ingest.Worker.Decoding;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Alerting;

/// <summary>
/// Where the decode stage hands each decoded reading to the alert engine, right after decoding and before the batch write.
/// Thread-safe. The channel is bounded and waits when full (nothing dropped); the evaluator only evaluates and queues, so it
/// keeps up with decoding.
/// </summary>
public sealed class AlertIntake(AlertChannels channels, IOptions<AlertingOptions> options)
{
    public bool IsEnabled { get; } = options.Value.Enabled;

    public ValueTask SubmitAsync(Reading reading, DateTimeOffset receivedAt) =>
        IsEnabled ? channels.Input.Writer.WriteAsync(new ReadingInput(reading, receivedAt), CancellationToken.None) : ValueTask.CompletedTask;

    /// <summary>No more readings: the evaluator drains what is queued and stops.</summary>
    public void Complete() => channels.Input.Writer.TryComplete();
}
