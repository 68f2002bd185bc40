using System.CommandLine;
using DeviceSim.Fleet;
using DeviceSim.Publishing;

namespace DeviceSim.Cli;

/// <summary><c>run</c>: a realistic fleet publishing on schedule.</summary>
public sealed class RunCommand : Command
{
    public RunCommand()
        : base("run", """
            Simulate a fleet of Bắc Ninh devices publishing realistic telemetry on schedule (air quality, water quality,
            smart meters, industrial gateways). Each device publishes every --interval with its own connection and will
            (or over shared connections with --mode Multiplexed), until --duration or --count. Writes the registry first
            when --registry-out is given.

            Examples:
              DeviceSim run --host 127.0.0.1 --port 1883 --air 20 --water 10 --meters 30 --interval 5s --duration 24h --registry-out /tmp/devices.csv
              DeviceSim run --gateways 2 --children 200 --sites vsip,que-vo --interval 10s --count 5000
              DeviceSim run --fleet fleet.json --seed 7
            """)
    {
        Broker.AddTo(this);
        Fleet.AddTo(this);
        SetAction((result, cancellationToken) => ExecuteAsync(result, cancellationToken));
    }

    public BrokerOptions Broker { get; } = new(ConnectionMode.PerDevice);

    public FleetOptions Fleet { get; } = new();

    public FleetSession CreateSession(ParseResult result, TextWriter output, bool isTerminal, TimeProvider time)
    {
        var fleet = Fleet.Bind(result);
        return new FleetSession(
            fleet.Plan, fleet.Limits, fleet.Seed, Broker.Bind(result), result.GetValue(Broker.Mode), result.GetValue(Broker.Connections),
            result.GetValue(Broker.ClientIdPrefix)!, fleet.RegistryOut, fleet.ProgressInterval, output, isTerminal, time);
    }

    private Task<int> ExecuteAsync(ParseResult result, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync(result, output => CreateSession(result, output, CommandRunner.IsTerminal, TimeProvider.System).RunAsync(cancellationToken));
}
