using Ingest.Contracts;

namespace Ingest.Dashboard.Live;

/// <summary>The latest VN_AQI per air station, from the worker's retained <c>bn/aqi/{site}/{device}</c> messages. Thread-safe.</summary>
public sealed class AqiBoard
{
    private readonly Dictionary<string, AqiUpdate> _latest = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Keeps the update unless an update for a later hour is already held; true when it was kept.</summary>
    public bool Apply(AqiUpdate update)
    {
        lock (_lock)
        {
            if (_latest.TryGetValue(update.DeviceId, out var held) && held.Hour > update.Hour)
            {
                return false;
            }

            _latest[update.DeviceId] = update;
            return true;
        }
    }

    public IReadOnlyList<AqiUpdate> All()
    {
        lock (_lock)
        {
            return [.. _latest.Values.OrderBy(a => a.Site, StringComparer.Ordinal).ThenBy(a => a.DeviceId, StringComparer.Ordinal)];
        }
    }
}
