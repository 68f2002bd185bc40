using Ingest.Contracts;
using Ingest.Worker.Hosting;
using Ingest.Worker.Pipeline;
using Ingest.Worker.Quarantine;
using Ingest.Worker.Validation;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Decoding;

/// <summary>
/// Entry point of decoding: checks the topic and payload size, then chooses the decoder for the topic kind
/// (and, later, the MQTT 5 content type). Pure and thread-safe.
/// </summary>
public sealed class MessageDecoder(IOptions<IngestOptions> ingest, IOptions<ValidationOptions> validation, PlatformJsonDecoder json)
{
    private readonly Topics _topics = new(ingest.Value.TopicRoot);
    private readonly int _maxPayloadBytes = validation.Value.MaxPayloadBytes;

    public DecodeResult Decode(RawMessage message)
    {
        if (!_topics.TryParse(message.Topic, out var topic) || topic.Kind == TopicKind.Status)
        {
            return DecodeResult.Failure(QuarantineReason.InvalidTopic, "the topic is outside the bn/{domain}/{site}/{device}/telemetry scheme");
        }

        if (topic.Kind == TopicKind.Telemetry && !Domains.IsTelemetryDomain(topic.Domain))
        {
            return DecodeResult.Failure(QuarantineReason.InvalidTopic, $"unknown domain '{topic.Domain}' in the topic");
        }

        if (message.Payload.Length > _maxPayloadBytes)
        {
            return DecodeResult.Failure(
                QuarantineReason.PayloadTooLarge, $"payload of {message.Payload.Length} bytes exceeds the limit of {_maxPayloadBytes}");
        }

        return topic.Kind switch
        {
            TopicKind.Telemetry => json.Decode(message.Payload.Span, topic, message.ReceivedAt),
            _ => DecodeResult.Failure(QuarantineReason.UnsupportedFormat, $"no decoder for {topic.Kind} messages yet"),
        };
    }
}
