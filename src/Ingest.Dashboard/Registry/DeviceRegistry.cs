using System.Globalization;
using Microsoft.Extensions.Options;

namespace Ingest.Dashboard.Registry;

/// <summary>Where the device registry CSV is (section <c>Registry</c>); without it the dashboard knows devices only from MQTT.</summary>
public sealed class RegistryOptions
{
    public const string Section = "Registry";

    public string? Path { get; set; }
}

/// <summary>One registry row: <c>id,domain,site,zone,kind,lat,lon</c>.</summary>
public sealed record RegisteredDevice(string Id, string Domain, string Site, string Zone, string Kind, double? Lat, double? Lon);

/// <summary>The device registry written by DeviceSim (<c>--registry-out</c>) and read by the worker. Read once at start-up.</summary>
public sealed class DeviceRegistry
{
    private readonly Dictionary<string, RegisteredDevice> _devices = new(StringComparer.Ordinal);

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

        foreach (var line in File.ReadLines(path).Skip(1))
        {
            if (Parse(line) is { } device)
            {
                _devices[device.Id] = device;
            }
        }

        RegistryLog.Loaded(logger, _devices.Count, path);
    }

    public IReadOnlyCollection<RegisteredDevice> Devices => _devices.Values;

    public RegisteredDevice? Find(string id) => _devices.GetValueOrDefault(id);

    internal static RegisteredDevice? Parse(string line)
    {
        var cells = line.Split(',');
        if (cells.Length < 7 || string.IsNullOrWhiteSpace(cells[0]))
        {
            return null;
        }

        return new RegisteredDevice(cells[0].Trim(), cells[1].Trim(), cells[2].Trim(), cells[3].Trim(), cells[4].Trim(), Number(cells[5]), Number(cells[6]));
    }

    private static double? Number(string cell) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;
}

internal static partial class RegistryLog
{
    [LoggerMessage(EventId = 300, EventName = "RegistryLoaded", Level = LogLevel.Information, Message = "Device registry: {Count} devices from {Path}")]
    public static partial void Loaded(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 301, EventName = "RegistryMissing", Level = LogLevel.Warning, Message = "Device registry {Path} does not exist; devices are known only from what they publish")]
    public static partial void Missing(ILogger logger, string path);
}
