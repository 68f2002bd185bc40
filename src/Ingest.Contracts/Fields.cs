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

    /// <summary>
    /// Each field's name as people read it, in Vietnamese and English: the worker's alert sentences and the dashboard's
    /// labels (which add <see cref="StoredUnits"/>). A field absent here is shown by its key.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string Vi, string En)> Names = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        [Pm25] = ("PM2.5", "PM2.5"), [Pm10] = ("PM10", "PM10"), [Tsp] = ("Bụi tổng TSP", "TSP"),
        [Co] = ("CO", "CO"), [No2] = ("NO₂", "NO₂"), [So2] = ("SO₂", "SO₂"), [O3] = ("O₃", "O₃"),
        [Temperature] = ("Nhiệt độ", "Temperature"), [Humidity] = ("Độ ẩm", "Humidity"),
        [Ph] = ("pH", "pH"), [DissolvedOxygen] = ("Oxy hòa tan DO", "Dissolved oxygen"),
        [Tss] = ("Chất rắn lơ lửng TSS", "TSS"), [Cod] = ("COD", "COD"), [Bod5] = ("BOD₅", "BOD₅"),
        [Nh4] = ("Amoni NH₄⁺", "Ammonium"), [Turbidity] = ("Độ đục", "Turbidity"), [Conductivity] = ("Độ dẫn điện", "Conductivity"),
        [Voltage] = ("Điện áp", "Voltage"), [Current] = ("Dòng điện", "Current"), [Power] = ("Công suất", "Power"),
        [EnergyImport] = ("Chỉ số điện năng nhận", "Energy import register"),
        [EnergyExport] = ("Chỉ số điện năng phát", "Energy export register"),
        [PowerFactor] = ("Hệ số công suất", "Power factor"), [Frequency] = ("Tần số", "Frequency"),
        [Battery] = ("Pin", "Battery"), [Rssi] = ("Tín hiệu", "Signal"),
    };
}
