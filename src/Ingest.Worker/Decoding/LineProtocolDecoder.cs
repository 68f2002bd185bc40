using System.Buffers.Text;
using System.Text;
using Ingest.Contracts;
using Ingest.Worker.Quarantine;
using Ingest.Worker.Validation;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Decoding;

/// <summary>
/// Decodes InfluxDB line protocol (<c>measurement,tag=v field=1.5,n=2i 1764000000000000000</c>), as gateways and Telegraf
/// emit it. The measurement is the domain; tag <c>device</c> names the device and tag <c>site</c> its site (else the
/// topic's). Float, integer and unsigned fields become float values; string and boolean fields have no float field to go
/// to and are skipped. Timestamps are in nanoseconds unless the MQTT content type says <c>precision=s|ms|us</c>; a line
/// without one takes the time of receipt. Other tags are dropped: a device does not get to add series to the store.
/// On a device topic every line must be that device's (one bad line rejects the message); on a gateway topic each line
/// is a child checked on its own. Pure and thread-safe.
/// </summary>
public sealed class LineProtocolDecoder(IOptions<ValidationOptions> options)
{
    public const string DeviceTag = "device";
    public const string SiteTag = "site";

    private readonly ValidationOptions _limits = options.Value;

    public DecodeResult Decode(ReadOnlySpan<byte> payload, DeviceTopic topic, string? contentType, DateTimeOffset receivedAt)
    {
        var precisionTicks = PrecisionTicks(contentType);
        if (precisionTicks is null)
        {
            return DecodeResult.Failure(QuarantineReason.UnsupportedFormat, $"unknown line protocol precision in '{contentType}'");
        }

        var isGateway = topic.Kind == TopicKind.GatewayBatch;
        var readings = new List<Reading>();
        var rejections = new List<Rejection>();
        var lineNumber = 0;
        foreach (var rawLine in payload.Split((byte)'\n'))
        {
            lineNumber++;
            var line = payload[rawLine].TrimEnd((byte)'\r').Trim((byte)' ');
            if (line.IsEmpty || line[0] == (byte)'#')
            {
                continue;
            }

            if (readings.Count + rejections.Count == _limits.MaxReadingsPerBatch)
            {
                return DecodeResult.Failure(QuarantineReason.TooManyValues, $"more than {_limits.MaxReadingsPerBatch} lines");
            }

            var result = ParseLine(line, topic, isGateway, precisionTicks.Value, receivedAt, out var reading);
            if (result is { } failure)
            {
                var detail = $"line {lineNumber}: {failure.Detail}";
                if (!isGateway)
                {
                    return DecodeResult.Failure(failure.Reason!.Value, detail);
                }

                rejections.Add(new Rejection(failure.Reason!.Value, detail, null));
                continue;
            }

            readings.Add(reading!);
        }

        if (readings.Count == 0 && rejections.Count == 0)
        {
            return DecodeResult.Failure(QuarantineReason.NoValues, "no line protocol lines");
        }

        return DecodeResult.Success(readings, rejections);
    }

    private static long? PrecisionTicks(string? contentType)
    {
        var at = contentType?.IndexOf("precision=", StringComparison.OrdinalIgnoreCase) ?? -1;
        if (at < 0)
        {
            return 0; // nanoseconds: handled separately to keep full precision
        }

        var value = contentType!.AsSpan(at + "precision=".Length).TrimStart().ToString().Split(';', ' ')[0];
        return value switch
        {
            "ns" or "n" => 0,
            "us" or "u" => 10,
            "ms" => TimeSpan.TicksPerMillisecond,
            "s" => TimeSpan.TicksPerSecond,
            _ => null,
        };
    }

    private DecodeResult? ParseLine(
        ReadOnlySpan<byte> line, DeviceTopic topic, bool isGateway, long precisionTicks, DateTimeOffset receivedAt, out Reading? reading)
    {
        reading = null;
        var position = 0;
        var measurement = ReadToken(line, ref position, stopAtEquals: false, out var stop);
        if (measurement.Length == 0)
        {
            return DecodeResult.Failure(QuarantineReason.SchemaMismatch, "no measurement");
        }

        string? device = null, site = null;
        while (stop == (byte)',')
        {
            var key = ReadToken(line, ref position, stopAtEquals: true, out stop);
            if (stop != (byte)'=')
            {
                return DecodeResult.Failure(QuarantineReason.SchemaMismatch, "a tag has no '='");
            }

            var value = ReadToken(line, ref position, stopAtEquals: false, out stop);
            if (key == DeviceTag)
            {
                device = value;
            }
            else if (key == SiteTag)
            {
                site = value;
            }
        }

        if (stop != (byte)' ')
        {
            return DecodeResult.Failure(QuarantineReason.SchemaMismatch, "no fields");
        }

        var domain = measurement;
        if (!Domains.IsTelemetryDomain(domain) || (!isGateway && domain != topic.Domain))
        {
            return DecodeResult.Failure(
                QuarantineReason.SchemaMismatch, $"measurement '{PlatformJsonDecoder.Truncate(domain)}' is not the device's domain");
        }

        device ??= isGateway ? null : topic.DeviceId;
        if (device is null)
        {
            return DecodeResult.Failure(QuarantineReason.MissingDeviceId, "no 'device' tag");
        }

        if (!isGateway && device != topic.DeviceId)
        {
            return DecodeResult.Failure(
                QuarantineReason.DeviceIdMismatch, $"device '{PlatformJsonDecoder.Truncate(device)}' does not match topic device '{topic.DeviceId}'");
        }

        if (!Names.IsValidDeviceId(device, _limits.MaxNameLength))
        {
            return DecodeResult.Failure(QuarantineReason.InvalidName, "the device id is too long or has forbidden characters");
        }

        var values = new List<KeyValuePair<string, double>>(4);
        do
        {
            var key = ReadToken(line, ref position, stopAtEquals: true, out stop);
            if (stop != (byte)'=')
            {
                return DecodeResult.Failure(QuarantineReason.SchemaMismatch, $"field '{PlatformJsonDecoder.Truncate(key)}' has no value");
            }

            if (position < line.Length && line[position] == (byte)'"')
            {
                SkipString(line, ref position);
                stop = position < line.Length ? line[position++] : (byte)0;
                continue; // a string field: nothing to store as a float
            }

            var raw = ReadToken(line, ref position, stopAtEquals: false, out stop);
            var parsed = ParseFieldValue(raw, out var value);
            if (parsed is false)
            {
                return DecodeResult.Failure(QuarantineReason.InvalidValue, $"value of '{PlatformJsonDecoder.Truncate(key)}' is not a number");
            }

            if (parsed is null)
            {
                continue; // boolean
            }

            if (!double.IsFinite(value))
            {
                return DecodeResult.Failure(QuarantineReason.NonFiniteValue, $"value of '{key}' is not finite");
            }

            if (!Names.IsValidFieldName(key, _limits.MaxNameLength))
            {
                return DecodeResult.Failure(QuarantineReason.InvalidName, $"field name '{PlatformJsonDecoder.Truncate(key)}' is too long or has forbidden characters");
            }

            if (values.Count == _limits.MaxValuesPerMessage)
            {
                return DecodeResult.Failure(QuarantineReason.TooManyValues, $"more than {_limits.MaxValuesPerMessage} values");
            }

            values.RemoveAll(v => v.Key == key);
            values.Add(new(key, value));
        }
        while (stop == (byte)',');

        if (values.Count == 0)
        {
            return DecodeResult.Failure(QuarantineReason.NoValues, "no numeric fields");
        }

        DateTimeOffset? timestamp = null;
        var rest = line[position..].Trim((byte)' ');
        if (!rest.IsEmpty)
        {
            if (!Utf8Parser.TryParse(rest, out long units, out var consumed) || consumed != rest.Length)
            {
                return DecodeResult.Failure(QuarantineReason.InvalidTimestamp, "the timestamp is not an integer");
            }

            try
            {
                timestamp = precisionTicks == 0
                    ? DateTimeOffset.UnixEpoch.AddTicks(units / 100)
                    : DateTimeOffset.UnixEpoch.AddTicks(checked(units * precisionTicks));
            }
            catch (Exception ex) when (ex is ArgumentOutOfRangeException or OverflowException)
            {
                return DecodeResult.Failure(QuarantineReason.InvalidTimestamp, "the timestamp is out of range");
            }

            if (PlatformJsonDecoder.CheckSkew(timestamp.Value, receivedAt, _limits) is { } skewed)
            {
                return skewed;
            }
        }

        reading = new Reading(domain, device, site ?? topic.Site, timestamp ?? receivedAt, timestamp is not null, null, ReadingValues.Create(values), []);
        return null;
    }

    /// <summary>Reads up to an unescaped ',', ' ' (or '=' when asked); returns the unescaped text and the byte it stopped at (0 at the end).</summary>
    private static string ReadToken(ReadOnlySpan<byte> line, ref int position, bool stopAtEquals, out byte stop)
    {
        var start = position;
        var escaped = false;
        while (position < line.Length)
        {
            var b = line[position];
            if (b == (byte)'\\' && position + 1 < line.Length)
            {
                escaped = true;
                position += 2;
                continue;
            }

            if (b == (byte)',' || b == (byte)' ' || (stopAtEquals && b == (byte)'='))
            {
                stop = b;
                var token = line[start..position++];
                return escaped ? Unescape(token) : Encoding.UTF8.GetString(token);
            }

            position++;
        }

        stop = 0;
        var last = line[start..];
        return escaped ? Unescape(last) : Encoding.UTF8.GetString(last);
    }

    private static string Unescape(ReadOnlySpan<byte> token)
    {
        var buffer = new byte[token.Length];
        var length = 0;
        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] == (byte)'\\' && i + 1 < token.Length && token[i + 1] is (byte)',' or (byte)' ' or (byte)'=' or (byte)'\\' or (byte)'"')
            {
                i++;
            }

            buffer[length++] = token[i];
        }

        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static void SkipString(ReadOnlySpan<byte> line, ref int position)
    {
        position++; // opening quote
        while (position < line.Length)
        {
            var b = line[position++];
            if (b == (byte)'\\')
            {
                position++;
            }
            else if (b == (byte)'"')
            {
                return;
            }
        }
    }

    /// <summary>True: a number; null: a boolean (skipped); false: not a field value.</summary>
    private static bool? ParseFieldValue(string raw, out double value)
    {
        value = 0;
        if (raw is "t" or "T" or "true" or "True" or "TRUE" or "f" or "F" or "false" or "False" or "FALSE")
        {
            return null;
        }

        var text = raw.Length > 1 && raw[^1] is 'i' or 'u' ? raw[..^1] : raw;
        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value)
            && !text.Contains("NaN", StringComparison.OrdinalIgnoreCase) && !text.Contains("Inf", StringComparison.OrdinalIgnoreCase)
            ? true
            : text.Contains("NaN", StringComparison.OrdinalIgnoreCase) || text.Contains("Inf", StringComparison.OrdinalIgnoreCase)
                ? SetNonFinite(out value)
                : false;
    }

    private static bool SetNonFinite(out double value)
    {
        value = double.NaN;
        return true;
    }
}
