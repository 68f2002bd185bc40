using Ingest.Contracts;

namespace Ingest.Dashboard.Live;

/// <summary>A rate-limited reading of one device as the browser sees it.</summary>
public sealed record LiveReading(string DeviceId, string Domain, string Site, DateTimeOffset At, IReadOnlyDictionary<string, double> Values, IReadOnlyList<string> Flags);

/// <summary>What the server calls on connected browsers (strongly typed hub client).</summary>
public interface ILiveClient
{
    /// <summary>An alert was raised, acknowledged or cleared.</summary>
    Task AlertChanged(AlertEvent alert);

    /// <summary>A device came online, went offline, or published for the first time.</summary>
    Task DeviceChanged(DeviceSnapshot device);

    /// <summary>A reading of a device on a watched site (at most one per device per <see cref="LiveFeedOptions.ReadingInterval"/>).</summary>
    Task ReadingReceived(LiveReading reading);

    /// <summary>An air station's hourly VN_AQI changed.</summary>
    Task AqiUpdated(AqiUpdate update);
}

/// <summary>SignalR group names: every domain has one group, every (domain, site) another.</summary>
public static class LiveGroups
{
    public static string Domain(string domain) => "d:" + domain;

    public static string Site(string domain, string site) => "s:" + domain + ":" + site;
}
