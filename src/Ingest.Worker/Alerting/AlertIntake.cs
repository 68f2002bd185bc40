using Ingest.Worker.Alerting.Engine;
using Ingest.Worker.Decoding;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Alerting;

/// <summary>
/// Where the decode stage hands each message's decoded readings to the alert engine, right after decoding and before the batch write.
/// Thread-safe. The channel is bounded and waits when full (nothing dropped); the evaluator only evaluates and queues, so it
/// keeps up with decoding.
/// </summary>
public sealed class AlertIntake(AlertChannels channels, IOptions<AlertingOptions> options)
{
    public bool IsEnabled { get; } = options.Value.Enabled;

    public ValueTask SubmitAsync(ReadingList readings, DateTimeOffset receivedAt) =>
        IsEnabled && readings.Count > 0
            ? channels.Input.Writer.WriteAsync(new ReadingInput(readings, receivedAt), CancellationToken.None)
            : ValueTask.CompletedTask;

    /// <summary>No more readings: the evaluator drains what is queued and stops.</summary>
    public void Complete() => channels.Input.Writer.TryComplete();
}
