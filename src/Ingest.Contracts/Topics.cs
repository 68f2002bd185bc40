namespace Ingest.Contracts;

/// <summary>What a device topic says: which kind of message, from which domain, site and device.</summary>
public enum TopicKind
{
    Telemetry,
    Status,
    GatewayBatch,
}

/// <summary>A parsed device topic of DESIGN.md §3.</summary>
public readonly record struct DeviceTopic(TopicKind Kind, string Domain, string Site, string DeviceId);

/// <summary>
/// The topic scheme (DESIGN.md §3) under a configurable root (default <c>bn</c>):
/// <c>{root}/{domain}/{site}/{deviceId}/telemetry</c>, <c>…/status</c>, <c>{root}/gw/{site}/{gatewayId}/batch</c>
/// and <c>{root}/alerts/{domain}/{site}/{deviceId}</c>.
/// </summary>
public sealed class Topics(string root = Topics.DefaultRoot)
{
    public const string DefaultRoot = "bn";
    public const string TelemetrySuffix = "telemetry";
    public const string StatusSuffix = "status";
    public const string BatchSuffix = "batch";

    public string Root { get; } = string.IsNullOrWhiteSpace(root) ? DefaultRoot : root.Trim('/');

    /// <summary>Subscription filter for every device's telemetry.</summary>
    public string TelemetryFilter => $"{Root}/+/+/+/{TelemetrySuffix}";

    /// <summary>Subscription filter for every gateway batch.</summary>
    public string GatewayBatchFilter => $"{Root}/{Domains.Gateway}/+/+/{BatchSuffix}";

    /// <summary>Subscription filter for every device status (will) message.</summary>
    public string StatusFilter => $"{Root}/+/+/+/{StatusSuffix}";

    public string Telemetry(string domain, string site, string deviceId) => $"{Root}/{domain}/{site}/{deviceId}/{TelemetrySuffix}";

    public string Status(string domain, string site, string deviceId) => $"{Root}/{domain}/{site}/{deviceId}/{StatusSuffix}";

    public string GatewayBatch(string site, string gatewayId) => $"{Root}/{Domains.Gateway}/{site}/{gatewayId}/{BatchSuffix}";

    public string Alert(string domain, string site, string deviceId) => $"{Root}/alerts/{domain}/{site}/{deviceId}";

    public string DeadLetter(string reason) => $"{Root}/deadletter/{reason}";

    /// <summary>A station's current AQI, retained (<see cref="AqiUpdate"/>).</summary>
    public string Aqi(string site, string deviceId) => $"{Root}/aqi/{site}/{deviceId}";

    /// <summary>Subscription filter for every station's AQI.</summary>
    public string AqiFilter => $"{Root}/aqi/#";

    /// <summary>Subscription filter for every alert event.</summary>
    public string AlertFilter => $"{Root}/alerts/#";

    /// <summary>Where the dashboard sends acknowledgements of open alerts (<see cref="AlertAcknowledgement"/>).</summary>
    public string AlertAcknowledge => $"{Root}/commands/alerts/ack";

    /// <summary>Parses a device topic; false for anything outside the scheme (wrong root, level count, empty level, unknown suffix).</summary>
    public bool TryParse(string topic, out DeviceTopic parsed)
    {
        parsed = default;
        if (topic is null || topic.Length <= Root.Length + 1
            || !topic.StartsWith(Root, StringComparison.Ordinal) || topic[Root.Length] != '/')
        {
            return false;
        }

        var rest = topic.AsSpan(Root.Length + 1);
        Span<Range> parts = stackalloc Range[5];
        if (rest.Split(parts, '/') != 4)
        {
            return false;
        }

        var domain = rest[parts[0]];
        var site = rest[parts[1]];
        var device = rest[parts[2]];
        var suffix = rest[parts[3]];
        if (domain.IsEmpty || site.IsEmpty || device.IsEmpty)
        {
            return false;
        }

        TopicKind kind;
        if (suffix.SequenceEqual(TelemetrySuffix))
        {
            kind = TopicKind.Telemetry;
        }
        else if (suffix.SequenceEqual(StatusSuffix))
        {
            kind = TopicKind.Status;
        }
        else if (suffix.SequenceEqual(BatchSuffix) && domain.SequenceEqual(Domains.Gateway))
        {
            kind = TopicKind.GatewayBatch;
        }
        else
        {
            return false;
        }

        parsed = new DeviceTopic(kind, domain.ToString(), site.ToString(), device.ToString());
        return true;
    }
}
