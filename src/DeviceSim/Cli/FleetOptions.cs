using System.CommandLine;
using DeviceSim.Fleet;

namespace DeviceSim.Cli;

/// <summary>What a run simulates: the fleet, its schedule and its bounds, from flags and/or a fleet file.</summary>
public sealed class FleetOptions
{
    public Option<int?> Air { get; } = OptionFactory.Count("--air",
        "Air-quality sensors, placed round-robin over industrial zones and city wards. Example: --air 20", 0, FleetPlan.MaxPublishers);

    public Option<int?> Water { get; } = OptionFactory.Count("--water",
        "Water-quality stations on the Cầu, Đuống and Ngũ Huyện Khê rivers and at industrial-zone outfalls. Example: --water 10", 0, FleetPlan.MaxPublishers);

    public Option<int?> Meters { get; } = OptionFactory.Count("--meters",
        "Smart electricity meters in city wards (households) and industrial zones (commercial). Example: --meters 30", 0, FleetPlan.MaxPublishers);

    public Option<int?> Gateways { get; } = OptionFactory.Count("--gateways",
        "Industrial-zone gateways; each publishes one batch of --children readings per interval on bn/gw/{site}/{gatewayId}/batch. Example: --gateways 2", 0, 1000);

    public Option<int?> Children { get; } = OptionFactory.Count("--children",
        "Child devices per gateway (sub-meters and fence air sensors; realistic: 50–500). Example: --children 200", FleetPlan.MinChildren, FleetPlan.MaxChildren);

    public Option<string[]> Sites { get; } = new("--sites")
    {
        Description = "Limit the fleet to these sites (comma-separated or repeated): yen-phong, que-vo, vsip, tien-son, song-cau, song-duong, "
            + "nhk-phong-khe, nhk-da-hoi, ninh-xa, suoi-hoa, vu-ninh, dai-phuc, dong-ngan. Default: all. Example: --sites yen-phong,song-cau,ninh-xa",
        AllowMultipleArgumentsPerToken = true,
        CustomParser = r => r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(),
    };

    public Option<FileInfo?> FleetFile { get; } = new("--fleet")
    {
        Description = "JSON fleet file with any of air, water, meters, gateways, children, sites, interval, duration, count, seed; flags win over it. "
            + "Example: --fleet fleets/province.json",
    };

    public Option<TimeSpan?> Interval { get; } = OptionFactory.Duration("--interval",
        "How often each device publishes (default 5s). Example: --interval 500ms");

    public Option<TimeSpan?> Duration { get; } = OptionFactory.Duration("--duration",
        "Stop after this long (default 10m; a duration is always in force). Example: --duration 24h");

    public Option<long?> Count { get; } = new("--count")
    {
        Description = "Stop after this many scheduled readings (whichever of --duration and --count comes first). Example: --count 100000",
        HelpName = "n",
    };

    public Option<int?> Seed { get; } = new("--seed")
    {
        Description = "Seed of every random choice: the same seed and schedule give the same readings (default 1). Example: --seed 42",
        HelpName = "n",
    };

    public Option<FileInfo?> RegistryOut { get; } = new("--registry-out")
    {
        Description = "Write the fleet's device registry CSV (id,domain,site,zone,kind,lat,lon,site_name — the worker's and the dashboard's Registry:Path format) here "
            + "before publishing starts. Example: --registry-out /tmp/bn/devices.csv",
    };

    public Option<TimeSpan?> ProgressInterval { get; } = OptionFactory.Duration("--progress-interval",
        "When the output is not a terminal, print a progress line this often (default 10s; a terminal gets a live line). Example: --progress-interval 30s");

    public FleetOptions()
    {
        Count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long?>() is <= 0)
            {
                r.AddError("--count must be positive");
            }
        });
    }

    public void AddTo(Command command, bool includeFleet = true)
    {
        var options = includeFleet
            ? new Option[] { Air, Water, Meters, Gateways, Children, Sites, FleetFile, Interval, Duration, Count, Seed, RegistryOut, ProgressInterval }
            : [Duration, Count, Seed, ProgressInterval];
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The resolved fleet: flag, else fleet file, else default.</summary>
    public FleetSettings Bind(ParseResult result)
    {
        var file = result.GetValue(FleetFile) is { } info ? Fleet.FleetFile.Parse(File.ReadAllText(info.FullName)) : null;
        var sites = result.GetValue(Sites) is { Length: > 0 } given ? given : file?.Sites?.ToArray() ?? [];
        var plan = new FleetPlan(
            result.GetValue(Air) ?? file?.Air ?? 0,
            result.GetValue(Water) ?? file?.Water ?? 0,
            result.GetValue(Meters) ?? file?.Meters ?? 0,
            result.GetValue(Gateways) ?? file?.Gateways ?? 0,
            result.GetValue(Children) ?? file?.Children ?? 100,
            sites);
        var limits = new RunLimits(
            result.GetValue(Interval) ?? Parse(file?.Interval) ?? TimeSpan.FromSeconds(5),
            result.GetValue(Duration) ?? Parse(file?.Duration) ?? RunLimits.DefaultDuration,
            result.GetValue(Count) ?? file?.Count);
        return new FleetSettings(
            plan,
            limits,
            result.GetValue(Seed) ?? file?.Seed ?? 1,
            result.GetValue(RegistryOut)?.FullName,
            result.GetValue(ProgressInterval) ?? TimeSpan.FromSeconds(10));
    }

    private static TimeSpan? Parse(string? text) => text is null ? null : DurationParser.Parse(text);
}

/// <summary>The resolved fleet options of a command.</summary>
public sealed record FleetSettings(FleetPlan Plan, RunLimits Limits, int Seed, string? RegistryOut, TimeSpan ProgressInterval);
