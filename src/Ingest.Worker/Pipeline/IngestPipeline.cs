using Ingest.Contracts;
using Ingest.Worker.Alerting;
using Ingest.Worker.Decoding;
using Ingest.Worker.Hosting;
using Ingest.Worker.Quarantine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Pipeline;

/// <summary>
/// The decode stage: takes raw messages in arrival order, decodes and validates them, sends readings to the sink and
/// rejects to quarantine. One bad item never ends the loop. When the source completes the raw channel, it drains it
/// and then completes the channels after it.
/// </summary>
public sealed partial class IngestPipeline(
    PipelineChannels channels,
    MessageDecoder decoder,
    QuarantineStore quarantine,
    SequenceTracker sequences,
    IOptions<IngestOptions> ingest,
    ILogger<IngestPipeline> logger,
    AlertIntake? alerts = null) : BackgroundService
{
    private readonly Topics _topics = new(ingest.Value.TopicRoot);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = channels.Raw.Reader;
        try
        {
            // Not cancelled by stoppingToken: on stop the source completes the channel and everything in it is drained.
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                while (reader.TryRead(out var message))
                {
                    await ProcessAsync(message);
                }
            }
        }
        finally
        {
            channels.Sink.Writer.TryComplete();
            quarantine.Complete();
            alerts?.Complete();
        }
    }

    private async Task ProcessAsync(RawMessage message)
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
            // Alerts are judged on each reading as it is decoded, before the batch write.
            foreach (var reading in result.Readings)
            {
                await alerts.SubmitAsync(reading, message.ReceivedAt);
            }
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
            },
            CancellationToken.None);
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "Decoder fault on a message from {Topic}; quarantined")]
    private partial void LogDecoderFault(Exception exception, string topic);
}
