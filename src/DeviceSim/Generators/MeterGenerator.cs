using DeviceSim.Fleet;
using Ingest.Contracts;

namespace DeviceSim.Generators;

/// <summary>
/// A smart electricity meter. Households draw a little at night, a morning peak around 06:30 and a larger evening peak
/// around 19:30 (air conditioning adds to it in the hot season); commercial meters follow working hours. Voltage sits a
/// few volts above the 220 V nominal off-peak and sags toward 205–210 V when the whole feeder peaks. Outages are rare
/// (about one per meter every 25 days), last 5–90 minutes, read ~0 V with the <c>outage</c> flag, and energy import is
/// cumulative (kWh). One household in ten has rooftop solar and exports at midday. Households are single-phase;
/// commercial meters and gateway sub-meters are three-phase (current per phase).
/// </summary>
public sealed class MeterGenerator : GeneratorBase
{
    private const double OutagesPerHour = 1.0 / 600;
    private const double NominalVoltage = 220;

    private readonly bool _commercial;
    private readonly double _base;
    private readonly double _scale;
    private readonly double _solarPeak;
    private readonly double _powerFactor;
    private double _energyImport;
    private double _energyExport;
    private double _loadNoise;
    private double _voltageNoise;
    private DateTimeOffset _outageEnd;

    public MeterGenerator(DeviceSpec device, Random random)
        : base(device, random)
    {
        _commercial = device.Kind is DeviceKinds.Commercial or DeviceKinds.Submeter;
        _base = _commercial ? 0.8 + (2.5 * random.NextDouble()) : 0.1 + (0.25 * random.NextDouble());
        _scale = _commercial ? 3 + (9 * random.NextDouble()) : 0.7 + (0.9 * random.NextDouble());
        _solarPeak = device.Kind == DeviceKinds.HouseholdSolar ? 2 + (3 * random.NextDouble()) : 0;
        _powerFactor = _commercial ? 0.88 + (0.08 * random.NextDouble()) : 0.9 + (0.08 * random.NextDouble());
        _energyImport = _commercial ? 20_000 + (200_000 * random.NextDouble()) : 1_000 + (15_000 * random.NextDouble());
        _energyExport = _solarPeak > 0 ? 500 + (3_000 * random.NextDouble()) : 0;
    }

    protected override double RssiBase => -82;

    /// <summary>
    /// Feeder loading 0…≈1.3 shared by every meter on the site's feeder; it sets the voltage drop. A function of time only.
    /// </summary>
    public static double FeederLoad(DateTimeOffset at)
    {
        var hour = Signals.LocalHour(at);
        var hot = Math.Max(0, -Signals.Winter(at));
        return 0.25 + (0.35 * Signals.Bump(hour, 6.5, 0.9)) + (0.75 * Signals.Bump(hour, 19.5, 1.7))
            + (0.2 * Signals.Bump(hour, 11.5, 2.5)) + (0.35 * hot * Signals.Bump(hour, 21, 3));
    }

    protected override void Generate(DateTimeOffset at, TimeSpan elapsed, List<KeyValuePair<string, double>> values, List<string> flags)
    {
        var hour = Signals.LocalHour(at);
        var hot = Math.Max(0, -Signals.Winter(at));
        _loadNoise = Ar1(_loadNoise, 0.9, 0.25);
        _voltageNoise = Ar1(_voltageNoise, 0.8, 1.2);

        if (at >= _outageEnd && Random.NextDouble() < Signals.ChanceWithin(OutagesPerHour, elapsed))
        {
            _outageEnd = at + TimeSpan.FromMinutes(5 + (85 * Random.NextDouble()));
        }

        if (at < _outageEnd)
        {
            values.Add(new(Fields.Voltage, Signals.Round(1.5 * Random.NextDouble(), 1)));
            values.Add(new(Fields.Current, 0));
            values.Add(new(Fields.Power, 0));
            values.Add(new(Fields.EnergyImport, Signals.Round(_energyImport, 3)));
            values.Add(new(Fields.EnergyExport, Signals.Round(_energyExport, 3)));
            flags.Add(Flags.Outage);
            return;
        }

        double demand;
        if (_commercial)
        {
            var open = Signals.Weekday(at) * (Signals.Bump(hour, 12.5, 3.2) + (0.3 * Signals.Bump(hour, 21, 2)));
            demand = _base + (_scale * open * (1 + (0.3 * hot)));
        }
        else
        {
            demand = _base + (_scale * ((0.9 * Signals.Bump(hour, 6.5, 0.8)) + (1.7 * Signals.Bump(hour, 19.5, 1.5))
                + (hot * ((1.5 * Signals.Bump(hour, 22, 2.5)) + (0.6 * Signals.Bump(hour, 13, 2))))));
        }

        demand = Math.Max(0.02, demand * Math.Exp(_loadNoise));
        var solar = _solarPeak * Signals.Daylight(hour) * (0.75 + (0.25 * Random.NextDouble()));
        var net = demand - solar;
        var hours = elapsed.TotalHours;
        if (net >= 0)
        {
            _energyImport += net * hours;
        }
        else
        {
            _energyExport += -net * hours;
        }

        var voltage = NominalVoltage + 11 - (20 * FeederLoad(at)) - (Math.Max(0, net) * (_commercial ? 0.15 : 0.8)) + _voltageNoise;
        voltage = Math.Clamp(voltage, 195, 245);
        var pf = Math.Clamp(_powerFactor + (0.01 * _loadNoise), 0.7, 1);
        // Households are single-phase; commercial and sub-meters are three-phase and report the current per phase.
        var current = Math.Abs(net) * 1000 / ((_commercial ? 3 : 1) * voltage * pf);
        var frequency = Math.Clamp(50 + (0.03 * Signals.Gaussian(Random)), 49.8, 50.2);

        values.Add(new(Fields.Voltage, Signals.Round(voltage, 1)));
        values.Add(new(Fields.Current, Signals.Round(current, 2)));
        values.Add(new(Fields.Power, Signals.Round(net, 3)));
        values.Add(new(Fields.EnergyImport, Signals.Round(_energyImport, 3)));
        values.Add(new(Fields.EnergyExport, Signals.Round(_energyExport, 3)));
        values.Add(new(Fields.PowerFactor, Signals.Round(pf, 2)));
        values.Add(new(Fields.Frequency, Signals.Round(frequency, 2)));
    }
}
