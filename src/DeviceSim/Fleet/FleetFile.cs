using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeviceSim.Fleet;

/// <summary>
/// A fleet described in a JSON file, so a test setup can be kept with the test. Every member is optional; flags given
/// on the command line win. Example:
/// <code>{"air": 20, "water": 10, "meters": 30, "gateways": 2, "children": 200, "sites": ["yen-phong", "vsip"],
///  "interval": "5s", "duration": "1h", "count": 100000, "seed": 42}</code>
/// </summary>
public sealed record FleetFile(
    int? Air,
    int? Water,
    int? Meters,
    int? Gateways,
    int? Children,
    IReadOnlyList<string>? Sites,
    string? Interval,
    string? Duration,
    long? Count,
    int? Seed)
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static FleetFile Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<FleetFile>(json, Options) ?? throw new FormatException("the fleet file is empty");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"the fleet file is not valid: {ex.Message}", ex);
        }
    }
}
