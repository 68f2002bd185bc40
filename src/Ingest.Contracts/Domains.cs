namespace Ingest.Contracts;

/// <summary>The device domains of DESIGN.md §1; each is also the InfluxDB measurement of its readings.</summary>
public static class Domains
{
    public const string Air = "air";
    public const string Water = "water";
    public const string Meter = "meter";
    public const string Gateway = "gw";

    /// <summary>Domains whose devices publish telemetry of their own.</summary>
    public static readonly IReadOnlyList<string> Telemetry = [Air, Water, Meter];

    public static bool IsTelemetryDomain(string domain) => TryGetTelemetryDomain(domain, out _);

    /// <summary>The telemetry domain spelled by <paramref name="name"/>, as the shared constant (no new string).</summary>
    public static bool TryGetTelemetryDomain(ReadOnlySpan<char> name, out string domain)
    {
        domain = name switch
        {
            Air => Air,
            Water => Water,
            Meter => Meter,
            _ => "",
        };
        return domain.Length > 0;
    }
}
