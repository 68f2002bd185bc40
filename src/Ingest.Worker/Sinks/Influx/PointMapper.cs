using System.Buffers;
using System.Text;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;
using Ingest.Contracts;
using Ingest.Worker.Decoding;

namespace Ingest.Worker.Sinks.Influx;

/// <summary>
/// Reading → InfluxDB.Client <see cref="PointData"/>: measurement = domain, tags <c>device</c>, <c>site</c> and the registry's,
/// one float field per value, the device timestamp in nanoseconds. The library does all escaping. The identity
/// (measurement, tags, timestamp) is fixed by the reading, so a redelivered message overwrites itself.
/// <see cref="ToLineProtocol"/> is the hot path: the same line as <c>ToPoint(r).ToLineProtocol()</c> (tested against it),
/// written straight into a reused builder instead of through PointData's sorted dictionaries (≈5 KB per reading).
/// </summary>
public static class PointMapper
{
    public const string DeviceTag = "device";
    public const string SiteTag = "site";

    public static PointData ToPoint(Reading reading)
    {
        var builder = PointData.Builder.Measurement(reading.Measurement)
            .Tag(DeviceTag, reading.DeviceId)
            .Tag(SiteTag, reading.Site);
        foreach (var (key, value) in reading.Tags)
        {
            builder = builder.Tag(key, value);
        }

        foreach (var (name, value) in reading.Values)
        {
            builder = builder.Field(name, value);
        }

        return builder.Timestamp(reading.Timestamp, WritePrecision.Ns).ToPointData();
    }

    [ThreadStatic]
    private static StringBuilder? t_line;

    /// <summary>One reading as a line of line protocol, exactly as PointData writes it.</summary>
    public static string ToLineProtocol(Reading reading) => BuildLine(reading)?.ToString() ?? ToPoint(reading).ToLineProtocol();

    /// <summary>
    /// The same line, appended as UTF-8 to <paramref name="output"/> (no newline): the sink's path, which costs no string
    /// per reading.
    /// </summary>
    public static void WriteLineProtocol(Reading reading, IBufferWriter<byte> output)
    {
        if (BuildLine(reading) is not { } line)
        {
            Encode(ToPoint(reading).ToLineProtocol(), output);
            return;
        }

        foreach (var chunk in line.GetChunks())
        {
            Encode(chunk.Span, output);
        }
    }

    private static void Encode(ReadOnlySpan<char> chars, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(chars.Length));
        output.Advance(Encoding.UTF8.GetBytes(chars, span));
    }

    /// <summary>The line in the thread's reused builder, or null where PointData must decide (special characters, no finite field).</summary>
    private static StringBuilder? BuildLine(Reading reading)
    {
        var tags = reading.Tags;
        var values = reading.Values;
        if (!IsPlain(reading.Measurement) || !IsPlain(reading.DeviceId) || !IsPlain(reading.Site) || !AllPlain(tags) || !AllPlain(values))
        {
            // Characters PointData treats specially beyond , = and space: let the library decide.
            return null;
        }

        var line = t_line ??= new StringBuilder(256);
        line.Clear();
        Escape(line, reading.Measurement, measurement: true);

        // Tags and fields in ordinal key order, the last of equal keys winning, empty tag values left out (as PointData).
        Span<int> tagOrder = stackalloc int[tags.Count + 2];
        var tagCount = Order(tagOrder, tags.Count + 2, reading, tags: true);
        for (var k = 0; k < tagCount; k++)
        {
            var value = TagValue(reading, tagOrder[k]);
            if (value.Length == 0)
            {
                continue;
            }

            line.Append(',');
            Escape(line, TagKey(reading, tagOrder[k]), measurement: false);
            line.Append('=');
            Escape(line, value, measurement: false);
        }

        Span<int> fieldOrder = stackalloc int[values.Count];
        var fieldCount = Order(fieldOrder, values.Count, reading, tags: false);
        var first = true;
        Span<char> number = stackalloc char[DecimalText.MaxLength];
        for (var k = 0; k < fieldCount; k++)
        {
            var (name, value) = values[fieldOrder[k]];
            if (!double.IsFinite(value))
            {
                continue;
            }

            line.Append(first ? ' ' : ',');
            first = false;
            Escape(line, name, measurement: false);
            line.Append('=');
            line.Append(number[..DecimalText.Format(value, number)]);
        }

        if (first)
        {
            return null;
        }

        var nanoseconds = (reading.Timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        line.Append(' ').Append(nanoseconds);
        return line;
    }

    private static string TagKey(Reading reading, int i) => i switch
    {
        0 => DeviceTag,
        1 => SiteTag,
        _ => reading.Tags[i - 2].Key,
    };

    private static string TagValue(Reading reading, int i) => i switch
    {
        0 => reading.DeviceId,
        1 => reading.Site,
        _ => reading.Tags[i - 2].Value,
    };

    /// <summary>Indices sorted by key (ordinal, stable); of equal keys only the last stays. Returns how many remain.</summary>
    private static int Order(Span<int> order, int count, Reading reading, bool tags)
    {
        // Keys by index, with no delegate or closure: this runs twice for every reading stored.
        string key(int i) => tags ? TagKey(reading, i) : reading.Values[i].Key;

        var n = 0;
        for (var i = 0; i < count; i++)
        {
            var k = key(i);
            var at = n;
            var replaced = false;
            for (var j = 0; j < n; j++)
            {
                var c = string.CompareOrdinal(key(order[j]), k);
                if (c == 0)
                {
                    order[j] = i;
                    replaced = true;
                    break;
                }

                if (c > 0)
                {
                    at = j;
                    break;
                }
            }

            if (replaced)
            {
                continue;
            }

            order[at..n].CopyTo(order[(at + 1)..]);
            order[at] = i;
            n++;
        }

        return n;
    }

    private static void Escape(StringBuilder line, string text, bool measurement)
    {
        foreach (var c in text)
        {
            if (c is ',' or ' ' || (c == '=' && !measurement))
            {
                line.Append('\\');
            }

            line.Append(c);
        }
    }

    /// <summary>Letters (any script), digits and the ASCII punctuation devices use; nothing PointData might escape otherwise.</summary>
    private static bool IsPlain(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) || c is '\\' or '"' or '\'')
            {
                return false;
            }
        }

        return true;
    }

    private static bool AllPlain(IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        for (var i = 0; i < pairs.Count; i++)
        {
            if (!IsPlain(pairs[i].Key) || !IsPlain(pairs[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool AllPlain(ReadingValues pairs)
    {
        for (var i = 0; i < pairs.Count; i++)
        {
            if (!IsPlain(pairs[i].Key))
            {
                return false;
            }
        }

        return true;
    }
}
