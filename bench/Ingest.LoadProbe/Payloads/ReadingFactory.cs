using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ingest.Contracts;

namespace Ingest.LoadProbe.Payloads;

/// <summary>
/// The bench's air readings, identical in every measurement: the platform JSON document (about 180 bytes, eight values,
/// RFC 3339 millisecond timestamp, sequence number), a gateway batch of such documents, and the line protocol the worker
/// stores for one (<c>air,device=…,site=… co=…,no2=…,… ns</c>) for the raw InfluxDB ceiling. Values are a cheap
/// deterministic function of device and sequence. A reading marked <c>spike</c> carries a PM2.5 far above any limit,
/// to make the alert engine raise (and the next normal reading clear).
/// </summary>
public static class ReadingFactory
{
    public const string Measurement = Domains.Air;

    /// <summary>PM2.5 of a spike reading (µg/m³): above the bench rule's limit and every QCVN value.</summary>
    public const double SpikePm25 = 900;

    private static readonly string[] FieldNames = [Fields.Co, Fields.No2, Fields.O3, Fields.Pm10, Fields.Pm25, Fields.Humidity, Fields.So2, Fields.Temperature];
    private static readonly JsonEncodedText[] EncodedNames = [.. FieldNames.Select(n => JsonEncodedText.Encode(n))];
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText TsName = JsonEncodedText.Encode("ts");
    private static readonly JsonEncodedText SeqName = JsonEncodedText.Encode("seq");
    private static readonly JsonEncodedText ValuesName = JsonEncodedText.Encode("values");

    /// <summary>Device id of index <paramref name="index"/> of a run: <c>air-{run}-{index:00000}</c> (the prefix names the domain).</summary>
    public static string DeviceId(string run, int index) => string.Create(CultureInfo.InvariantCulture, $"air-{run}-{index:00000}");

    public static double Value(int field, int device, long seq, bool spike)
    {
        if (spike && FieldNames[field] == Fields.Pm25)
        {
            return SpikePm25;
        }

        // Smooth-ish, bounded, different per device and field; one decimal like real stations.
        var x = ((device * 7919L) + (seq * 31L) + (field * 104729L)) % 1000;
        var baseline = FieldNames[field] switch
        {
            Fields.Pm25 => 20.0, Fields.Pm10 => 40.0, Fields.Co => 500.0, Fields.No2 => 15.0, Fields.So2 => 5.0,
            Fields.O3 => 30.0, Fields.Temperature => 24.0, _ => 60.0,
        };
        return Math.Round(baseline + (x / 50.0), 1);
    }

    public static void WriteDocument(Utf8JsonWriter writer, string deviceId, int device, DateTimeOffset timestamp, long seq, bool spike)
    {
        Span<byte> ts = stackalloc byte[24];
        Format(timestamp, ts);
        WriteDocument(writer, deviceId, device, ts, seq, spike);
    }

    /// <summary>The document with its timestamp already formatted (a gateway's children share one).</summary>
    private static void WriteDocument(Utf8JsonWriter writer, string deviceId, int device, ReadOnlySpan<byte> ts, long seq, bool spike)
    {
        writer.WriteStartObject();
        writer.WriteString(IdName, deviceId);
        writer.WriteString(TsName, ts);
        writer.WriteNumber(SeqName, seq);
        writer.WriteStartObject(ValuesName);
        Span<byte> number = stackalloc byte[DecimalText.MaxLength];
        for (var f = 0; f < FieldNames.Length; f++)
        {
            writer.WritePropertyName(EncodedNames[f]);
            writer.WriteRawValue(number[..DecimalText.Format(Value(f, device, seq, spike), number)], skipInputValidation: true);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static byte[] Document(string deviceId, int device, DateTimeOffset timestamp, long seq, bool spike)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteDocument(writer, deviceId, device, timestamp, seq, spike);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A gateway batch <c>{"gw": …, "readings": [ … ]}</c> of one reading per child, all stamped <paramref name="timestamp"/>.</summary>
    public static byte[] GatewayBatch(string gatewayId, IReadOnlyList<(string Id, int Index, bool Spike)> children, DateTimeOffset timestamp, long seq)
    {
        var buffer = new ArrayBufferWriter<byte>(200 * children.Count + 64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("gw", gatewayId);
            writer.WriteStartArray("readings");
            Span<byte> ts = stackalloc byte[24];
            Format(timestamp, ts);
            foreach (var (id, index, spike) in children)
            {
                WriteDocument(writer, id, index, ts, seq, spike);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The line the worker's PointMapper writes for the same reading (tags sorted, float fields, ns time).</summary>
    public static void AppendLine(StringBuilder sb, string deviceId, string site, int device, DateTimeOffset timestamp, long seq)
    {
        var c = CultureInfo.InvariantCulture;
        sb.Append(Measurement).Append(",device=").Append(deviceId).Append(",site=").Append(site).Append(' ');
        for (var f = 0; f < FieldNames.Length; f++)
        {
            if (f > 0)
            {
                sb.Append(',');
            }

            sb.Append(FieldNames[f]).Append('=').Append(Value(f, device, seq, spike: false).ToString("R", c));
        }

        sb.Append(' ').Append(((timestamp.ToUnixTimeMilliseconds() * 1_000_000L)).ToString(c)).Append('\n');
    }

    /// <summary>yyyy-MM-ddTHH:mm:ss.fffZ into 24 bytes.</summary>
    private static void Format(DateTimeOffset timestamp, Span<byte> destination)
    {
        var utc = timestamp.UtcDateTime;
        utc.TryFormat(destination, out _, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}
