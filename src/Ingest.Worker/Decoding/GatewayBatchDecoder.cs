using System.Text.Json;
using Ingest.Contracts;
using Ingest.Worker.Enrichment;
using Ingest.Worker.Quarantine;
using Ingest.Worker.Validation;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Decoding;

/// <summary>
/// Decodes a gateway batch, <c>{"gw": "&lt;gatewayId&gt;", "readings": [&lt;document&gt;, …]}</c>, into its children's readings.
/// Each child is checked like a direct message; a bad child is rejected alone and its siblings are kept. A child's domain
/// and site come from the registry, else from its id's prefix (<c>air-…</c>, <c>water-…</c>, <c>meter-…</c>) and the
/// gateway's site. Pure and thread-safe.
/// </summary>
public sealed class GatewayBatchDecoder(PlatformJsonDecoder documents, DeviceRegistry registry, IOptions<ValidationOptions> options)
{
    // This thread's list of a batch's children while they are read; the result keeps an exact-size copy (a growing list
    // per batch cost about 20 bytes per child).
    [ThreadStatic]
    private static List<Reading>? t_readings;

    private readonly ValidationOptions _limits = options.Value;

    public DecodeResult Decode(ReadOnlySpan<byte> payload, DeviceTopic topic, DateTimeOffset receivedAt)
    {
        var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = _limits.MaxJsonDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return DecodeResult.Failure(QuarantineReason.SchemaMismatch, "a gateway batch must be a JSON object");
            }

            string? gateway = null;
            var readings = t_readings ??= new List<Reading>(128); // emptied in the finally below after every batch
            List<Rejection>? rejections = null; // most batches have none
            var sawReadings = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("gw"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return DecodeResult.Failure(QuarantineReason.SchemaMismatch, "'gw' must be a string");
                    }

                    // The topic's id when they match (the usual case): no string per batch.
                    gateway = reader.ValueTextEquals(topic.DeviceId) ? topic.DeviceId : reader.GetString();
                }
                else if (reader.ValueTextEquals("readings"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        return DecodeResult.Failure(QuarantineReason.SchemaMismatch, "'readings' must be a list of documents");
                    }

                    sawReadings = true;
                    var failure = ReadChildren(ref reader, topic, receivedAt, readings, ref rejections);
                    if (failure is not null)
                    {
                        return failure.Value;
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.Read())
            {
                return DecodeResult.Failure(QuarantineReason.InvalidJson, "unexpected data after the batch");
            }

            if (gateway is null)
            {
                return DecodeResult.Failure(QuarantineReason.MissingDeviceId, "the batch has no 'gw'");
            }

            if (!string.Equals(gateway, topic.DeviceId, StringComparison.Ordinal))
            {
                return DecodeResult.Failure(
                    QuarantineReason.DeviceIdMismatch,
                    $"batch gateway '{PlatformJsonDecoder.Truncate(gateway)}' does not match topic gateway '{topic.DeviceId}'");
            }

            if (!sawReadings || (readings.Count == 0 && rejections is null))
            {
                return DecodeResult.Failure(QuarantineReason.NoValues, "the batch has no readings");
            }

            return DecodeResult.Success(readings.Count == 0 ? [] : readings.ToArray(), rejections);
        }
        catch (JsonException ex)
        {
            return PlatformJsonDecoder.JsonFailure(payload, ex);
        }
        finally
        {
            t_readings?.Clear();
        }
    }

    private DecodeResult? ReadChildren(
        ref Utf8JsonReader reader, DeviceTopic topic, DateTimeOffset receivedAt, List<Reading> readings, ref List<Rejection>? rejections)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (readings.Count + (rejections?.Count ?? 0) == _limits.MaxReadingsPerBatch)
            {
                return DecodeResult.Failure(QuarantineReason.TooManyValues, $"more than {_limits.MaxReadingsPerBatch} readings in one batch");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                (rejections ??= []).Add(new Rejection(QuarantineReason.SchemaMismatch, "a batch child is not a JSON object", null));
                continue;
            }

            var depth = reader.CurrentDepth;
            var child = documents.ReadDocument(ref reader, "", topic.Site, expectedDeviceId: null, receivedAt, out var reading);
            if (!child.IsSuccess)
            {
                // Move past the rest of the bad child so its siblings can still be read.
                while (!(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth) && reader.Read())
                {
                }

                (rejections ??= []).Add(new Rejection(child.Reason!.Value, child.Detail ?? "", null));
                continue;
            }

            var resolved = ResolvePlacement(reading!, topic.Site, out var rejection);
            if (resolved is null)
            {
                (rejections ??= []).Add(rejection!);
                continue;
            }

            readings.Add(resolved);
        }

        return null;
    }

    private Reading? ResolvePlacement(Reading child, string gatewaySite, out Rejection? rejection)
    {
        rejection = null;
        if (registry.TryGet(child.DeviceId, out var info))
        {
            child.Place(info.Domain, info.Site);
            return child;
        }

        var dash = child.DeviceId.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0 && Domains.TryGetTelemetryDomain(child.DeviceId.AsSpan(0, dash), out var domain))
        {
            child.Place(domain, gatewaySite);
            return child;
        }

        rejection = new Rejection(
            QuarantineReason.UnknownDevice,
            $"child '{PlatformJsonDecoder.Truncate(child.DeviceId)}' is not in the registry and its id names no domain", child.DeviceId);
        return null;
    }
}
