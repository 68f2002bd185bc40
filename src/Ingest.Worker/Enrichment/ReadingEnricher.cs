using Ingest.Worker.Decoding;
using Ingest.Worker.Quarantine;

namespace Ingest.Worker.Enrichment;

/// <summary>
/// Adds the registry's tags (zone, kind) to readings and applies the registry's word on where a device is: a known device
/// takes its registered site; a device registered under another domain is refused; an unknown one is accepted or
/// quarantined as configured. Thread-safe.
/// </summary>
public sealed class ReadingEnricher(DeviceRegistry registry)
{
    public const string ZoneTag = "zone";
    public const string KindTag = "kind";

    // A device's tags, built once per registry entry and shared by all its readings (a reload brings new entries).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DeviceInfo, KeyValuePair<string, string>[]> _tags = new();

    /// <summary>Completes the reading in place (site, tags); false with the reason when it must be quarantined instead.</summary>
    public bool TryEnrich(Reading reading, out Rejection? rejection)
    {
        rejection = null;
        if (!registry.IsConfigured)
        {
            return true;
        }

        if (!registry.TryGet(reading.DeviceId, out var info))
        {
            if (registry.UnknownDevice == UnknownDevicePolicy.Quarantine)
            {
                rejection = new Rejection(QuarantineReason.UnknownDevice, $"device '{reading.DeviceId}' is not in the registry", reading.DeviceId);
                return false;
            }

            return true;
        }

        if (!string.Equals(info.Domain, reading.Measurement, StringComparison.Ordinal))
        {
            rejection = new Rejection(
                QuarantineReason.RegistryMismatch,
                $"device '{reading.DeviceId}' is registered as {info.Domain}, not {reading.Measurement}", reading.DeviceId);
            return false;
        }

        reading.Enrich(info.Site, _tags.GetValue(info, BuildTags));
        return true;
    }

    private static KeyValuePair<string, string>[] BuildTags(DeviceInfo info)
    {
        var tags = new List<KeyValuePair<string, string>>(2);
        if (info.Zone is not null)
        {
            tags.Add(new(ZoneTag, info.Zone));
        }

        if (info.Kind is not null)
        {
            tags.Add(new(KindTag, info.Kind));
        }

        return [.. tags];
    }
}
