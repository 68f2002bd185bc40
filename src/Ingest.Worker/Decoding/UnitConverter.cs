using Ingest.Contracts;

namespace Ingest.Worker.Decoding;

/// <summary>
/// Converts a value sent in some unit into its field's stored unit (DESIGN.md §3). Gas concentrations in ppm/ppb become
/// µg/m³ at 25 °C and 1 atm (molar volume 24.45 L/mol, as QCVN 05:2023 states its limits at 25 °C): µg/m³ = ppb × M / 24.45.
/// Units are SenML names (RFC 8428 §12.1) plus common spellings devices use.
/// </summary>
public static class UnitConverter
{
    private const double MolarVolume25C = 24.45;

    /// <summary>Molar masses in g/mol of the gases with limits in QCVN 05:2023.</summary>
    private static readonly Dictionary<string, double> MolarMass = new(StringComparer.Ordinal)
    {
        [Fields.Co] = 28.010,
        [Fields.No2] = 46.006,
        [Fields.So2] = 64.066,
        [Fields.O3] = 47.997,
    };

    /// <summary>False when the unit is unknown or makes no sense for the field.</summary>
    public static bool TryConvert(string field, string? unit, double value, out double stored)
    {
        stored = value;
        if (string.IsNullOrEmpty(unit))
        {
            return true;
        }

        var target = Fields.StoredUnits.TryGetValue(field, out var u) ? u : null;
        switch (unit)
        {
            case "ug/m3" or "µg/m3" or "µg/m³" or "ug/m³" when target == "µg/m³":
            case "Cel" or "°C" or "C" when target == "°C":
            case "%RH" or "%" when target == "%":
            case "V" when target == "V":
            case "A" when target == "A":
            case "kW" when target == "kW":
            case "kWh" when target == "kWh":
            case "Hz" when target == "Hz":
            case "mg/L" or "mg/l" when target == "mg/L":
            case "NTU" when target == "NTU":
            case "uS/cm" or "µS/cm" when target == "µS/cm":
            case "dBm" when target == "dBm":
            case "pH" or "/" or "1" when target == "":
                return true;
            case "K" when target == "°C":
                stored = value - 273.15;
                return true;
            case "W" when target == "kW":
                stored = value / 1000;
                return true;
            case "Wh" when target == "kWh":
                stored = value / 1000;
                return true;
            case "J" when target == "kWh":
                stored = value / 3.6e6;
                return true;
            case "mg/m3" when target == "µg/m³":
                stored = value * 1000;
                return true;
            case "kg/m3" when target == "µg/m³":
                stored = value * 1e9;
                return true;
            case "kg/m3" when target == "mg/L":
                stored = value * 1000;
                return true;
            case "S/m" when target == "µS/cm":
                stored = value * 1e4;
                return true;
            case "ppm" or "ppb" when MolarMass.TryGetValue(field, out var mass):
                var ppb = unit == "ppm" ? value * 1000 : value;
                stored = ppb * mass / MolarVolume25C;
                return true;
            case "%" when target == "":
                stored = value / 100;
                return true;
            default:
                // A field the platform has no stored unit for is kept as sent.
                return target is null;
        }
    }

    /// <summary>A field name for a SenML record that names only its device, from its unit.</summary>
    public static string? FieldForUnit(string? unit) => unit switch
    {
        "Cel" or "K" => Fields.Temperature,
        "%RH" => Fields.Humidity,
        "V" => Fields.Voltage,
        "A" => Fields.Current,
        "W" or "kW" => Fields.Power,
        "Hz" => Fields.Frequency,
        "dBm" => Fields.Rssi,
        _ => null,
    };
}
