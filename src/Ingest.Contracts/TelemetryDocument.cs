using System.Buffers;
using System.Text.Json;

namespace Ingest.Contracts;

/// <summary>
/// The platform's JSON document (DESIGN.md §3): one device's readings at one instant.
/// <c>{"id": "...", "ts": "2026-11-24T11:00:00.000Z", "seq": 42, "values": {"pm25": 35.2}, "flags": []}</c>.
/// Schema: <c>docs/telemetry.schema.json</c>.
/// </summary>
public sealed record TelemetryDocument(
    string Id,
    DateTimeOffset? Timestamp,
    long? Sequence,
    IReadOnlyList<KeyValuePair<string, double>> Values,
    IReadOnlyList<string>? Flags = null)
{
    /// <summary>Writes the document as UTF-8 JSON with a millisecond RFC 3339 UTC timestamp.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        if (Timestamp is { } ts)
        {
            writer.WriteString("ts", ts.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (Sequence is { } seq)
        {
            writer.WriteNumber("seq", seq);
        }

        writer.WriteStartObject("values");
        foreach (var (name, value) in Values)
        {
            writer.WriteNumber(name, value);
        }

        writer.WriteEndObject();
        if (Flags is { Count: > 0 })
        {
            writer.WriteStartArray("flags");
            foreach (var flag in Flags)
            {
                writer.WriteStringValue(flag);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    public byte[] ToUtf8Bytes()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
