namespace Ingest.Worker.Sources.Mqtt;

/// <summary>
/// Publishes the worker's own messages (dead letters, alerts) on the source's broker connection. Thread-safe.
/// Returns false, without throwing, when the broker is not reachable: callers keep their own durable record.
/// </summary>
public interface IMqttPublisher
{
    Task<bool> TryPublishAsync(string topic, ReadOnlyMemory<byte> payload, string contentType, bool atLeastOnce, CancellationToken cancellationToken);
}
