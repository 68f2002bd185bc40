namespace DeviceSim.Fleet;

/// <summary>
/// Bounds of a run: every device publishes every <see cref="Interval"/> until <see cref="Duration"/> has passed or
/// <see cref="MaxMessages"/> readings have been scheduled, whichever comes first. A duration is always in force.
/// </summary>
public sealed record RunLimits(TimeSpan Interval, TimeSpan Duration, long? MaxMessages)
{
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(30);

    public void Validate()
    {
        if (Interval < TimeSpan.FromMilliseconds(10) || Interval > TimeSpan.FromHours(24))
        {
            throw new ArgumentException("--interval must be between 10ms and 24h");
        }

        if (Duration <= TimeSpan.Zero || Duration > MaxDuration)
        {
            throw new ArgumentException("--duration must be positive and at most 30 days");
        }

        if (MaxMessages is <= 0)
        {
            throw new ArgumentException("--count must be positive");
        }
    }
}
