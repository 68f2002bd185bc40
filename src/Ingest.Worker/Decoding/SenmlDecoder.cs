using System.Text.Json;
using Ingest.Contracts;
using Ingest.Worker.Quarantine;
using Ingest.Worker.Validation;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Decoding;

/// <summary>
/// Decodes SenML JSON (RFC 8428): a list of records with base fields (<c>bn</c>, <c>bt</c>, <c>bu</c>, <c>bv</c>) carried
/// forward, and <c>n</c>/<c>u</c>/<c>v</c>/<c>t</c> per record. Resolved name = bn + n, which must be the topic's device
/// id followed by <c>:</c>, <c>/</c> or <c>.</c> and the field (or the device id alone, the field then following from the
/// unit, as in the RFC's first example), or a bare field name when no base name is given. Times of 2^28 s or less are
/// relative to the time of receipt (§4.5.3). Records at the same time become one reading; string, boolean and data values
/// (<c>vs</c>, <c>vb</c>, <c>vd</c>) have no float field to go to and are skipped. Values are converted into the stored units.
/// Pure and thread-safe.
/// </summary>
public sealed class SenmlDecoder(IOptions<ValidationOptions> options)
{
    private const double RelativeTimeLimit = 268_435_456; // 2^28 seconds

    private readonly ValidationOptions _limits = options.Value;

    public DecodeResult Decode(ReadOnlySpan<byte> payload, DeviceTopic topic, DateTimeOffset receivedAt)
    {
        var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = _limits.MaxJsonDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return DecodeResult.Failure(QuarantineReason.SchemaMismatch, "SenML JSON must be a list of records");
            }

            string baseName = "", baseUnit = "";
            double baseTime = 0, baseValue = 0;
            var byTime = new SortedDictionary<DateTimeOffset, List<KeyValuePair<string, double>>>();
            var valueCount = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return DecodeResult.Failure(QuarantineReason.SchemaMismatch, "each SenML record must be an object");
                }

                var record = new Record();
                var failure = ReadRecord(ref reader, ref record);
                if (failure is not null)
                {
                    return failure.Value;
                }

                baseName = record.BaseName ?? baseName;
                baseUnit = record.BaseUnit ?? baseUnit;
                baseTime = record.BaseTime ?? baseTime;
                baseValue = record.BaseValue ?? baseValue;
                if (record.Value is null && record.BaseValue is null)
                {
                    continue; // vs / vb / vd, or a record that only sets base fields
                }

                var value = baseValue + (record.Value ?? 0);
                if (!double.IsFinite(value))
                {
                    return DecodeResult.Failure(QuarantineReason.NonFiniteValue, "a SenML value is not finite");
                }

                var unit = record.Unit ?? (baseUnit.Length > 0 ? baseUnit : null);
                var field = ResolveField(baseName, record.Name ?? "", topic.DeviceId, unit, out var nameFailure);
                if (field is null)
                {
                    return nameFailure!.Value;
                }

                if (!UnitConverter.TryConvert(field, unit, value, out var stored))
                {
                    return DecodeResult.Failure(QuarantineReason.UnsupportedUnit, $"unit '{unit}' cannot be stored as {field}");
                }

                var seconds = baseTime + (record.Time ?? 0);
                if (!double.IsFinite(seconds) || Math.Abs(seconds) > 1e11)
                {
                    return DecodeResult.Failure(QuarantineReason.InvalidTimestamp, "a SenML time is out of range");
                }

                // Rounded to the microsecond: a double holds an epoch time to about 0.2 µs, so finer digits are noise,
                // and 1795586403.123 must become exactly .123000 (the same point as the JSON document's "….123Z").
                var ticks = (long)Math.Round(seconds * 1_000_000) * (TimeSpan.TicksPerMillisecond / 1000);
                var time = seconds <= RelativeTimeLimit ? receivedAt.AddTicks(ticks) : DateTimeOffset.UnixEpoch.AddTicks(ticks);
                if (PlatformJsonDecoder.CheckSkew(time, receivedAt, _limits) is { } skewed)
                {
                    return skewed;
                }

                if (++valueCount > _limits.MaxValuesPerMessage)
                {
                    return DecodeResult.Failure(QuarantineReason.TooManyValues, $"more than {_limits.MaxValuesPerMessage} values");
                }

                if (!byTime.TryGetValue(time, out var values))
                {
                    byTime[time] = values = [];
                }

                values.RemoveAll(v => v.Key == field);
                values.Add(new(field, stored));
            }

            if (reader.Read())
            {
                return DecodeResult.Failure(QuarantineReason.InvalidJson, "unexpected data after the SenML pack");
            }

            if (byTime.Count == 0)
            {
                return DecodeResult.Failure(QuarantineReason.NoValues, "the SenML pack has no numeric values");
            }

            return DecodeResult.Success(
                [.. byTime.Select(p => new Reading(topic.Domain, topic.DeviceId, topic.Site, p.Key, true, null, ReadingValues.Create(p.Value), []))]);
        }
        catch (JsonException ex)
        {
            return PlatformJsonDecoder.JsonFailure(payload, ex);
        }
    }

    private string? ResolveField(string baseName, string name, string deviceId, string? unit, out DecodeResult? failure)
    {
        failure = null;
        var resolved = baseName + name;
        string? field;
        if (resolved.StartsWith(deviceId, StringComparison.Ordinal))
        {
            var rest = resolved.AsSpan(deviceId.Length);
            field = rest.IsEmpty ? UnitConverter.FieldForUnit(unit)
                : rest[0] is ':' or '/' or '.' ? rest[1..].ToString()
                : null;
        }
        else
        {
            field = baseName.Length == 0 ? name : null;
        }

        if (field is null)
        {
            failure = resolved.Length > 0 && resolved.StartsWith(deviceId, StringComparison.Ordinal)
                ? DecodeResult.Failure(QuarantineReason.InvalidName, $"cannot tell the field of SenML name '{PlatformJsonDecoder.Truncate(resolved)}'")
                : DecodeResult.Failure(
                    QuarantineReason.DeviceIdMismatch,
                    $"SenML name '{PlatformJsonDecoder.Truncate(resolved)}' is not under topic device '{deviceId}'");
            return null;
        }

        field = field switch
        {
            "temperature" => Fields.Temperature,
            "humidity" => Fields.Humidity,
            _ => field,
        };
        if (!Names.IsValidFieldName(field, _limits.MaxNameLength))
        {
            failure = DecodeResult.Failure(QuarantineReason.InvalidName, $"SenML field '{PlatformJsonDecoder.Truncate(field)}' has forbidden characters");
            return null;
        }

        return field;
    }

    private struct Record
    {
        public string? BaseName;
        public string? BaseUnit;
        public double? BaseTime;
        public double? BaseValue;
        public string? Name;
        public string? Unit;
        public double? Value;
        public double? Time;
    }

    private static DecodeResult? ReadRecord(ref Utf8JsonReader reader, ref Record record)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.ValueSpan;
            reader.Read();
            if (key.SequenceEqual("bn"u8) || key.SequenceEqual("n"u8) || key.SequenceEqual("bu"u8) || key.SequenceEqual("u"u8))
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    return DecodeResult.Failure(QuarantineReason.SchemaMismatch, "SenML names and units must be strings");
                }

                var text = reader.GetString();
                if (key.SequenceEqual("bn"u8))
                {
                    record.BaseName = text;
                }
                else if (key.SequenceEqual("n"u8))
                {
                    record.Name = text;
                }
                else if (key.SequenceEqual("bu"u8))
                {
                    record.BaseUnit = text;
                }
                else
                {
                    record.Unit = text;
                }
            }
            else if (key.SequenceEqual("bt"u8) || key.SequenceEqual("t"u8) || key.SequenceEqual("bv"u8) || key.SequenceEqual("v"u8))
            {
                if (reader.TokenType != JsonTokenType.Number)
                {
                    return key.SequenceEqual("v"u8) || key.SequenceEqual("bv"u8)
                        ? DecodeResult.Failure(QuarantineReason.InvalidValue, "a SenML 'v' is not a number")
                        : DecodeResult.Failure(QuarantineReason.InvalidTimestamp, "a SenML time is not a number");
                }

                var number = reader.GetDouble();
                if (key.SequenceEqual("bt"u8))
                {
                    record.BaseTime = number;
                }
                else if (key.SequenceEqual("t"u8))
                {
                    record.Time = number;
                }
                else if (key.SequenceEqual("bv"u8))
                {
                    record.BaseValue = number;
                }
                else
                {
                    record.Value = number;
                }
            }
            else
            {
                // bver, vs, vb, vd, s, ut and extensions: nothing for a float field.
                reader.Skip();
            }
        }

        return null;
    }
}
