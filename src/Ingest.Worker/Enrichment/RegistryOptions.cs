using System.ComponentModel.DataAnnotations;

namespace Ingest.Worker.Enrichment;

/// <summary>What to do with a device the registry does not list.</summary>
public enum UnknownDevicePolicy
{
    /// <summary>Store it with the tags its topic gives (the local default, so a new sensor shows up at once).</summary>
    Accept,

    /// <summary>Quarantine it with reason UnknownDevice (the production setting).</summary>
    Quarantine,
}

/// <summary>The device registry file (section <c>Registry</c>).</summary>
public sealed class RegistryOptions
{
    public const string Section = "Registry";

    /// <summary>CSV (<c>id,domain,site,zone,kind,lat,lon</c>, header first) or JSON array of the same fields; empty: no registry.</summary>
    public string? Path { get; set; }

    public UnknownDevicePolicy UnknownDevice { get; set; } = UnknownDevicePolicy.Accept;

    /// <summary>How often the file's timestamp is checked for changes (a watcher alone misses edits on some file systems).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(5);
}
