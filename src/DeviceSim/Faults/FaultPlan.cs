namespace DeviceSim.Faults;

/// <summary>
/// How often each fault happens: the probability per scheduled reading that it starts (value faults, device events)
/// or hits that reading (message faults). Within each group of <see cref="FaultGroups"/> the rates must add up to at most 1.
/// </summary>
public sealed class FaultPlan
{
    private readonly double[] _rates = new double[Enum.GetValues<FaultKind>().Length];

    /// <summary>Share of live connections a disconnect storm cuts.</summary>
    public double StormSize { get; init; } = 0.2;

    public double this[FaultKind kind]
    {
        get => _rates[(int)kind];
        set
        {
            if (value is < 0 or > 1 || double.IsNaN(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), $"the rate of {FaultGroups.OptionName(kind)} must be between 0 and 1");
            }

            _rates[(int)kind] = value;
        }
    }

    public bool IsEmpty => _rates.All(r => r == 0);

    public void Validate()
    {
        Check(FaultGroups.Value, "value faults (spike, drift, stuck)");
        Check(FaultGroups.Message, "message faults (dropout, malformed, unknown-device, spoofed-id, duplicate, out-of-order, skewed-timestamp)");
        Check(FaultGroups.Device, "device events (disconnect-storm, silent)");
        if (StormSize is <= 0 or > 1)
        {
            throw new ArgumentException("--storm-size must be in (0, 1]");
        }

        void Check(FaultKind[] group, string name)
        {
            if (group.Sum(k => this[k]) > 1 + 1e-9)
            {
                throw new ArgumentException($"the rates of the {name} add up to more than 1");
            }
        }
    }
}
