namespace Ingest.Contracts;

/// <summary>Field names and the unit each is stored in (DESIGN.md §3). Shared so that simulator, worker and dashboard agree.</summary>
public static class Fields
{
    // air
    public const string Pm25 = "pm25";
    public const string Pm10 = "pm10";
    public const string Tsp = "tsp";
    public const string Co = "co";
    public const string No2 = "no2";
    public const string So2 = "so2";
    public const string O3 = "o3";
    public const string Temperature = "temp";
    public const string Humidity = "rh";

    // water
    public const string Ph = "ph";
    public const string DissolvedOxygen = "do";
    public const string Tss = "tss";
    public const string Cod = "cod";
    public const string Bod5 = "bod5";
    public const string Nh4 = "nh4";
    public const string Turbidity = "turbidity";
    public const string Conductivity = "ec";

    // meter
    public const string Voltage = "voltage";
    public const string Current = "current";
    public const string Power = "power";
    public const string EnergyImport = "energy_import";
    public const string EnergyExport = "energy_export";
    public const string PowerFactor = "pf";
    public const string Frequency = "freq";

    // any device
    public const string Battery = "batt";
    public const string Rssi = "rssi";

    /// <summary>Stored unit per field name; a field absent here is stored as sent.</summary>
    public static readonly IReadOnlyDictionary<string, string> StoredUnits = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Pm25] = "µg/m³", [Pm10] = "µg/m³", [Tsp] = "µg/m³",
        [Co] = "µg/m³", [No2] = "µg/m³", [So2] = "µg/m³", [O3] = "µg/m³",
        [Temperature] = "°C", [Humidity] = "%",
        [Ph] = "", [DissolvedOxygen] = "mg/L", [Tss] = "mg/L", [Cod] = "mg/L", [Bod5] = "mg/L", [Nh4] = "mg/L",
        [Turbidity] = "NTU", [Conductivity] = "µS/cm",
        [Voltage] = "V", [Current] = "A", [Power] = "kW", [EnergyImport] = "kWh", [EnergyExport] = "kWh",
        [PowerFactor] = "", [Frequency] = "Hz",
        [Battery] = "V", [Rssi] = "dBm",
    };
}
