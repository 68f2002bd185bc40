namespace DeviceSim.Bench;

/// <summary>
/// A bench run: <see cref="Count"/> readings from <see cref="Devices"/> devices named <c>bench-{RunId}-0001…</c>,
/// as fast as the in-flight window allows (<see cref="Rate"/> 0) or at <see cref="Rate"/> readings/s reached in
/// <see cref="RampSteps"/> equal steps of <see cref="StepDuration"/>; never longer than <see cref="Duration"/>.
/// </summary>
public sealed record BenchSettings(
    int Devices,
    long Count,
    TimeSpan Duration,
    double Rate,
    int RampSteps,
    TimeSpan StepDuration,
    string RunId,
    int Seed,
    Uri? InfluxUrl,
    string Database,
    TimeSpan VerifyTimeout,
    TimeSpan PollInterval,
    TimeSpan Settle)
{
    public const string Site = "bench";

    public string DevicePrefix => $"bench-{RunId}-";

    public bool Verify => InfluxUrl is not null;

    /// <summary>Target rate during the step that starts at <paramref name="elapsed"/> (0 = unlimited).</summary>
    public double RateAt(TimeSpan elapsed)
    {
        if (Rate <= 0 || RampSteps <= 1)
        {
            return Rate;
        }

        var step = Math.Min(RampSteps, 1 + (int)(elapsed / StepDuration));
        return Rate * step / RampSteps;
    }

    public void Validate()
    {
        if (Devices is < 1 or > 100_000)
        {
            throw new ArgumentException("--devices must be between 1 and 100000");
        }

        if (Count is < 1 or > 100_000_000)
        {
            throw new ArgumentException("--count must be between 1 and 100000000");
        }

        if (RunId.Length is 0 or > 16 || !RunId.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException("--run-id must be 1–16 ASCII letters or digits");
        }

        if (Rate < 0 || RampSteps < 1 || StepDuration <= TimeSpan.Zero)
        {
            throw new ArgumentException("--rate must be ≥ 0, --ramp ≥ 1 and --step-duration positive");
        }

        if (Duration <= TimeSpan.Zero || Duration > TimeSpan.FromHours(24))
        {
            throw new ArgumentException("--duration must be positive and at most 24h");
        }
    }
}
