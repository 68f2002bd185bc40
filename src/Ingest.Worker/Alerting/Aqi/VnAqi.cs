namespace Ingest.Worker.Alerting.Aqi;

/// <summary>
/// VN_AQI per Decision 1459/QĐ-TCMT (12/11/2019), as transcribed in reference/vn-standards.md §2: Table 2 breakpoints
/// (all in µg/m³, CO included), Formula 1 interpolation over continuous segments, NowCast for PM2.5/PM10 in the hourly
/// index, daily index from 24 h means (PM), daily maxima (SO2, NO2, CO) and the larger of the 1 h and 8 h O3 indices,
/// overall AQI = the highest sub-index rounded to an integer, and none without PM2.5 or PM10. Pure functions.
/// </summary>
public static class VnAqi
{
    private static readonly double[] Index = [0, 50, 100, 150, 200, 300, 400, 500];

    private static readonly Dictionary<AqiPollutant, double[]> Breakpoints = new()
    {
        [AqiPollutant.O3OneHour] = [0, 160, 200, 300, 400, 800, 1000, 1200],
        [AqiPollutant.O3EightHour] = [0, 100, 120, 170, 210, 400],
        [AqiPollutant.Co] = [0, 10_000, 30_000, 45_000, 60_000, 90_000, 120_000, 150_000],
        [AqiPollutant.So2] = [0, 125, 350, 550, 800, 1600, 2100, 2630],
        [AqiPollutant.No2] = [0, 100, 200, 700, 1200, 2350, 3100, 3850],
        [AqiPollutant.Pm10] = [0, 50, 150, 250, 350, 420, 500, 600],
        [AqiPollutant.Pm25] = [0, 25, 50, 80, 150, 250, 350, 500],
    };

    /// <summary>
    /// Formula 1: the sub-index of a concentration, unrounded. Null for a negative or non-finite concentration and for
    /// O3 (8 h) above its last breakpoint (400 µg/m³), where the decision says not to compute it. Beyond the top
    /// breakpoint of the other columns the index stays at 500.
    /// </summary>
    public static double? SubIndex(AqiPollutant pollutant, double concentration)
    {
        if (!double.IsFinite(concentration) || concentration < 0)
        {
            return null;
        }

        var bp = Breakpoints[pollutant];
        if (concentration >= bp[^1])
        {
            return pollutant == AqiPollutant.O3EightHour
                ? concentration == bp[^1] ? Index[bp.Length - 1] : null
                : Index[^1];
        }

        var i = 0;
        while (concentration >= bp[i + 1])
        {
            i++;
        }

        return ((Index[i + 1] - Index[i]) / (bp[i + 1] - bp[i]) * (concentration - bp[i])) + Index[i];
    }

    /// <summary>
    /// NowCast of PM for the hourly index. <paramref name="hourly"/>[0] is the current hour's mean (c1), [1] the hour
    /// before, up to 12 values; null marks a missing hour (weight 0). Null when fewer than 2 of c1..c3 exist.
    /// w* = min/max over the available values; w = max(w*, 1/2); NowCast = Σ w^(i−1)·ci / Σ w^(i−1).
    /// The decision prints the w = 1/2 case without the denominator; like the implementations it was checked against
    /// (reference/vn-standards.md §2.3), this uses the normalised form for both.
    /// </summary>
    public static double? NowCast(IReadOnlyList<double?> hourly)
    {
        var recent = 0;
        for (var i = 0; i < Math.Min(3, hourly.Count); i++)
        {
            if (hourly[i] is not null)
            {
                recent++;
            }
        }

        if (recent < 2)
        {
            return null;
        }

        double min = double.MaxValue, max = double.MinValue;
        for (var i = 0; i < Math.Min(12, hourly.Count); i++)
        {
            if (hourly[i] is { } c)
            {
                min = Math.Min(min, c);
                max = Math.Max(max, c);
            }
        }

        if (max <= 0)
        {
            return 0;
        }

        var w = Math.Max(min / max, 0.5);
        double numerator = 0, denominator = 0, weight = 1;
        for (var i = 0; i < Math.Min(12, hourly.Count); i++)
        {
            if (hourly[i] is { } c)
            {
                numerator += weight * c;
                denominator += weight;
            }

            weight *= w;
        }

        return numerator / denominator;
    }

    /// <summary>Rounds an index the way the decision's examples do (half away from zero).</summary>
    public static int Round(double index) => (int)Math.Round(index, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Hourly AQI. PM arguments are the last 12 hourly means, newest first (NowCast); the gases are the current hour's
    /// means. Null when neither PM2.5 nor PM10 gives a sub-index.
    /// </summary>
    public static AqiResult? Hourly(
        IReadOnlyList<double?>? pm25Hours, IReadOnlyList<double?>? pm10Hours, double? o3, double? co, double? so2, double? no2)
    {
        var subs = new Dictionary<string, double>();
        Add(subs, "pm25", pm25Hours is null ? null : NowCast(pm25Hours) is { } n25 ? SubIndex(AqiPollutant.Pm25, n25) : null);
        Add(subs, "pm10", pm10Hours is null ? null : NowCast(pm10Hours) is { } n10 ? SubIndex(AqiPollutant.Pm10, n10) : null);
        return Overall(subs, o3, co, so2, no2, o3EightHourMax: null);
    }

    /// <summary>
    /// Daily AQI from the day's 24 h means of PM, and the day's maximum 1 h means of the gases and maximum 8 h mean of O3.
    /// O3's index is the larger of its 1 h and 8 h indices (the 8 h one only up to 400 µg/m³).
    /// </summary>
    public static AqiResult? Daily(double? pm25Mean, double? pm10Mean, double? o3MaxHour, double? o3MaxEightHour, double? coMaxHour, double? so2MaxHour, double? no2MaxHour)
    {
        var subs = new Dictionary<string, double>();
        Add(subs, "pm25", pm25Mean is { } p25 ? SubIndex(AqiPollutant.Pm25, p25) : null);
        Add(subs, "pm10", pm10Mean is { } p10 ? SubIndex(AqiPollutant.Pm10, p10) : null);
        return Overall(subs, o3MaxHour, coMaxHour, so2MaxHour, no2MaxHour, o3MaxEightHour);
    }

    private static AqiResult? Overall(Dictionary<string, double> subs, double? o3, double? co, double? so2, double? no2, double? o3EightHourMax)
    {
        if (subs.Count == 0)
        {
            return null; // §2.1.b: no AQI without PM2.5 or PM10
        }

        var o3Hour = o3 is { } v1 ? SubIndex(AqiPollutant.O3OneHour, v1) : null;
        var o3Eight = o3EightHourMax is { } v8 ? SubIndex(AqiPollutant.O3EightHour, v8) : null;
        Add(subs, "o3", o3Hour is null && o3Eight is null ? null : Math.Max(o3Hour ?? 0, o3Eight ?? 0));
        Add(subs, "co", co is { } c ? SubIndex(AqiPollutant.Co, c) : null);
        Add(subs, "so2", so2 is { } s ? SubIndex(AqiPollutant.So2, s) : null);
        Add(subs, "no2", no2 is { } n ? SubIndex(AqiPollutant.No2, n) : null);

        var dominant = subs.MaxBy(p => p.Value);
        var aqi = Round(dominant.Value);
        return new AqiResult(aqi, AqiBand.Of(aqi), dominant.Key, subs.ToDictionary(p => p.Key, p => Round(p.Value)));
    }

    private static void Add(Dictionary<string, double> subs, string key, double? value)
    {
        if (value is { } v)
        {
            subs[key] = v;
        }
    }
}

/// <summary>An AQI with its band, the pollutant that set it, and every rounded sub-index.</summary>
public sealed record AqiResult(int Value, AqiBand Band, string Dominant, IReadOnlyDictionary<string, int> SubIndices);
