using DeviceSim.Fleet;
using Ingest.Contracts;

namespace DeviceSim.Generators;

/// <summary>
/// A river or outfall water-quality station. Dissolved oxygen follows saturation at the water temperature, minus the
/// site's organic load, plus a photosynthesis cycle (highest mid-afternoon, lowest before dawn). NH4+ and COD are high
/// where the site's <see cref="Site.WaterLoad"/> is high — the Ngũ Huyện Khê below the Phong Khê paper and Đa Hội steel
/// villages — and rise further during the villages' working hours. Turbidity and TSS rise in the rainy season.
/// </summary>
public sealed class WaterGenerator : GeneratorBase
{
    private readonly double _load;
    private double _noise;
    private double _turbidityNoise;
    private double _battery;

    public WaterGenerator(DeviceSpec device, Random random)
        : base(device, random)
    {
        var outfall = device.Kind == DeviceKinds.Outfall;
        _load = Math.Clamp(device.Site.WaterLoad * (outfall ? 1.1 : 1.0) * (0.9 + (0.2 * random.NextDouble())), 0, 1);
        _battery = 12.6 + (0.6 * random.NextDouble());
    }

    protected override double RssiBase => -88;

    protected override void Generate(DateTimeOffset at, TimeSpan elapsed, List<KeyValuePair<string, double>> values, List<string> flags)
    {
        var hour = Signals.LocalHour(at);
        var winter = Signals.Winter(at);
        var rainy = Math.Max(0, -winter);
        var daylight = Signals.Daylight(hour);
        var photosynthesis = Signals.Bump(hour, 15, 3.5) - Signals.Bump(hour, 4.5, 3.5);
        var working = _load > 0.5 ? Signals.Weekday(at) * Signals.Bump(hour, 11, 3.5) : 0;

        _noise = Ar1(_noise, 0.98, 0.12);
        _turbidityNoise = Ar1(_turbidityNoise, 0.97, 0.25);

        var temperature = 25.2 - (6.2 * winter) + (1.1 * Math.Sin(2 * Math.PI * (hour - 10) / 24)) + (0.4 * _noise);
        var saturation = 14.62 - (0.3898 * temperature) + (0.006969 * temperature * temperature)
            - (0.00005896 * temperature * temperature * temperature);
        var dissolvedOxygen = (saturation * (0.88 - (0.72 * _load))) + (1.4 * (1 - (0.6 * _load)) * photosynthesis) + (0.3 * _noise);
        dissolvedOxygen = Math.Clamp(dissolvedOxygen, 0.05, 16);

        var nh4 = (0.12 + (16 * _load * _load)) * (1 + (0.45 * working)) * Math.Exp(_noise);
        var cod = (11 + (170 * _load * _load)) * (1 + (0.35 * working)) * Math.Exp(0.8 * _noise);
        var bod5 = cod * (0.42 + (0.06 * _load));
        var turbidity = (12 + (70 * rainy) + (35 * _load)) * Math.Exp(_turbidityNoise);
        var tss = (turbidity * 1.15) + (8 * _load);
        var ph = Math.Clamp(7.25 - (0.55 * _load) + (0.25 * photosynthesis * (1 - _load)) + (0.05 * _noise), 5.5, 9.5);
        var conductivity = (210 + (950 * _load)) * (1 + (0.08 * _noise)) * (1 - (0.2 * rainy));

        // Solar-buffered lead-acid supply: charges by day, drains by night.
        _battery = Math.Clamp(_battery + (elapsed.TotalHours * ((daylight * 0.12) - 0.04)), 11.6, 13.8);

        values.Add(new(Fields.Ph, Signals.Round(ph, 2)));
        values.Add(new(Fields.DissolvedOxygen, Signals.Round(dissolvedOxygen, 2)));
        values.Add(new(Fields.Nh4, Signals.Round(nh4, 2)));
        values.Add(new(Fields.Cod, Signals.Round(cod, 1)));
        values.Add(new(Fields.Bod5, Signals.Round(bod5, 1)));
        values.Add(new(Fields.Tss, Signals.Round(tss, 1)));
        values.Add(new(Fields.Turbidity, Signals.Round(turbidity, 1)));
        values.Add(new(Fields.Conductivity, Signals.Round(conductivity, 0)));
        values.Add(new(Fields.Temperature, Signals.Round(temperature, 1)));
        values.Add(new(Fields.Battery, Signals.Round(_battery, 2)));
        if (_battery < 11.8)
        {
            flags.Add(Flags.LowBattery);
        }
    }
}
