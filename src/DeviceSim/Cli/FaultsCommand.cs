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
            the quarantine reason the worker should give it; --check-dead-letters watches the worker's dead-letter topic
            and compares, reason by reason (exit code 3 when they differ).

            Examples:
              DeviceSim faults --port 1883 --air 20 --water 10 --meters 30 --interval 1s --duration 5m --malformed 0.01 --spoofed-id 0.005 --unknown-device 0.005 --skewed-timestamp 0.005
              DeviceSim faults --meters 200 --interval 2s --duration 10m --disconnect-storm 0.0005 --storm-size 0.3 --silent 0.0002
              DeviceSim faults --air 50 --spike 0.01 --drift 0.001 --stuck 0.001 --dropout 0.02 --duplicate 0.01 --out-of-order 0.01 --fault-log faults.csv
              DeviceSim faults --air 20 --interval 1s --duration 2m --malformed 0.02 --spoofed-id 0.01 --skewed-timestamp 0.01 --check-dead-letters
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
        Options.Add(CheckDeadLetters);
        Options.Add(DeadLetterWait);
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

    public Option<bool> CheckDeadLetters { get; } = new("--check-dead-letters")
    {
        Description = "Watch the worker's dead-letter topic ({root}/deadletter/#) during the run and, at the end (waiting up to --dead-letter-wait for the last), "
            + "compare the dead letters of this run's devices with the faults the worker must reject, reason by reason; exit code 3 when they differ. "
            + "Unknown-device faults are quarantined only with the worker's Registry:UnknownDevice=Quarantine. Example: --malformed 0.02 --check-dead-letters",
    };

    public Option<TimeSpan?> DeadLetterWait { get; } = OptionFactory.Duration("--dead-letter-wait",
        "With --check-dead-letters: how long to wait after the run for dead letters still on their way (default 15s); the check ends as soon as all have come. Example: --dead-letter-wait 1m");

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
            var broker = Broker.Bind(result);
            var clientIdPrefix = result.GetValue(Broker.ClientIdPrefix)!;
            await using var deadLetters = result.GetValue(CheckDeadLetters)
                ? await DeadLetterCheck.StartAsync(broker, clientIdPrefix + "dead-letter-check", DeviceIds(fleet.Plan), cancellationToken)
                : null;
            var session = new FleetSession(
                fleet.Plan, fleet.Limits, fleet.Seed, broker, result.GetValue(Broker.Mode), result.GetValue(Broker.Connections),
                clientIdPrefix, fleet.RegistryOut, fleet.ProgressInterval, output, CommandRunner.IsTerminal,
                TimeProvider.System, plan)
            {
                OnFault = f =>
                {
                    deadLetters?.Expect(f);
                    log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{FaultGroups.OptionName(f.Kind)},{f.TopicDeviceId},{f.Sequence},{f.Variant},{f.ExpectedReason}"));
                },
            };
            var exitCode = await session.RunAsync(cancellationToken);
            if (exitCode != 0 || deadLetters is null)
            {
                return exitCode;
            }

            var report = await deadLetters.CompleteAsync(result.GetValue(DeadLetterWait) ?? TimeSpan.FromSeconds(15), TimeProvider.System, cancellationToken);
            report.WriteTo(output);
            return report.AllMatch ? 0 : 3;
        });

    /// <summary>Every id on the fleet's topics: devices, gateways and their children.</summary>
    private static IEnumerable<string> DeviceIds(FleetPlan plan) =>
        FleetBuilder.Build(plan).SelectMany(d => d.Children.Select(c => c.Id).Prepend(d.Id));
}
