namespace DeviceSim.Generators;

/// <summary>
/// Shapes shared by the generators: Vietnam local time (UTC+7, no daylight saving), daily bumps, the northern-Vietnam
/// season and seeded Gaussian noise. Pure functions of their arguments; no clock.
/// </summary>
public static class Signals
{
    public static readonly TimeSpan VietnamOffset = TimeSpan.FromHours(7);

    /// <summary>Hour of the day in Bắc Ninh, 0 ≤ h &lt; 24.</summary>
    public static double LocalHour(DateTimeOffset at) => (at.UtcDateTime + VietnamOffset).TimeOfDay.TotalHours;

    /// <summary>
    /// +1 in mid-January (cold, dry, stagnant: PM peaks), −1 in mid-July (hot, rainy monsoon), following the season of
    /// northern Vietnam.
    /// </summary>
    public static double Winter(DateTimeOffset at)
    {
        var local = at.UtcDateTime + VietnamOffset;
        return Math.Cos(2 * Math.PI * (local.DayOfYear - 15) / 365.25);
    }

    /// <summary>A Gaussian bump of height 1 at <paramref name="center"/> hours, on the 24-hour circle.</summary>
    public static double Bump(double hour, double center, double width)
    {
        var d = Math.Abs(hour - center) % 24;
        d = Math.Min(d, 24 - d);
        return Math.Exp(-0.5 * d * d / (width * width));
    }

    /// <summary>Sunlight 0…1: a half sine from 06:00 to 18:00.</summary>
    public static double Daylight(double hour) => hour is > 6 and < 18 ? Math.Sin(Math.PI * (hour - 6) / 12) : 0;

    /// <summary>1 on weekdays, lower at weekends (less traffic, some factories on reduced shifts).</summary>
    public static double Weekday(DateTimeOffset at) => (at.UtcDateTime + VietnamOffset).DayOfWeek switch
    {
        DayOfWeek.Sunday => 0.8,
        DayOfWeek.Saturday => 0.9,
        _ => 1.0,
    };

    public static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Chance that an event with <paramref name="perHour"/> expected starts per hour starts within <paramref name="elapsed"/>.</summary>
    public static double ChanceWithin(double perHour, TimeSpan elapsed) => 1 - Math.Exp(-perHour * Math.Max(0, elapsed.TotalHours));

    public static double Round(double value, int digits) => Math.Round(value, digits, MidpointRounding.AwayFromZero);
}
