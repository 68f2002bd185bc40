namespace Ingest.Worker.Enrichment;

/// <summary>A registry entry: where a device is and what it is. Zone and kind become tags; coordinates feed the map.</summary>
public sealed record DeviceInfo(string Id, string Domain, string Site, string? Zone, string? Kind, double? Latitude, double? Longitude);
