using Ingest.Contracts;
using Ingest.Worker.Alerting.Aqi;
using Ingest.Worker.Decoding;

namespace Ingest.Worker.Alerting.Engine;

/// <summary>What the evaluator works through, one at a time, in arrival order.</summary>
public abstract record AlertInput;

/// <summary>
/// The readings of one message just decoded (a gateway batch's children together: one hand-over per message, not per
/// reading); <paramref name="ReceivedAt"/> is when the worker received the message (latency is measured from it).
/// </summary>
public sealed record ReadingInput(ReadingList Readings, DateTimeOffset ReceivedAt) : AlertInput;

/// <summary>A device's <c>status</c> message (its MQTT will, or its announcement): online or offline.</summary>
public sealed record StatusInput(string Domain, string Site, string DeviceId, bool Online, DateTimeOffset ReceivedAt) : AlertInput;

/// <summary>A person's acknowledgement from <c>bn/commands/alerts/ack</c>.</summary>
public sealed record AcknowledgeInput(AlertAcknowledgement Acknowledgement) : AlertInput;

/// <summary>The periodic check of silence, AQI hours and the state file.</summary>
public sealed record TickInput : AlertInput
{
    public static TickInput Instance { get; } = new();
}

/// <summary>A station's daily VN_AQI (Decision 1459/QĐ-TCMT §2.4) for the local day starting at <paramref name="Day"/>.</summary>
public sealed record DailyAqi(string DeviceId, string Site, DateTimeOffset Day, AqiResult Result);

/// <summary>What one input produced: alert events (with the receipt time of the message that caused them) and AQI updates.</summary>
public sealed class EngineOutput
{
    public List<(AlertEvent Event, DateTimeOffset? ReceivedAt)> Alerts { get; } = [];

    public List<AqiUpdate> Aqi { get; } = [];

    public List<DailyAqi> DailyAqi { get; } = [];

    public bool IsEmpty => Alerts.Count == 0 && Aqi.Count == 0 && DailyAqi.Count == 0;

    public void Clear()
    {
        Alerts.Clear();
        Aqi.Clear();
        DailyAqi.Clear();
    }
}
