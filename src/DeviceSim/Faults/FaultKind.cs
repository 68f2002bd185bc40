namespace DeviceSim.Faults;

/// <summary>
/// The faults the simulator can inject. Three groups, each decided by its own draw per reading so that kinds in one
/// group never mask each other: value faults (<see cref="Spike"/>, <see cref="Drift"/>, <see cref="Stuck"/>), message
/// faults (<see cref="Dropout"/> … <see cref="SkewedTimestamp"/>) and device events (<see cref="DisconnectStorm"/>,
/// <see cref="Silent"/>).
/// </summary>
public enum FaultKind
{
    /// <summary>One reading of the device's main quantity jumps 5–15×.</summary>
    Spike,

    /// <summary>The main quantity starts drifting (a growing gain error) for 60–240 readings.</summary>
    Drift,

    /// <summary>All values freeze at their current reading for 30–120 readings (timestamps and seq still advance).</summary>
    Stuck,

    /// <summary>The reading is never sent; its seq is used, so the worker sees a gap.</summary>
    Dropout,

    /// <summary>A broken document (truncated JSON, wrong member types, no id, no values, unreadable ts).</summary>
    Malformed,

    /// <summary>The reading comes from a device id the registry does not list (topic and payload agree).</summary>
    UnknownDevice,

    /// <summary>The payload claims another device's id than the topic's.</summary>
    SpoofedId,

    /// <summary>The same message is sent twice.</summary>
    Duplicate,

    /// <summary>The reading is held back and sent after the device's next one.</summary>
    OutOfOrder,

    /// <summary>The timestamp is 10 min – 2 days in the future or 31–365 days in the past (outside the worker's window).</summary>
    SkewedTimestamp,

    /// <summary>A share of all live connections is cut at once (wills fire) and reconnects 1–10 s later.</summary>
    DisconnectStorm,

    /// <summary>The device stops publishing for the rest of the run but keeps its connection, so no will is sent.</summary>
    Silent,
}

/// <summary>The three independent groups of <see cref="FaultKind"/>.</summary>
public static class FaultGroups
{
    public static readonly FaultKind[] Value = [FaultKind.Spike, FaultKind.Drift, FaultKind.Stuck];

    public static readonly FaultKind[] Message =
    [
        FaultKind.Dropout, FaultKind.Malformed, FaultKind.UnknownDevice, FaultKind.SpoofedId,
        FaultKind.Duplicate, FaultKind.OutOfOrder, FaultKind.SkewedTimestamp,
    ];

    public static readonly FaultKind[] Device = [FaultKind.DisconnectStorm, FaultKind.Silent];

    /// <summary>The command-line spelling of a kind: <c>skewed-timestamp</c>, <c>disconnect-storm</c>, …</summary>
    public static string OptionName(FaultKind kind) => kind switch
    {
        FaultKind.UnknownDevice => "unknown-device",
        FaultKind.SpoofedId => "spoofed-id",
        FaultKind.OutOfOrder => "out-of-order",
        FaultKind.SkewedTimestamp => "skewed-timestamp",
        FaultKind.DisconnectStorm => "disconnect-storm",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
