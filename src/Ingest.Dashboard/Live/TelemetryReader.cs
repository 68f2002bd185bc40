using System.Buffers;
using System.Text.Json;

namespace Ingest.Dashboard.Live;

/// <summary>
/// Reads the platform's JSON document (DESIGN.md §3) just far enough for the live view: time, finite values, flags.
/// Pure and thread-safe; false for anything else (the worker is the one that validates and quarantines).
/// </summary>
public static class TelemetryReader
{
    public static bool TryRead(ReadOnlySequence<byte> payload, string deviceId, DateTimeOffset receivedAt,
        out DateTimeOffset at, out IReadOnlyDictionary<string, double> values, out IReadOnlyList<string> flags)
    {
        at = receivedAt;
        values = new Dictionary<string, double>();
        flags = [];
        if (payload.Length is 0 or > 64 * 1024)
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() != deviceId
                || !root.TryGetProperty("values", out var map) || map.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var read = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var property in map.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetDouble(out var value) && double.IsFinite(value) && property.Name.Length <= 64)
                {
                    read[property.Name] = value;
                }
            }

            if (root.TryGetProperty("ts", out var ts))
            {
                if (ts.ValueKind == JsonValueKind.String && ts.TryGetDateTimeOffset(out var parsed))
                {
                    at = parsed;
                }
                else if (ts.ValueKind == JsonValueKind.Number && ts.TryGetInt64(out var ms))
                {
                    at = DateTimeOffset.FromUnixTimeMilliseconds(ms);
                }
            }

            if (root.TryGetProperty("flags", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                flags = [.. list.EnumerateArray().Where(f => f.ValueKind == JsonValueKind.String).Select(f => f.GetString()!).Where(f => f.Length <= 32).Take(8)];
            }

            values = read;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }
}
