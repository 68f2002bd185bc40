using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using Ingest.Contracts;
using Ingest.Worker.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Enrichment;

/// <summary>
/// The device registry: device id → domain, site, zone, kind, coordinates, loaded from a CSV or JSON file and reloaded
/// when the file changes. Lookups are lock-free reads of an immutable snapshot; a reload swaps the snapshot whole, and a
/// file that fails to parse leaves the previous snapshot in place (with a log line saying why).
/// </summary>
public sealed partial class DeviceRegistry(IOptions<RegistryOptions> options, TimeProvider time, ILogger<DeviceRegistry> logger) : BackgroundService
{
    private readonly RegistryOptions _options = options.Value;
    private FrozenDictionary<string, DeviceInfo> _devices = FrozenDictionary<string, DeviceInfo>.Empty;
    private DateTime _loadedWriteTime;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(_options.Path);

    public int Count => _devices.Count;

    public UnknownDevicePolicy UnknownDevice => _options.UnknownDevice;

    public bool TryGet(string deviceId, out DeviceInfo info) => _devices.TryGetValue(deviceId, out info!);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Loaded before the pipeline starts, so the first message is already enriched.
        if (IsConfigured)
        {
            Reload();
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!IsConfigured)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.ReloadInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var writeTime = File.Exists(_options.Path) ? File.GetLastWriteTimeUtc(_options.Path!) : default;
                if (writeTime != _loadedWriteTime)
                {
                    Reload();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Reads the file now; keeps the previous snapshot if it cannot.</summary>
    public void Reload()
    {
        var path = _options.Path!;
        try
        {
            var writeTime = File.GetLastWriteTimeUtc(path);
            var text = File.ReadAllText(path);
            var devices = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ParseJson(text) : ParseCsv(text);
            _devices = devices.ToFrozenDictionary(d => d.Id, StringComparer.Ordinal);
            _loadedWriteTime = writeTime;
            LogLoaded(_devices.Count, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or JsonException)
        {
            LogLoadFailed(path, ex.Message, _devices.Count);
            _loadedWriteTime = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : default;
        }
    }

    /// <summary>CSV with a header naming the columns (any order, <see cref="RegistryColumns"/>): id, domain, site, zone, kind, lat, lon.</summary>
    public static List<DeviceInfo> ParseCsv(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
        {
            return [];
        }

        var columns = RegistryColumns.Parse(lines[0]);
        var result = new List<DeviceInfo>(lines.Length - 1);
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#'))
            {
                continue;
            }

            var cells = lines[i].Split(',');
            string? Cell(int column) => RegistryColumns.Cell(cells, column);
            var deviceId = Cell(columns.Id) ?? throw new FormatException($"line {i + 1}: no device id");
            result.Add(new DeviceInfo(
                deviceId,
                Cell(columns.Domain) ?? throw new FormatException($"line {i + 1}: no domain for {deviceId}"),
                Cell(columns.Site) ?? throw new FormatException($"line {i + 1}: no site for {deviceId}"),
                Cell(columns.Zone), Cell(columns.Kind), ParseCoordinate(Cell(columns.Lat), i), ParseCoordinate(Cell(columns.Lon), i)));
        }

        return result;
    }

    public static List<DeviceInfo> ParseJson(string text)
    {
        var entries = JsonSerializer.Deserialize<List<JsonEntry>>(text, new JsonSerializerOptions { PropertyNameCaseInsensitive = true }) ?? [];
        return entries.ConvertAll(e => new DeviceInfo(
            e.Id ?? throw new FormatException("a registry entry has no id"),
            e.Domain ?? throw new FormatException($"no domain for {e.Id}"),
            e.Site ?? throw new FormatException($"no site for {e.Id}"),
            e.Zone, e.Kind, e.Lat, e.Lon));
    }

    private static double? ParseCoordinate(string? text, int line) =>
        text is null ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value
        : throw new FormatException($"line {line + 1}: '{text}' is not a coordinate");

    private sealed record JsonEntry(string? Id, string? Domain, string? Site, string? Zone, string? Kind, double? Lat, double? Lon);

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Device registry loaded: {Count} devices from {Path}")]
    private partial void LogLoaded(int count, string path);

    [LoggerMessage(EventId = 501, Level = LogLevel.Error, Message = "Cannot load the device registry {Path} ({Error}); keeping the previous {Count} devices")]
    private partial void LogLoadFailed(string path, string error, int count);
}
