using Ingest.Dashboard.Registry;

namespace Ingest.Dashboard.Live;

/// <summary>What the dashboard knows about one device right now.</summary>
public sealed record DeviceSnapshot(
    string Id,
    string Domain,
    string Site,
    string? Zone,
    string? Kind,
    double? Lat,
    double? Lon,
    string State,
    DateTimeOffset? LastSeen,
    IReadOnlyDictionary<string, double> Values,
    IReadOnlyList<string> Flags);

/// <summary>
/// Every device the dashboard has heard of (registry rows and devices seen on MQTT) with its status, last reading time and
/// latest values. Thread-safe. A device is <c>online</c> when its retained status says so, or, without a status, when it
/// has published within <see cref="LiveFeedOptions.OfflineAfter"/>.
/// </summary>
public sealed class DeviceBoard
{
    private readonly Dictionary<string, Entry> _devices = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _offlineAfter;

    public DeviceBoard(DeviceRegistry registry, TimeProvider time, Microsoft.Extensions.Options.IOptions<LiveFeedOptions> options)
    {
        _time = time;
        _offlineAfter = options.Value.OfflineAfter;
        foreach (var device in registry.Devices)
        {
            _devices[device.Id] = new Entry(device.Id, device.Domain, device.Site) { Zone = device.Zone, Kind = device.Kind, Lat = device.Lat, Lon = device.Lon };
        }
    }

    /// <summary>A status message (<c>online</c>/<c>offline</c>); returns the new snapshot.</summary>
    public DeviceSnapshot SetStatus(string domain, string site, string id, bool online)
    {
        lock (_lock)
        {
            var entry = GetOrAdd(domain, site, id);
            entry.Online = online;
            return entry.Snapshot(_time.GetUtcNow(), _offlineAfter);
        }
    }

    /// <summary>A reading; returns the new snapshot.</summary>
    public DeviceSnapshot Record(string domain, string site, string id, DateTimeOffset at, IReadOnlyDictionary<string, double> values, IReadOnlyList<string> flags)
    {
        lock (_lock)
        {
            var entry = GetOrAdd(domain, site, id);
            entry.LastSeen = entry.LastSeen is { } seen && seen > at ? seen : at;
            foreach (var (field, value) in values)
            {
                entry.Values[field] = value;
            }

            entry.Flags = flags;
            return entry.Snapshot(_time.GetUtcNow(), _offlineAfter);
        }
    }

    /// <summary>Values read from InfluxDB at start-up; never overrides what MQTT has already said.</summary>
    public void Seed(string domain, string site, string id, IReadOnlyDictionary<string, double> values)
    {
        lock (_lock)
        {
            var entry = GetOrAdd(domain, site, id);
            foreach (var (field, value) in values)
            {
                entry.Values.TryAdd(field, value);
            }
        }
    }

    public DeviceSnapshot? Find(string id)
    {
        lock (_lock)
        {
            return _devices.TryGetValue(id, out var entry) ? entry.Snapshot(_time.GetUtcNow(), _offlineAfter) : null;
        }
    }

    /// <summary>Devices per state (<c>online</c>, <c>offline</c>, <c>unknown</c>) and domain, for the metrics.</summary>
    public IReadOnlyList<(string Domain, string State, int Count)> CountByState()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            return [.. _devices.Values.GroupBy(d => (d.Domain, d.Snapshot(now, _offlineAfter).State)).Select(g => (g.Key.Domain, g.Key.State, g.Count()))];
        }
    }

    public IReadOnlyList<DeviceSnapshot> Devices(IReadOnlySet<string> domains)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            return [.. _devices.Values.Where(d => domains.Contains(d.Domain)).OrderBy(d => d.Domain, StringComparer.Ordinal)
                .ThenBy(d => d.Site, StringComparer.Ordinal).ThenBy(d => d.Id, StringComparer.Ordinal).Select(d => d.Snapshot(now, _offlineAfter))];
        }
    }

    private Entry GetOrAdd(string domain, string site, string id)
    {
        if (!_devices.TryGetValue(id, out var entry))
        {
            entry = new Entry(id, domain, site);
            _devices[id] = entry;
        }

        return entry;
    }

    private sealed class Entry(string id, string domain, string site)
    {
        public string Id => id;

        public string Domain => domain;

        public string Site => site;

        public string? Zone { get; init; }

        public string? Kind { get; init; }

        public double? Lat { get; init; }

        public double? Lon { get; init; }

        public bool? Online { get; set; }

        public DateTimeOffset? LastSeen { get; set; }

        public Dictionary<string, double> Values { get; } = new(StringComparer.Ordinal);

        public IReadOnlyList<string> Flags { get; set; } = [];

        public DeviceSnapshot Snapshot(DateTimeOffset now, TimeSpan offlineAfter)
        {
            var state = Online switch
            {
                true => "online",
                false => "offline",
                null when LastSeen is { } seen => now - seen <= offlineAfter ? "online" : "offline",
                null => "unknown",
            };
            return new DeviceSnapshot(id, domain, site, Zone, Kind, Lat, Lon, state, LastSeen, new Dictionary<string, double>(Values), Flags);
        }
    }
}
