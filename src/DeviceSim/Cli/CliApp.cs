using System.CommandLine;

namespace DeviceSim.Cli;

/// <summary>The command tree: <c>run</c>, <c>bench</c>, <c>faults</c>, <c>replay</c>.</summary>
public static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("""
            DeviceSim — thiết bị giả lập cho nền tảng quan trắc Bắc Ninh / device simulator for the Bắc Ninh telemetry platform.
            Publishes realistic fleets, load and faults over MQTT in the platform's topic scheme (bn/{domain}/{site}/{device}/telemetry).
            Every run is bounded by a duration (default 10m) and optionally a count. Run 'DeviceSim <command> --help' for details.
            """);
        root.Subcommands.Add(new RunCommand());
        root.Subcommands.Add(new FaultsCommand());
        root.Subcommands.Add(new BenchCommand());
        root.Subcommands.Add(new ReplayCommand());
        return root;
    }
}
