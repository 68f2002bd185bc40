using System.Buffers;
using System.Text.Json;

namespace Ingest.Contracts;

/// <summary>A gateway's batch of child-device documents: <c>{"gw": "&lt;gatewayId&gt;", "readings": [&lt;document&gt;, …]}</c>.</summary>
public sealed record GatewayBatch(string GatewayId, IReadOnlyList<TelemetryDocument> Readings)
{
    public byte[] ToUtf8Bytes()
    {
        var buffer = new ArrayBufferWriter<byte>(256 * Math.Max(1, Readings.Count));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("gw", GatewayId);
            writer.WriteStartArray("readings");
            foreach (var reading in Readings)
            {
                reading.WriteTo(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
