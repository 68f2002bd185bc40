using System.CommandLine;
using System.Globalization;
using System.Text;
using DeviceSim.Faults;
using DeviceSim.Fleet;
using DeviceSim.Publishing;

namespace DeviceSim.Cli;

/// <summary><c>faults</c>: the <c>run</c> fleet with chosen faults injected at chosen rates.</summary>
public sealed class FaultsCommand : Command
{
    private static readonly Dictionary<FaultKind, string> Help = new()
    {
        [FaultKind.Spike] = "Probability per reading of a spike: the main quantity (pm25, nh4, power) jumps 5–15× for one reading. Stored by the worker; alert rules should see it. Example: --spike 0.01",
        [FaultKind.Drift] = "Probability per reading that the main quantity starts drifting (gain error growing for 60–240 readings). Example: --drift 0.001",
        [FaultKind.Stuck] = "Probability per reading that all values freeze for 30–120 readings (ts and seq still advance). Example: --stuck 0.001",
        [FaultKind.Dropout] = "Probability per reading that it is never sent (seq is used: the worker sees a gap). Example: --dropout 0.02",
        [FaultKind.Malformed] = "Probability per reading of a broken document — truncated JSON (InvalidJson), text value (InvalidValue), values not an object (SchemaMismatch), no id (MissingDeviceId), no values (NoValues), bad ts (InvalidTimestamp). Example: --malformed 0.01",
        [FaultKind.UnknownDevice] = "Probability per reading that it comes from an id the registry lacks (e.g. air-yp-unk0001); quarantined as UnknownDevice when the worker's Registry:UnknownDevice is Quarantine. Example: --unknown-device 0.005",
        [FaultKind.SpoofedId] = "Probability per reading that the payload claims another device's id than its topic (DeviceIdMismatch). Example: --spoofed-id 0.005",
        [FaultKind.Duplicate] = "Probability per reading that the message is sent twice (the worker must store it once). Example: --duplicate 0.01",
        [FaultKind.OutOfOrder] = "Probability per reading that it is held back and sent after the device's next reading. Example: --out-of-order 0.01",
        [FaultKind.SkewedTimestamp] = "Probability per reading that ts is 10 min–2 days ahead or 31–365 days behind (TimestampOutOfRange). Example: --skewed-timestamp 0.005",
        [FaultKind.DisconnectStorm] = "Probability per reading of a disconnect storm: --storm-size of all live connections drop at once (wills fire) and come back 1–10 s later. Example: --disconnect-storm 0.0005",
        [FaultKind.Silent] = "Probability per reading that the device goes silent for the rest of the run, keeping its connection (no will: only silence detection notices). Example: --silent 0.0002",
    };

    public FaultsCommand()
        : base("faults", """
            Run a fleet like 'run' and inject faults at the given rates, to check that the worker quarantines, de-duplicates,
            counts gaps and detects offline devices as it should. Rates are probabilities per scheduled reading. Three
            independent draws per reading: value faults (spike, drift, stuck), message faults (dropout … skewed-timestamp)
            and device events (disconnect-storm, silent); within each group the rates add up to at most 1. Gateway batches
            are not faulted. The summary prints each fault's observed rate; --fault-log writes every injected fault with
            the quarantine reason the worker should give it.

            Examples:
              DeviceSim faults --port 1883 --air 20 --water 10 --meters 30 --interval 1s --duration 5m --malformed 0.01 --spoofed-id 0.005 --unknown-device 0.005 --skewed-timestamp 0.005
              DeviceSim faults --meters 200 --interval 2s --duration 10m --disconnect-storm 0.0005 --storm-size 0.3 --silent 0.0002
              DeviceSim faults --air 50 --spike 0.01 --drift 0.001 --stuck 0.001 --dropout 0.02 --duplicate 0.01 --out-of-order 0.01 --fault-log faults.csv
            """)
    {
        Broker.AddTo(this);
        Fleet.AddTo(this);
        foreach (var kind in Enum.GetValues<FaultKind>())
        {
            var option = OptionFactory.Rate("--" + FaultGroups.OptionName(kind), Help[kind]);
            Rates[kind] = option;
            Options.Add(option);
        }

        StormSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is <= 0 or > 1)
            {
                r.AddError("--storm-size must be in (0, 1]");
            }
        });
        Options.Add(StormSize);
        Options.Add(FaultLog);
        SetAction((result, cancellationToken) => ExecuteAsync(result, cancellationToken));
    }

    public BrokerOptions Broker { get; } = new(ConnectionMode.PerDevice);

    public FleetOptions Fleet { get; } = new();

    public Dictionary<FaultKind, Option<double>> Rates { get; } = [];

    public Option<double> StormSize { get; } = new("--storm-size")
    {
        Description = "Share of live connections one disconnect storm cuts (default 0.2). Example: --storm-size 0.5",
        DefaultValueFactory = _ => 0.2,
    };

    public Option<FileInfo?> FaultLog { get; } = new("--fault-log")
    {
        Description = "Write every injected fault as CSV: kind,topic_device,seq,variant,expected_reason. Example: --fault-log /tmp/faults.csv",
    };

    public FaultPlan BindPlan(ParseResult result)
    {
        var plan = new FaultPlan { StormSize = result.GetValue(StormSize) };
        foreach (var (kind, option) in Rates)
        {
            plan[kind] = result.GetValue(option);
        }

        return plan;
    }

    private Task<int> ExecuteAsync(ParseResult result, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync(result, async output =>
        {
            var fleet = Fleet.Bind(result);
            var plan = BindPlan(result);
            if (plan.IsEmpty)
            {
                throw new ArgumentException("no fault rate given; see 'DeviceSim faults --help' (e.g. --malformed 0.01)");
            }

            var logFile = result.GetValue(FaultLog);
            await using var log = logFile is null ? null : new StreamWriter(logFile.FullName, append: false, new UTF8Encoding(false));
            log?.WriteLine("kind,topic_device,seq,variant,expected_reason");
            var session = new FleetSession(
                fleet.Plan, fleet.Limits, fleet.Seed, Broker.Bind(result), result.GetValue(Broker.Mode), result.GetValue(Broker.Connections),
                result.GetValue(Broker.ClientIdPrefix)!, fleet.RegistryOut, fleet.ProgressInterval, output, CommandRunner.IsTerminal,
                TimeProvider.System, plan)
            {
                OnFault = log is null ? null : f => log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{FaultGroups.OptionName(f.Kind)},{f.TopicDeviceId},{f.Sequence},{f.Variant},{f.ExpectedReason}")),
            };
            return await session.RunAsync(cancellationToken);
        });
}
