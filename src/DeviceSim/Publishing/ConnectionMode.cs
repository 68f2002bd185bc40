namespace DeviceSim.Publishing;

/// <summary>How devices share MQTT connections.</summary>
public enum ConnectionMode
{
    /// <summary>One connection per device, each with its own will: what real hardware does.</summary>
    PerDevice,

    /// <summary>A few connections publish for every device: higher message rates, but no per-device will.</summary>
    Multiplexed,
}
