using System.Globalization;
using System.Text;
using Ingest.Contracts;

namespace DeviceSim.Faults;

/// <summary>The broken documents the simulator sends, each with the quarantine reason the worker must give it.</summary>
public enum MalformedVariant
{
    /// <summary>The document cut in half: <c>InvalidJson</c>.</summary>
    Truncated,

    /// <summary>A value sent as text (<c>"pm25": "high"</c>): <c>InvalidValue</c>.</summary>
    TextValue,

    /// <summary><c>values</c> is a list instead of an object: <c>SchemaMismatch</c>.</summary>
    ValuesNotObject,

    /// <summary>No <c>id</c> member: <c>MissingDeviceId</c>.</summary>
    MissingId,

    /// <summary>An empty <c>values</c> object: <c>NoValues</c>.</summary>
    NoValues,

    /// <summary><c>ts</c> that is no date (<c>"hôm qua"</c>): <c>InvalidTimestamp</c>.</summary>
    BadTimestamp,
}

public static class MalformedPayloads
{
    public static readonly MalformedVariant[] Variants = Enum.GetValues<MalformedVariant>();

    /// <summary>The name of the worker's QuarantineReason for a variant.</summary>
    public static string ExpectedReason(MalformedVariant variant) => variant switch
    {
        MalformedVariant.Truncated => "InvalidJson",
        MalformedVariant.TextValue => "InvalidValue",
        MalformedVariant.ValuesNotObject => "SchemaMismatch",
        MalformedVariant.MissingId => "MissingDeviceId",
        MalformedVariant.NoValues => "NoValues",
        MalformedVariant.BadTimestamp => "InvalidTimestamp",
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    public static byte[] Build(MalformedVariant variant, TelemetryDocument document)
    {
        var ts = document.Timestamp?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "";
        var seq = (document.Sequence ?? 0).ToString(CultureInfo.InvariantCulture);
        var (field, value) = document.Values.Count > 0 ? document.Values[0] : new(Fields.Temperature, 25.0);
        var number = value.ToString("R", CultureInfo.InvariantCulture);
        var text = variant switch
        {
            MalformedVariant.Truncated => Truncate(Encoding.UTF8.GetString(document.ToUtf8Bytes())),
            MalformedVariant.TextValue => $$$"""{"id":"{{{document.Id}}}","ts":"{{{ts}}}","seq":{{{seq}}},"values":{"{{{field}}}":"high"}}""",
            MalformedVariant.ValuesNotObject => $$$"""{"id":"{{{document.Id}}}","ts":"{{{ts}}}","seq":{{{seq}}},"values":[{{{number}}}]}""",
            MalformedVariant.MissingId => $$$"""{"ts":"{{{ts}}}","seq":{{{seq}}},"values":{"{{{field}}}":{{{number}}}}}""",
            MalformedVariant.NoValues => $$$"""{"id":"{{{document.Id}}}","ts":"{{{ts}}}","seq":{{{seq}}},"values":{}}""",
            MalformedVariant.BadTimestamp => $$$"""{"id":"{{{document.Id}}}","ts":"hôm qua","seq":{{{seq}}},"values":{"{{{field}}}":{{{number}}}}}""",
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };
        return Encoding.UTF8.GetBytes(text);
    }

    private static string Truncate(string json) => json[..Math.Max(2, json.Length / 2)];
}
