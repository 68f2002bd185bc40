using Ingest.Contracts;
using Ingest.Worker.Enrichment;
using Ingest.Worker.Hosting;
using Ingest.Worker.Pipeline;
using Ingest.Worker.Quarantine;
using Ingest.Worker.Validation;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Decoding;

/// <summary>
/// Entry point of decoding: checks the topic and payload size, chooses the format — from the MQTT 5 content type when the
/// device sets one, else by sniffing the first byte (<c>{</c> platform JSON or gateway batch, <c>[</c> SenML, anything else
/// line protocol) — then enriches every reading from the registry. Pure and thread-safe.
/// </summary>
public sealed class MessageDecoder(
    IOptions<IngestOptions> ingest,
    IOptions<ValidationOptions> validation,
    PlatformJsonDecoder json,
    GatewayBatchDecoder gateway,
    SenmlDecoder senml,
    LineProtocolDecoder lineProtocol,
    ReadingEnricher enricher)
{
    private readonly Topics _topics = new(ingest.Value.TopicRoot);
    private readonly int _maxPayloadBytes = validation.Value.MaxPayloadBytes;

    // Parsed device topics by topic string: a fleet publishes on the same topics all day, and a parse costs three
    // strings. Bounded like the name table; topics past the bound are parsed each time.
    private const int TopicCacheCapacity = 200_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DeviceTopic> _parsedTopics = new(StringComparer.Ordinal);
    private int _parsedTopicCount;

    private bool TryParseTopic(string topic, out DeviceTopic parsed)
    {
        if (_parsedTopics.TryGetValue(topic, out parsed))
        {
            return true;
        }

        if (!_topics.TryParse(topic, out parsed))
        {
            return false;
        }

        if (Volatile.Read(ref _parsedTopicCount) < TopicCacheCapacity && _parsedTopics.TryAdd(topic, parsed))
        {
            Interlocked.Increment(ref _parsedTopicCount);
        }

        return true;
    }

    public DecodeResult Decode(RawMessage message)
    {
        var decoded = DecodeFormat(message);
        if (!decoded.IsSuccess)
        {
            return decoded;
        }

        // Readings are completed in place; the lists are built only when the registry refuses one.
        List<Reading>? kept = null;
        List<Rejection>? rejections = null;
        for (var i = 0; i < decoded.Readings.Count; i++)
        {
            var reading = decoded.Readings[i];
            if (enricher.TryEnrich(reading, out var rejection))
            {
                kept?.Add(reading);
                continue;
            }

            rejections ??= [.. decoded.Rejections];
            rejections.Add(rejection!);
            kept ??= [.. decoded.Readings.Take(i)];
        }

        return rejections is null ? decoded : DecodeResult.Success(kept!, rejections);
    }

    private DecodeResult DecodeFormat(RawMessage message)
    {
        if (!TryParseTopic(message.Topic, out var topic) || topic.Kind == TopicKind.Status)
        {
            return DecodeResult.Failure(QuarantineReason.InvalidTopic, "the topic is outside the bn/{domain}/{site}/{device}/telemetry scheme");
        }

        if (topic.Kind == TopicKind.Telemetry && !Domains.IsTelemetryDomain(topic.Domain))
        {
            return DecodeResult.Failure(QuarantineReason.InvalidTopic, $"unknown domain '{topic.Domain}' in the topic");
        }

        if (message.PayloadLength > _maxPayloadBytes)
        {
            return DecodeResult.Failure(
                QuarantineReason.PayloadTooLarge, $"payload of {message.PayloadLength} bytes exceeds the limit of {_maxPayloadBytes}");
        }

        var payload = message.Payload.Span;
        var format = FormatOf(message.ContentType, payload);
        return (format, topic.Kind) switch
        {
            (PayloadFormat.Json, TopicKind.Telemetry) => json.Decode(payload, topic, message.ReceivedAt),
            (PayloadFormat.Json, TopicKind.GatewayBatch) => gateway.Decode(payload, topic, message.ReceivedAt),
            (PayloadFormat.Senml, TopicKind.Telemetry) => senml.Decode(payload, topic, message.ReceivedAt),
            (PayloadFormat.LineProtocol, _) => lineProtocol.Decode(payload, topic, message.ContentType, message.ReceivedAt),
            // Bytes that cannot begin any JSON value: the answer the JSON reader would give, without its exception.
            (PayloadFormat.NotJson, _) => DecodeResult.Failure(QuarantineReason.InvalidJson, "not valid JSON (line 0, byte 0)"),
            (PayloadFormat.Unknown, _) => DecodeResult.Failure(QuarantineReason.UnsupportedFormat, $"content type '{message.ContentType}' is not read"),
            _ => DecodeResult.Failure(QuarantineReason.UnsupportedFormat, $"{format} is not accepted on {topic.Kind} topics"),
        };
    }

    private enum PayloadFormat
    {
        Json,
        Senml,
        LineProtocol,
        NotJson,
        Unknown,
    }

    private static PayloadFormat FormatOf(string? contentType, ReadOnlySpan<byte> payload)
    {
        if (!string.IsNullOrEmpty(contentType))
        {
            var type = contentType.AsSpan();
            var parameters = type.IndexOf(';');
            type = (parameters < 0 ? type : type[..parameters]).Trim();
            return type.Equals("application/json", StringComparison.OrdinalIgnoreCase) ? PayloadFormat.Json
                : type.Equals("application/senml+json", StringComparison.OrdinalIgnoreCase) ? PayloadFormat.Senml
                : type.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
                    || type.Equals("application/vnd.influx.line-protocol", StringComparison.OrdinalIgnoreCase)
                    || type.Equals("application/x-influx-line-protocol", StringComparison.OrdinalIgnoreCase) ? PayloadFormat.LineProtocol
                : PayloadFormat.Unknown;
        }

        var trimmed = payload.TrimStart(" \t\r\n"u8);
        if (trimmed.IsEmpty)
        {
            return PayloadFormat.Json; // reported as invalid JSON, the format devices are told to send
        }

        return trimmed[0] switch
        {
            (byte)'{' => PayloadFormat.Json,
            (byte)'[' => PayloadFormat.Senml,
            _ when char.IsAsciiLetter((char)trimmed[0]) && LooksLikeLineProtocol(trimmed) => PayloadFormat.LineProtocol,
            _ when !CanStartJsonValue(trimmed[0]) => PayloadFormat.NotJson,
            _ => PayloadFormat.Json,
        };
    }

    // Letters stay with the JSON reader, which tells a bare NaN or Infinity from other words.
    private static bool CanStartJsonValue(byte first) =>
        first is (byte)'"' or (byte)'-' || char.IsAsciiLetterOrDigit((char)first);

    /// <summary>A first line with a space-separated field set containing '=': otherwise the bytes are reported as invalid JSON.</summary>
    private static bool LooksLikeLineProtocol(ReadOnlySpan<byte> payload)
    {
        var end = payload.IndexOf((byte)'\n');
        var line = end < 0 ? payload : payload[..end];
        var space = line.IndexOf((byte)' ');
        return space > 0 && line[space..].IndexOf((byte)'=') > 0;
    }
}
