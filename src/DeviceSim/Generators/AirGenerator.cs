using DeviceSim.Fleet;
using Ingest.Contracts;

namespace DeviceSim.Generators;

/// <summary>
/// A low-cost air sensor. PM2.5 follows the northern-Vietnam pattern: a winter season two to three times the summer
/// level, morning (≈07:30) and evening (≈18:30) rush-hour peaks, a night-time inversion that traps the evening's
/// emissions until dawn, afternoon mixing that dilutes, and — near industrial zones — pollution episodes of a few hours.
/// Gases follow traffic (CO, NO2), industry (SO2) and sunlight (O3). Units are the stored units of <see cref="Fields"/>.
/// </summary>
public sealed class AirGenerator : GeneratorBase
{
    /// <summary>Expected episode starts per hour at an industrial-zone sensor (about one every two days).</summary>
    private const double EpisodesPerHour = 0.02;

    private readonly double _siteFactor;
    private readonly bool _industrial;
    private readonly double _coarseRatio;
    private double _pmNoise;
    private double _gasNoise;
    private double _tempNoise;
    private double _battery;
    private DateTimeOffset _episodeStart;
    private DateTimeOffset _episodeEnd;
    private double _episodePeak;

    public AirGenerator(DeviceSpec device, Random random)
        : base(device, random)
    {
        _industrial = device.Site.Kind == SiteKind.IndustrialZone;
        _siteFactor = device.Site.AirLoad * (device.Kind == DeviceKinds.LowCostRoadside ? 1.1 : 1.0) * (0.9 + (0.2 * random.NextDouble()));
        _coarseRatio = 1.45 + (0.25 * random.NextDouble());
        _battery = 3.9 + (0.2 * random.NextDouble());
    }

    protected override double RssiBase => _industrial ? -84 : -74;

    protected override void Generate(DateTimeOffset at, TimeSpan elapsed, List<KeyValuePair<string, double>> values, List<string> flags)
    {
        var hour = Signals.LocalHour(at);
        var winter = Signals.Winter(at);
        var traffic = Signals.Weekday(at) * ((0.9 * Signals.Bump(hour, 7.5, 1.1)) + Signals.Bump(hour, 18.5, 1.4));
        var inversion = (0.3 + (0.35 * Math.Max(0, winter))) * Signals.Bump(hour, 1.5, 3.2);
        var mixing = 0.3 * Signals.Bump(hour, 14, 2.5);
        var daylight = Signals.Daylight(hour);

        var episode = Episode(at, elapsed);
        _pmNoise = Ar1(_pmNoise, 0.97, 0.18);
        _gasNoise = Ar1(_gasNoise, 0.95, 0.15);
        _tempNoise = Ar1(_tempNoise, 0.98, 0.6);

        var season = 44 + (26 * winter);
        var pm25 = season * (1 + (0.55 * traffic) + inversion - mixing) * _siteFactor * episode * Math.Exp(_pmNoise);
        pm25 = Math.Clamp(pm25, 3, 900);
        var pm10 = pm25 * (_coarseRatio + (0.15 * Math.Max(0, winter)));

        var co = (650 + (1400 * traffic) + (700 * inversion)) * _siteFactor * Math.Exp(_gasNoise);
        var no2 = (14 + (48 * traffic) + (14 * inversion) + (_industrial ? 10 : 0)) * Math.Exp(_gasNoise);
        var so2 = (7 + (_industrial ? 16 * episode : 2)) * Math.Exp(0.7 * _gasNoise);
        var o3 = Math.Max(2, ((18 + (110 * daylight * (1 - (0.35 * winter)))) * Math.Exp(0.5 * _gasNoise)) - (0.25 * no2));

        var temperature = 23.8 - (6.8 * winter) + (4.2 * Math.Sin(2 * Math.PI * (hour - 9) / 24)) + _tempNoise;
        var humidity = Math.Clamp(80 - (3 * winter) - (13 * Math.Sin(2 * Math.PI * (hour - 9) / 24)) - (2.5 * _tempNoise), 30, 100);

        // A small solar panel charges the cell by day; the sensor drains it slowly at night.
        _battery = Math.Clamp(_battery + (elapsed.TotalHours * ((daylight * 0.06) - 0.012)), 3.45, 4.2);

        values.Add(new(Fields.Pm25, Signals.Round(pm25, 1)));
        values.Add(new(Fields.Pm10, Signals.Round(pm10, 1)));
        values.Add(new(Fields.Co, Signals.Round(co, 0)));
        values.Add(new(Fields.No2, Signals.Round(no2, 1)));
        values.Add(new(Fields.So2, Signals.Round(so2, 1)));
        values.Add(new(Fields.O3, Signals.Round(o3, 1)));
        values.Add(new(Fields.Temperature, Signals.Round(temperature, 1)));
        values.Add(new(Fields.Humidity, Signals.Round(humidity, 0)));
        values.Add(new(Fields.Battery, Signals.Round(_battery, 2)));
        if (_battery < 3.55)
        {
            flags.Add(Flags.LowBattery);
        }
    }

    /// <summary>Multiplier ≥ 1: 1 outside an episode, rising to the episode's peak and back (sine-shaped) during one.</summary>
    private double Episode(DateTimeOffset at, TimeSpan elapsed)
    {
        if (!_industrial)
        {
            return 1;
        }

        if (at >= _episodeEnd && Random.NextDouble() < Signals.ChanceWithin(EpisodesPerHour, elapsed))
        {
            _episodeStart = at;
            _episodeEnd = at + TimeSpan.FromHours(1 + (4 * Random.NextDouble()));
            _episodePeak = 1.6 + (1.6 * Random.NextDouble());
        }

        if (at >= _episodeEnd || at < _episodeStart)
        {
            return 1;
        }

        var progress = (at - _episodeStart) / (_episodeEnd - _episodeStart);
        return 1 + ((_episodePeak - 1) * Math.Sin(Math.PI * progress));
    }
}
