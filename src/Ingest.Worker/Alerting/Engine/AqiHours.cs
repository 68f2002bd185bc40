using Ingest.Contracts;
using Ingest.Worker.Alerting.Aqi;
using Ingest.Worker.Decoding;

namespace Ingest.Worker.Alerting.Engine;

/// <summary>An hour (and, at the end of a local day, the day) that <see cref="AqiHours"/> has finished.</summary>
public sealed record AqiClosed(DateTimeOffset Hour, AqiResult? Hourly, DateTimeOffset? Day, AqiResult? Daily);

/// <summary>
/// One station's 1 h means for the VN_AQI of Decision 1459/QĐ-TCMT (reference/vn-standards.md §2). Accumulates the current
/// hour (device time); when the hour ends computes the hourly AQI with the NowCast over the last 12 hourly PM means (§2.3);
/// when the last hour of a local day ends (or a later day's first hour does), the daily AQI (§2.4): PM from the mean of
/// the day's hourly means (hours starting 00:00–23:00, i.e. the values labelled 01:00 to 00:00), SO2/NO2/CO from the day's
/// highest hourly mean, O3 from the larger index of the highest hourly mean and the highest 8 h mean.
/// </summary>
public sealed class AqiHours(TimeSpan localOffset)
{
    /// <summary>Hours of PM a daily mean needs (75 % of the day): a choice of this system, the decision sets none.</summary>
    public const int MinDailyHours = 18;

    private static readonly string[] Pollutants = [Fields.Pm25, Fields.Pm10, Fields.O3, Fields.Co, Fields.So2, Fields.No2];
    // The current hour's sums and counts, by the pollutant's index in Pollutants.
    private readonly double[] _sums = new double[Pollutants.Length];
    private readonly int[] _counts = new int[Pollutants.Length];
    private readonly Dictionary<DateTimeOffset, Dictionary<string, double>> _hours = [];
    private DateOnly? _openDay;

    /// <summary>Start of the hour being accumulated, if any.</summary>
    public DateTimeOffset? CurrentHour { get; private set; }

    /// <summary>Adds a reading; returns the finished hour's AQI when the reading starts a later hour.</summary>
    public AqiClosed? Add(Reading reading)
    {
        var hour = HourOf(reading.Timestamp);
        AqiClosed? finished = null;
        if (CurrentHour is { } current && hour > current)
        {
            finished = Close();
        }
        else if (CurrentHour is { } open && hour < open)
        {
            return null; // a late reading for an hour already computed
        }

        CurrentHour = hour;
        var values = reading.Values;
        for (var i = 0; i < values.Count; i++)
        {
            if (PollutantIndex(values.Name(i)) is var p and >= 0)
            {
                _sums[p] += values.Number(i);
                _counts[p]++;
            }
        }

        return finished;
    }

    /// <summary>Computes the current hour's AQI (and the day's, when the day is complete) and starts afresh.</summary>
    public AqiClosed? Close()
    {
        if (CurrentHour is not { } hour)
        {
            return null;
        }

        var means = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var p = 0; p < Pollutants.Length; p++)
        {
            if (_counts[p] > 0)
            {
                means[Pollutants[p]] = _sums[p] / _counts[p];
            }
        }

        _hours[hour] = means;
        foreach (var old in _hours.Keys.Where(h => h <= hour.AddHours(-36)).ToList())
        {
            _hours.Remove(old);
        }

        var hourly = VnAqi.Hourly(
            Last12(Fields.Pm25, hour), Last12(Fields.Pm10, hour),
            Mean(means, Fields.O3), Mean(means, Fields.Co), Mean(means, Fields.So2), Mean(means, Fields.No2));
        Array.Clear(_sums);
        Array.Clear(_counts);
        CurrentHour = null;

        // The daily index of a day that is over: this hour was its last, or this hour already belongs to a later day.
        var local = hour.ToOffset(localOffset);
        var day = DateOnly.FromDateTime(local.DateTime);
        DateOnly? finishedDay = null;
        if (_openDay is { } openDay && day > openDay)
        {
            finishedDay = openDay;
        }

        _openDay = day;
        if (local.Hour == 23)
        {
            finishedDay = day;
            _openDay = null;
        }

        if (finishedDay is not { } d)
        {
            return new AqiClosed(hour, hourly, null, null);
        }

        var dayStart = new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), localOffset);
        return new AqiClosed(hour, hourly, dayStart, Daily(dayStart));
    }

    private AqiResult? Daily(DateTimeOffset dayStart)
    {
        var day = Enumerable.Range(0, 24).Select(i => dayStart.AddHours(i)).ToList();
        double? DayMean(string field)
        {
            var values = day.Select(h => Get(h, field)).OfType<double>().ToList();
            return values.Count >= MinDailyHours ? values.Average() : null;
        }

        double? DayMax(string field)
        {
            var values = day.Select(h => Get(h, field)).OfType<double>().ToList();
            return values.Count > 0 ? values.Max() : null;
        }

        // 8 h means ending at each hour of the day (24 per day), each from 8 consecutive hourly means.
        double? o3EightHour = null;
        foreach (var end in day)
        {
            var window = Enumerable.Range(0, 8).Select(i => Get(end.AddHours(-i), Fields.O3)).ToList();
            if (window.All(v => v is not null))
            {
                var mean = window.Average(v => v!.Value);
                o3EightHour = Math.Max(o3EightHour ?? double.MinValue, mean);
            }
        }

        return VnAqi.Daily(DayMean(Fields.Pm25), DayMean(Fields.Pm10), DayMax(Fields.O3), o3EightHour, DayMax(Fields.Co), DayMax(Fields.So2), DayMax(Fields.No2));
    }

    /// <summary>
    /// Where <paramref name="field"/> is in <see cref="Pollutants"/> (in its order); -1 for a field the AQI does not use.
    /// A switch rather than a dictionary built from the array: 0.15 µs less per reading in AlertEngineBenchmarks.
    /// </summary>
    private static int PollutantIndex(string field) => field switch
    {
        Fields.Pm25 => 0,
        Fields.Pm10 => 1,
        Fields.O3 => 2,
        Fields.Co => 3,
        Fields.So2 => 4,
        Fields.No2 => 5,
        _ => -1,
    };

    public static DateTimeOffset HourOf(DateTimeOffset at) =>
        new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);

    private double? Get(DateTimeOffset hour, string field) =>
        _hours.TryGetValue(hour.ToUniversalTime(), out var means) && means.TryGetValue(field, out var v) ? v : null;

    private static double? Mean(Dictionary<string, double> means, string field) => means.TryGetValue(field, out var v) ? v : null;

    private List<double?>? Last12(string field, DateTimeOffset hour)
    {
        var list = new List<double?>(12);
        for (var i = 0; i < 12; i++)
        {
            list.Add(Get(hour.AddHours(-i), field));
        }

        return list.Any(v => v is not null) ? list : null;
    }
}
