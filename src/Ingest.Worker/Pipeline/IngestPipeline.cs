using Ingest.Contracts;
using Ingest.Worker.Alerting;
using Ingest.Worker.Decoding;
using Ingest.Worker.Hosting;
using Ingest.Worker.Quarantine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Pipeline;

/// <summary>
/// The decode stage: decodes and validates each message as the source hands it over (on the source's receive path, in
/// arrival order: no queue and no thread hop between receipt and decoding), sends readings to the sink and rejects to
/// quarantine. One bad item never stops it. <see cref="CompleteAsync"/>, called by the source when it stops, waits for
/// the message in hand and then completes the channels after this stage, so they drain.
/// </summary>
public sealed partial class IngestPipeline(
    PipelineChannels channels,
    MessageDecoder decoder,
    QuarantineStore quarantine,
    SequenceTracker sequences,
    IOptions<IngestOptions> ingest,
    ILogger<IngestPipeline> logger,
    AlertIntake? alerts = null) : IDisposable
{
    private readonly Topics _topics = new(ingest.Value.TopicRoot);

    // Serialises a message in hand with completion; uncontended in steady state (the source hands over one at a time).
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _completed;

    /// <summary>
    /// Decodes one message and hands its parts on, waiting while the channels after this stage are full (which holds back
    /// the source, and so the broker). False when the stage has been completed: the message was not taken.
    /// </summary>
    public async ValueTask<bool> ProcessAsync(RawMessage message)
    {
        await _gate.WaitAsync();
        try
        {
            if (_completed)
            {
                return false;
            }

            await ProcessCoreAsync(message);
            return true;
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // Completed while this message waited for room (a stop that could not wait longer): not taken.
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// No more messages: waits for the one in hand, then completes the sink, quarantine and alert inputs. When
    /// <paramref name="cancellationToken"/> fires first (the message in hand waits for room that does not come), completes
    /// them anyway and that message is left un-acknowledged for redelivery.
    /// </summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        var entered = false;
        try
        {
            await _gate.WaitAsync(cancellationToken);
            entered = true;
        }
        catch (OperationCanceledException)
        {
        }

        try
        {
            _completed = true;
            channels.Sink.Writer.TryComplete();
            quarantine.Complete();
            alerts?.Complete();
        }
        finally
        {
            if (entered)
            {
                _gate.Release();
            }
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task ProcessCoreAsync(RawMessage message)
    {
        DecodeResult result;
        try
        {
            result = decoder.Decode(message);
        }
#pragma warning disable CA1031 // A decoder bug must quarantine the message, not stop the worker.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogDecoderFault(ex, message.Topic);
            result = DecodeResult.Failure(QuarantineReason.SchemaMismatch, $"decoder fault: {ex.GetType().Name}");
        }

        foreach (var reading in result.Readings)
        {
            if (reading.Sequence is { } seq)
            {
                sequences.Observe(reading.DeviceId, seq);
            }
        }

        if (alerts is { IsEnabled: true })
        {
            // Alerts are judged on each reading as it is decoded, before the batch write; a message's readings go together.
            await alerts.SubmitAsync(result.Readings, message.ReceivedAt);
        }

        if (result.IsSuccess && result.Rejections.Count == 0)
        {
            await channels.Sink.Writer.WriteAsync(new PendingMessage(message, result.Readings), CancellationToken.None);
            return;
        }

        if (result.IsSuccess)
        {
            // Part stored, part quarantined: the message is acknowledged when both parts are durable.
            var parts = message.Delivery.Split(result.Readings.Count > 0 ? 2 : 1);
            foreach (var (rejection, i) in result.Rejections.Select((r, i) => (r, i)))
            {
                await quarantine.AddAsync(
                    new QuarantineRecord(message.Topic, message.Payload, message.ReceivedAt, rejection.Reason, rejection.Detail, rejection.DeviceId)
                    {
                        Delivery = i == result.Rejections.Count - 1 ? parts[^1] : Delivery.None,
                        PayloadLength = message.PayloadLength,
                    },
                    CancellationToken.None);
            }

            if (result.Readings.Count > 0)
            {
                await channels.Sink.Writer.WriteAsync(new PendingMessage(message with { Delivery = parts[0] }, result.Readings), CancellationToken.None);
            }

            return;
        }

        var device = _topics.TryParse(message.Topic, out var topic) ? topic.DeviceId : null;
        await quarantine.AddAsync(
            new QuarantineRecord(message.Topic, message.Payload, message.ReceivedAt, result.Reason!.Value, result.Detail ?? "", device)
            {
                Delivery = message.Delivery,
                PayloadLength = message.PayloadLength,
            },
            CancellationToken.None);
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "Decoder fault on a message from {Topic}; quarantined")]
    private partial void LogDecoderFault(Exception exception, string topic);
}
