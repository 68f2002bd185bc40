using System.Globalization;
using System.Text.Json;
using Ingest.Contracts;
using Ingest.Worker.Quarantine;
using Ingest.Worker.Validation;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Decoding;

/// <summary>
/// Decodes the platform's JSON document (DESIGN.md §3):
/// <c>{"id": "...", "ts": "RFC 3339" | epochMillis, "seq": n, "values": {"name": number}, "flags": ["..."]}</c>.
/// Reads with <see cref="Utf8JsonReader"/> straight from the payload bytes; pure and thread-safe.
/// </summary>
public sealed class PlatformJsonDecoder(IOptions<ValidationOptions> options) : IPayloadDecoder
{
    private readonly ValidationOptions _limits = options.Value;
    private readonly NameTable _names = new();

    [ThreadStatic]
    private static List<KeyValuePair<string, double>>? t_values;

    public DecodeResult Decode(ReadOnlySpan<byte> payload, DeviceTopic topic, DateTimeOffset receivedAt)
    {
        if (RejectBeforeReading(payload) is { } rejected)
        {
            return rejected;
        }

        var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = _limits.MaxJsonDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return DecodeResult.Failure(QuarantineReason.SchemaMismatch, "the document must be a JSON object");
            }

            var result = ReadDocument(ref reader, topic.Domain, topic.Site, topic.DeviceId, receivedAt, out var reading);
            if (!result.IsSuccess)
            {
                return result;
            }

            if (reader.Read())
            {
                return DecodeResult.Failure(QuarantineReason.InvalidJson, "unexpected data after the document");
            }

            return DecodeResult.Success(reading!);
        }
        catch (JsonException ex)
        {
            return JsonFailure(payload, ex);
        }
    }

    /// <summary>
    /// Reads one document whose <see cref="JsonTokenType.StartObject"/> the reader is on, leaving it on the matching end.
    /// <paramref name="expectedDeviceId"/> is the id the topic speaks for (null for a gateway's child, checked by the caller).
    /// </summary>
    internal DecodeResult ReadDocument(
        ref Utf8JsonReader reader, string domain, string site, string? expectedDeviceId, DateTimeOffset receivedAt, out Reading? reading)
    {
        reading = null;
        string? id = null;
        DateTimeOffset? timestamp = null;
        long? sequence = null;
        List<KeyValuePair<string, double>>? values = null;
        List<string>? flags = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return DecodeResult.Failure(QuarantineReason.SchemaMismatch, "'id' must be a string");
                }

                // The usual case, the id the topic names: its string, not a new one.
                id = expectedDeviceId is not null && !reader.ValueIsEscaped && reader.ValueTextEquals(expectedDeviceId)
                    ? expectedDeviceId
                    : _names.Get(ref reader);
            }
            else if (reader.ValueTextEquals("ts"u8))
            {
                reader.Read();
                var failure = ReadTimestamp(ref reader, out timestamp);
                if (failure is not null)
                {
                    return failure.Value;
                }
            }
            else if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var seq) || seq < 0)
                {
                    return DecodeResult.Failure(QuarantineReason.SchemaMismatch, "'seq' must be a non-negative integer");
                }

                sequence = seq;
            }
            else if (reader.ValueTextEquals("values"u8))
            {
                reader.Read();
                var failure = ReadValues(ref reader, out values);
                if (failure is not null)
                {
                    return failure.Value;
                }
            }
            else if (reader.ValueTextEquals("flags"u8))
            {
                reader.Read();
                var failure = ReadFlags(ref reader, out flags);
                if (failure is not null)
                {
                    return failure.Value;
                }
            }
            else
            {
                // Unknown members are skipped: newer firmware may send more than this worker knows.
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            return DecodeResult.Failure(QuarantineReason.InvalidJson, "the document object is not closed");
        }

        if (string.IsNullOrEmpty(id))
        {
            return DecodeResult.Failure(QuarantineReason.MissingDeviceId, "the document has no 'id'");
        }

        if (expectedDeviceId is not null && !string.Equals(id, expectedDeviceId, StringComparison.Ordinal))
        {
            return DecodeResult.Failure(
                QuarantineReason.DeviceIdMismatch, $"payload id '{Truncate(id)}' does not match topic device '{Truncate(expectedDeviceId)}'");
        }

        if (!Names.IsValidDeviceId(id, _limits.MaxNameLength))
        {
            return DecodeResult.Failure(QuarantineReason.InvalidName, "the device id is too long or has forbidden characters");
        }

        if (values is null || values.Count == 0)
        {
            return DecodeResult.Failure(QuarantineReason.NoValues, "the document has no values");
        }

        if (timestamp is { } ts && CheckSkew(ts, receivedAt, _limits) is { } skewed)
        {
            return skewed;
        }

        reading = new Reading(
            domain, id, site, timestamp ?? receivedAt, timestamp is not null, sequence, ReadingValues.Create(values), (IReadOnlyList<string>?)flags ?? []);
        return DecodeResult.Success([]);
    }

    /// <summary>A device timestamp must lie within the configured window around the worker's clock.</summary>
    internal static DecodeResult? CheckSkew(DateTimeOffset ts, DateTimeOffset receivedAt, ValidationOptions limits)
    {
        if (ts > receivedAt + limits.MaxFutureSkew)
        {
            return DecodeResult.Failure(
                QuarantineReason.TimestampOutOfRange, $"ts {ts:O} is more than {limits.MaxFutureSkew} ahead of the worker's clock");
        }

        if (ts < receivedAt - limits.MaxPastAge)
        {
            return DecodeResult.Failure(
                QuarantineReason.TimestampOutOfRange, $"ts {ts:O} is more than {limits.MaxPastAge} behind the worker's clock");
        }

        return null;
    }

    private static DecodeResult? ReadTimestamp(ref Utf8JsonReader reader, out DateTimeOffset? timestamp)
    {
        timestamp = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                if (!reader.TryGetDouble(out var millis) || !double.IsFinite(millis)
                    || millis < 0 || millis > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
                {
                    return DecodeResult.Failure(QuarantineReason.InvalidTimestamp, "'ts' is not a valid Unix epoch in milliseconds");
                }

                var whole = (long)Math.Floor(millis);
                var ticks = (long)Math.Round((millis - whole) * TimeSpan.TicksPerMillisecond);
                timestamp = DateTimeOffset.FromUnixTimeMilliseconds(whole).AddTicks(ticks);
                return null;
            case JsonTokenType.String:
                // Parsed from the bytes, or from a stack copy: a timestamp string per reading would be garbage at once. Only
                // an escaped value is unescaped into a string to be parsed; a refused one becomes a string for the message.
                string? text = null;
                DateTimeOffset parsed;
                if (!reader.ValueIsEscaped && !reader.HasValueSequence)
                {
                    // Longer than any RFC 3339 timestamp: refused by the parser anyway.
                    var bytes = reader.ValueSpan;
                    Span<char> chars = stackalloc char[Rfc3339.MaxLength];
                    if (bytes.Length <= Rfc3339.MaxLength
                        && (Rfc3339.TryParseCommon(bytes, out parsed)
                            || Rfc3339.TryParse(chars[..System.Text.Encoding.UTF8.GetChars(bytes, chars)], out parsed)))
                    {
                        timestamp = parsed;
                        return null;
                    }
                }
                else if (Rfc3339.TryParse(text = reader.GetString()!, out parsed))
                {
                    timestamp = parsed;
                    return null;
                }

                text ??= reader.GetString()!;
                return DecodeResult.Failure(
                    QuarantineReason.InvalidTimestamp, $"'ts' value '{Truncate(text)}' is not RFC 3339 with an offset");
            default:
                return DecodeResult.Failure(QuarantineReason.InvalidTimestamp, "'ts' must be an RFC 3339 string or epoch milliseconds");
        }
    }

    private DecodeResult? ReadValues(ref Utf8JsonReader reader, out List<KeyValuePair<string, double>>? values)
    {
        values = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return DecodeResult.Failure(QuarantineReason.SchemaMismatch, "'values' must be an object of name: number");
        }

        // Read into this thread's scratch list; the reading keeps an exact-size copy (a list per reading cost its object and slack).
        values = t_values ??= new List<KeyValuePair<string, double>>(16);
        values.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = _names.Get(ref reader);
            if (!Names.IsValidFieldName(name, _limits.MaxNameLength))
            {
                return DecodeResult.Failure(QuarantineReason.InvalidName, $"field name '{Truncate(name)}' is too long or has forbidden characters");
            }

            reader.Read();
            double value;
            switch (reader.TokenType)
            {
                case JsonTokenType.Number:
                    if (!JsonNumber.TryGetDouble(ref reader, out value))
                    {
                        return DecodeResult.Failure(QuarantineReason.InvalidValue, $"value of '{name}' is not a number");
                    }

                    if (!double.IsFinite(value))
                    {
                        return DecodeResult.Failure(QuarantineReason.NonFiniteValue, $"value of '{name}' is not finite");
                    }

                    break;
                case JsonTokenType.String when IsNonFiniteText(reader.ValueSpan):
                    return DecodeResult.Failure(QuarantineReason.NonFiniteValue, $"value of '{name}' is not finite");
                default:
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        reader.Skip();
                    }

                    return DecodeResult.Failure(QuarantineReason.InvalidValue, $"value of '{name}' is not a number");
            }

            foreach (var existing in values)
            {
                if (existing.Key == name)
                {
                    return DecodeResult.Failure(QuarantineReason.SchemaMismatch, $"field '{name}' appears twice");
                }
            }

            if (values.Count == _limits.MaxValuesPerMessage)
            {
                return DecodeResult.Failure(QuarantineReason.TooManyValues, $"more than {_limits.MaxValuesPerMessage} values");
            }

            values.Add(new(name, value));
        }

        return null;
    }

    private DecodeResult? ReadFlags(ref Utf8JsonReader reader, out List<string>? flags)
    {
        flags = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return DecodeResult.Failure(QuarantineReason.SchemaMismatch, "'flags' must be a list of strings");
        }

        flags = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                return DecodeResult.Failure(QuarantineReason.SchemaMismatch, "'flags' must be a list of strings");
            }

            var flag = _names.Get(ref reader);
            if (!Names.IsValidFieldName(flag, 32))
            {
                return DecodeResult.Failure(QuarantineReason.InvalidName, $"flag '{Truncate(flag)}' is too long or has forbidden characters");
            }

            flags.Add(flag);
        }

        return null;
    }

    private static bool IsNonFiniteText(ReadOnlySpan<byte> text) =>
        text.SequenceEqual("NaN"u8) || text.SequenceEqual("Infinity"u8) || text.SequenceEqual("-Infinity"u8)
        || text.SequenceEqual("+Infinity"u8) || text.SequenceEqual("inf"u8) || text.SequenceEqual("-inf"u8);

    /// <summary>
    /// JSON has no NaN or Infinity literal, so a device that writes one produces invalid JSON; name that case
    /// precisely rather than calling it merely malformed.
    /// </summary>
    internal static DecodeResult JsonFailure(ReadOnlySpan<byte> payload, JsonException ex)
    {
        if (ScanOutsideStrings(payload).NonFinite)
        {
            return NonFiniteFailure();
        }

        return ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
            ? TooDeepFailure()
            : DecodeResult.Failure(QuarantineReason.InvalidJson, $"not valid JSON (line {ex.LineNumber}, byte {ex.BytePositionInLine})");
    }

    /// <summary>
    /// The two failures a hostile stream repeats most (a NaN literal, nesting past the limit) found by a scan instead of
    /// the reader's exception, which costs tens of microseconds: bad input must not cost more than a valid reading does.
    /// Vectorised counts keep the scan off valid payloads. Same verdicts as <see cref="JsonFailure"/>.
    /// </summary>
    private DecodeResult? RejectBeforeReading(ReadOnlySpan<byte> payload)
    {
        var mayBeNonFinite = payload.IndexOfAny("NI"u8) >= 0;
        var mayBeTooDeep = payload.Count((byte)'{') + payload.Count((byte)'[') > _limits.MaxJsonDepth;
        if (!mayBeNonFinite && !mayBeTooDeep)
        {
            return null;
        }

        var (nonFinite, depth) = ScanOutsideStrings(payload);
        return nonFinite ? NonFiniteFailure()
            : depth > _limits.MaxJsonDepth ? TooDeepFailure()
            : null;
    }

    private static DecodeResult NonFiniteFailure() =>
        DecodeResult.Failure(QuarantineReason.NonFiniteValue, "a value is NaN or Infinity, which JSON cannot carry");

    private static DecodeResult TooDeepFailure() => DecodeResult.Failure(QuarantineReason.InvalidJson, "JSON is nested deeper than allowed");

    /// <summary>
    /// One pass over the bytes outside strings: whether a bare NaN or Infinity literal appears, and the deepest nesting of
    /// objects and arrays.
    /// </summary>
    private static (bool NonFinite, int Depth) ScanOutsideStrings(ReadOnlySpan<byte> payload)
    {
        var (depth, deepest, inString, nonFinite) = (0, 0, false, false);
        for (var i = 0; i < payload.Length; i++)
        {
            var b = payload[i];
            if (inString)
            {
                if (b == '\\')
                {
                    i++;
                }
                else if (b == '"')
                {
                    inString = false;
                }
            }
            else if (b == '"')
            {
                inString = true;
            }
            else if (b is (byte)'{' or (byte)'[')
            {
                deepest = Math.Max(deepest, ++depth);
            }
            else if (b is (byte)'}' or (byte)']')
            {
                depth--;
            }
            else if ((b == 'N' && payload[i..].StartsWith("NaN"u8)) || (b == 'I' && payload[i..].StartsWith("Infinity"u8)))
            {
                nonFinite = true;
            }
        }

        return (nonFinite, deepest);
    }

    internal static string Truncate(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");
}

/// <summary>Character rules for names that become InfluxDB tags and field keys.</summary>
internal static class Names
{
    /// <summary>Field names: ASCII letters, digits and underscore, starting with a letter.</summary>
    public static bool IsValidFieldName(string name, int maxLength)
    {
        if (name.Length == 0 || name.Length > maxLength || !char.IsAsciiLetter(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Device ids: printable, no MQTT topic separators or wildcards, bounded length. Anything else printable is allowed
    /// and later rendered as text, never as markup.
    /// </summary>
    public static bool IsValidDeviceId(string id, int maxLength)
    {
        if (id.Length == 0 || id.Length > maxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c) || c is '/' or '+' or '#')
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>RFC 3339 timestamps: date, 'T' (or space), time, optional fraction, and a mandatory offset (Z or ±hh:mm).</summary>
internal static class Rfc3339
{
    public const int MaxLength = 40;

    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length < 20 || text.Length > MaxLength)
        {
            return false;
        }

        var last = text[^1];
        var hasOffset = last is 'Z' or 'z'
            || (text.Length >= 25 && text[^3] == ':' && text[^6] is '+' or '-');
        if (!hasOffset || text[10] is not ('T' or 't' or ' '))
        {
            return false;
        }

        return DateTimeOffset.TryParse(
            text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces, out value);
    }

    /// <summary>
    /// The form devices send nearly always — <c>yyyy-MM-ddTHH:mm:ss</c>, up to 7 fraction digits, <c>Z</c> or <c>±hh:mm</c> —
    /// read straight from the UTF-8 bytes, to the same value <see cref="TryParse"/> gives. False for anything else (other
    /// forms, out-of-range fields), which <see cref="TryParse"/> then decides: this only skips the general parser.
    /// </summary>
    public static bool TryParseCommon(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T'
            || text[13] != ':' || text[16] != ':'
            || !Digits(text, 0, 4, out var year) || !Digits(text, 5, 2, out var month) || !Digits(text, 8, 2, out var day)
            || !Digits(text, 11, 2, out var hour) || !Digits(text, 14, 2, out var minute) || !Digits(text, 17, 2, out var second))
        {
            return false;
        }

        var i = 19;
        long fraction = 0;
        if (text[i] == '.')
        {
            var start = ++i;
            while (i < text.Length && char.IsAsciiDigit((char)text[i]))
            {
                fraction = (fraction * 10) + (text[i++] - '0');
            }

            var digits = i - start;
            if (digits is 0 or > 7)
            {
                return false;
            }

            for (var d = digits; d < 7; d++)
            {
                fraction *= 10;
            }
        }

        var offsetMinutes = 0;
        if (i != text.Length - 1 || text[i] != 'Z')
        {
            if (i != text.Length - 6 || text[i] is not ((byte)'+' or (byte)'-') || text[i + 3] != ':'
                || !Digits(text, i + 1, 2, out var offsetHours) || !Digits(text, i + 4, 2, out var offsetMins)
                || offsetHours >= 14 || offsetMins >= 60)
            {
                return false;
            }

            offsetMinutes = (text[i] == '-' ? -1 : 1) * ((offsetHours * 60) + offsetMins);
        }

        if (year is < 1000 or > 9000 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fraction);
        value = new DateTimeOffset(local.AddMinutes(-offsetMinutes).Ticks, TimeSpan.Zero);
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = text[i] - '0';
            if ((uint)digit > 9)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
