using System.Globalization;
using Ingest.Contracts;
using Microsoft.Extensions.Options;

namespace Ingest.Dashboard.Registry;

/// <summary>Where the device registry CSV is (section <c>Registry</c>); without it the dashboard knows devices only from MQTT.</summary>
public sealed class RegistryOptions
{
    public const string Section = "Registry";

    public string? Path { get; set; }
}

/// <summary>
/// One registry row: <c>id,domain,site,zone,kind,lat,lon</c> and, when the file has it, <c>site_name</c> — the site as
/// people call it ("KCN Tiên Sơn" for <c>tien-son</c>).
/// </summary>
public sealed record RegisteredDevice(
    string Id, string Domain, string Site, string Zone, string Kind, double? Lat, double? Lon, string? SiteName = null);

/// <summary>The device registry written by DeviceSim (<c>--registry-out</c>) and read by the worker. Read once at start-up.</summary>
public sealed class DeviceRegistry
{
    private readonly Dictionary<string, RegisteredDevice> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _siteNames = new(StringComparer.Ordinal);

    public DeviceRegistry(IOptions<RegistryOptions> options, ILogger<DeviceRegistry> logger)
    {
        var path = options.Value.Path;
        if (string.IsNullOrWhiteSpace(path))
        {
            return;
        }

        if (!File.Exists(path))
        {
            RegistryLog.Missing(logger, path);
            return;
        }

        try
        {
            foreach (var device in ParseCsv(File.ReadLines(path)))
            {
                _devices[device.Id] = device;
                if (device.SiteName is { } name)
                {
                    _siteNames.TryAdd(device.Site, name);
                }
            }
        }
        catch (FormatException ex)
        {
            RegistryLog.Invalid(logger, path, ex.Message);
            return;
        }

        RegistryLog.Loaded(logger, _devices.Count, path);
    }

    public IReadOnlyCollection<RegisteredDevice> Devices => _devices.Values;

    /// <summary>Site id → the name the registry gives it, for the sites that have one.</summary>
    public IReadOnlyDictionary<string, string> SiteNames => _siteNames;

    public RegisteredDevice? Find(string id) => _devices.GetValueOrDefault(id);

    /// <summary>
    /// The rows of a registry CSV whose first line names its columns, in any order, as the worker reads it: id, domain and
    /// site required; zone, kind, lat, lon and site_name optional. Rows without an id, domain or site are skipped.
    /// </summary>
    internal static IEnumerable<RegisteredDevice> ParseCsv(IEnumerable<string> lines)
    {
        using var line = lines.GetEnumerator();
        if (!line.MoveNext())
        {
            yield break;
        }

        var columns = RegistryColumns.Parse(line.Current);
        while (line.MoveNext())
        {
            var cells = line.Current.Split(',');
            string? Cell(int column) => RegistryColumns.Cell(cells, column);
            if (Cell(columns.Id) is not { } id || Cell(columns.Domain) is not { } domain || Cell(columns.Site) is not { } site)
            {
                continue;
            }

            yield return new RegisteredDevice(
                id, domain, site, Cell(columns.Zone) ?? "", Cell(columns.Kind) ?? "", Number(Cell(columns.Lat)), Number(Cell(columns.Lon)),
                Cell(columns.SiteName));
        }
    }

    private static double? Number(string? cell) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;
}

internal static partial class RegistryLog
{
    [LoggerMessage(EventId = 300, EventName = "RegistryLoaded", Level = LogLevel.Information, Message = "Device registry: {Count} devices from {Path}")]
    public static partial void Loaded(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 301, EventName = "RegistryMissing", Level = LogLevel.Warning, Message = "Device registry {Path} does not exist; devices are known only from what they publish")]
    public static partial void Missing(ILogger logger, string path);

    [LoggerMessage(EventId = 302, EventName = "RegistryInvalid", Level = LogLevel.Warning, Message = "Device registry {Path} cannot be read ({Reason}); devices are known only from what they publish")]
    public static partial void Invalid(ILogger logger, string path, string reason);
}
