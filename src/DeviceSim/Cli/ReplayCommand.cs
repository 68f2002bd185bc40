using System.CommandLine;
using System.Globalization;
using DeviceSim.Fleet;
using DeviceSim.Publishing;
using DeviceSim.Replay;

namespace DeviceSim.Cli;

/// <summary><c>replay</c>: recorded readings from a CSV file, at their original pace or faster.</summary>
public sealed class ReplayCommand : Command
{
    public ReplayCommand()
        : base("replay", """
            Publish recorded readings from a CSV file, one row per field: header 'device,time,field,value' (any order;
            optional 'domain,site' columns). Rows with the same device and time become one telemetry message
            (bn/{domain}/{site}/{device}/telemetry, seq counting per device). Messages go out in time order at the
            file's own pace divided by --speed, or back to back with --speed max. Domain and site come from the row,
            else from --registry, else from ids like air-yp-0001 (domain air, site code yp = yen-phong).
            A sample ships next to DeviceSim.dll (in the repository: src/DeviceSim/Samples/replay-sample.csv):
            3 devices, 10 minutes, 120 rows. Exit code 0 when every message was acknowledged, 4 when some were not,
            2 when the broker cannot be reached, 1 for a bad file or option.

            Examples:
              DeviceSim replay Samples/replay-sample.csv --port 1883
              DeviceSim replay Samples/replay-sample.csv --speed 10 --timestamps now
              DeviceSim replay recorded-week.csv --speed max --timestamps original --registry /tmp/devices.csv
            """)
    {
        Arguments.Add(File);
        Broker.AddTo(this);
        foreach (var option in new Option[] { Speed, Timestamps, Registry, Duration, Count, DryRun, ProgressInterval })
        {
            Options.Add(option);
        }

        SetAction((result, cancellationToken) => ExecuteAsync(result, cancellationToken));
    }

    public Argument<FileInfo> File { get; } = new("file")
    {
        Description = "The CSV file to replay. Example: Samples/replay-sample.csv",
    };

    public BrokerOptions Broker { get; } = new(ConnectionMode.Multiplexed);

    public Option<ReplaySpeed> Speed { get; } = new("--speed")
    {
        Description = "Pace: 1 = as recorded (default), 10 = ten times faster, 0.5 = half speed, max = as fast as the in-flight window allows. Example: --speed 10",
        HelpName = "factor|max",
        DefaultValueFactory = _ => ReplaySpeed.Original,
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (ReplaySpeed.TryParse(text, out var speed))
            {
                return speed;
            }

            r.AddError($"--speed: '{text}' is neither a positive factor (1, 10, 0.5) nor 'max'");
            return ReplaySpeed.Original;
        },
    };

    public Option<ReplayTimestamps> Timestamps { get; } = new("--timestamps")
    {
        Description = "The ts the readings carry. Shift (default): the file's times moved so its last reading is now (spacing kept, "
            + "nothing in the future). Original: the file's times unchanged (the worker rejects readings older than its Validation:MaxPastAge, 30 days). "
            + "Now: the moment each reading is due (spacing divided by --speed). Example: --timestamps original",
        DefaultValueFactory = _ => ReplayTimestamps.Shift,
    };

    public Option<FileInfo?> Registry { get; } = new("--registry")
    {
        Description = "Registry CSV (id,domain,site,…; what 'run --registry-out' writes) giving the domain and site of devices the file does not. "
            + "Example: --registry /tmp/bn/devices.csv",
    };

    public Option<TimeSpan?> Duration { get; } = OptionFactory.Duration("--duration",
        "Stop after this long even if the file is not finished (default 10m). Example: --duration 2h");

    public Option<long?> Count { get; } = new("--count")
    {
        Description = "Stop after this many messages. Example: --count 500",
        HelpName = "n",
    };

    public Option<bool> DryRun { get; } = new("--dry-run")
    {
        Description = "Read and group the file, print what would be sent (first messages, span, timing) and exit without connecting. Example: --dry-run",
    };

    public Option<TimeSpan?> ProgressInterval { get; } = OptionFactory.Duration("--progress-interval",
        "When the output is not a terminal, print a progress line this often (default 10s). Example: --progress-interval 30s");

    /// <summary>Reads the file and builds the plan as of <paramref name="start"/>.</summary>
    public ReplayPlan BuildPlan(ParseResult result, DateTimeOffset start)
    {
        var file = result.GetValue(File)!;
        if (!file.Exists)
        {
            throw new FileNotFoundException($"replay file '{file.FullName}' does not exist", file.FullName);
        }

        var registry = result.GetValue(Registry) is { } r ? DeviceResolver.ReadRegistry(System.IO.File.ReadAllText(r.FullName)) : null;
        var rows = ReplayCsv.ParseFile(file.FullName);
        if (rows.Count == 0)
        {
            throw new FormatException($"'{file.Name}' has a header but no readings");
        }

        return ReplayPlan.Build(rows, new DeviceResolver(registry), result.GetValue(Speed), result.GetValue(Timestamps), start);
    }

    private Task<int> ExecuteAsync(ParseResult result, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync(result, async output =>
        {
            var duration = result.GetValue(Duration) ?? RunLimits.DefaultDuration;
            if (duration <= TimeSpan.Zero || duration > RunLimits.MaxDuration)
            {
                throw new ArgumentException("--duration must be positive and at most 30 days");
            }

            var count = result.GetValue(Count);
            if (count is <= 0)
            {
                throw new ArgumentException("--count must be positive");
            }

            var time = TimeProvider.System;
            var plan = BuildPlan(result, time.GetUtcNow());
            var speed = result.GetValue(Speed);
            await DescribeAsync(output, plan, speed, result.GetValue(Timestamps), duration);
            if (result.GetValue(DryRun))
            {
                return 0;
            }

            var session = new ReplaySession(
                plan, Broker.Bind(result), result.GetValue(Broker.Mode), result.GetValue(Broker.Connections), result.GetValue(Broker.ClientIdPrefix)!,
                duration, count, result.GetValue(ProgressInterval) ?? TimeSpan.FromSeconds(10), output, CommandRunner.IsTerminal, time);
            return await session.RunAsync(cancellationToken);
        });

    private static async Task DescribeAsync(TextWriter output, ReplayPlan plan, ReplaySpeed speed, ReplayTimestamps timestamps, TimeSpan duration)
    {
        var c = CultureInfo.InvariantCulture;
        var first = plan.Messages[0];
        var last = plan.Messages[^1];
        await output.WriteLineAsync(string.Create(c,
            $"replay: {plan.Rows:N0} rows → {plan.Messages.Count:N0} messages ({plan.Points:N0} points) from {plan.Devices.Count} devices, recorded {first.RecordedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z … {last.RecordedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ({DurationParser.Format(plan.Span)})"));
        var takes = last.Due;
        var pace = speed.IsMax ? "as fast as the window allows" : "takes " + DurationParser.Format(takes);
        var moved = timestamps == ReplayTimestamps.Shift ? string.Create(c, $" (moved by {plan.Shift.TotalHours:+0.##;-0.##;0} h)") : "";
        await output.WriteLineAsync(string.Create(c, $"speed {speed}: {pace}; timestamps {timestamps}{moved}"));
        if (takes > duration)
        {
            await output.WriteLineAsync(string.Create(c,
                $"note: at this speed the file takes longer than --duration {DurationParser.Format(duration)}; the replay stops there (raise --speed or --duration)"));
        }

        foreach (var m in plan.Messages.Take(3))
        {
            var values = string.Join(" ", m.Values.Select(v => v.Key + "=" + v.Value.ToString(c)));
            await output.WriteLineAsync(string.Create(c,
                $"  +{DurationParser.Format(m.Due),-8} {m.Domain}/{m.Site}/{m.Device}  ts {m.Timestamp.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}  {values}"));
        }

        if (plan.Messages.Count > 3)
        {
            await output.WriteLineAsync(string.Create(c, $"  … {plan.Messages.Count - 3:N0} more"));
        }
    }
}
