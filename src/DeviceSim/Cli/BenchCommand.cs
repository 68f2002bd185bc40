using System.CommandLine;
using DeviceSim.Bench;
using DeviceSim.Fleet;
using DeviceSim.Publishing;
using Ingest.Contracts;

namespace DeviceSim.Cli;

/// <summary><c>bench</c>: bounded load, achieved rates, and (with --verify) what reached InfluxDB.</summary>
public sealed class BenchCommand : Command
{
    public BenchCommand()
        : base("bench", """
            Load test: publish --count air readings from --devices devices named bench-<run-id>-0001… (topic
            bn/air/bench/<device>/telemetry) as fast as the in-flight window allows, or at --rate readings/s reached in
            --ramp equal steps of --step-duration. Prints achieved publish and acknowledgement rates, errors and
            publish→PUBACK latency per step.

            With --verify it then polls InfluxDB (InfluxQL /query, database --influx-db) for this run's devices until all
            readings are stored (or --verify-timeout, or --settle without growth) and prints loss, duplicates and
            end-to-end latency percentiles. How latency is measured: every --poll-interval during and after publishing the
            bench counts its stored points per 100 ms of device timestamp; points that appear between two polls get the
            latency "poll answer time − middle of their 100 ms bucket". The device timestamp is the moment of publishing
            (same clock), so this is publish → visible in InfluxDB, with a resolution of one poll interval + 50 ms. Loss
            and duplicates come from an exact per-device count at the end. Exit code 3 when anything was lost or duplicated.

            Examples:
              DeviceSim bench --port 1883 --count 100000 --verify --influx-url http://127.0.0.1:8086
              DeviceSim bench --rate 20000 --ramp 4 --step-duration 15s --count 1000000 --duration 2m
              DeviceSim bench --mode PerDevice --devices 2000 --count 200000 --window 5000
            """)
    {
        Broker.AddTo(this);
        foreach (var option in new Option[] { Devices, Count, Duration, Rate, Ramp, StepDuration, RunId, Seed, Verify, InfluxUrl, InfluxDb, VerifyTimeout, PollInterval, Settle, RegistryOut })
        {
            Options.Add(option);
        }

        SetAction((result, cancellationToken) => ExecuteAsync(result, cancellationToken));
    }

    public BrokerOptions Broker { get; } = new(ConnectionMode.Multiplexed);

    public Option<int> Devices { get; } = new("--devices")
    {
        Description = "Devices the readings are spread over, round-robin. Example: --devices 1000",
        DefaultValueFactory = _ => 100,
    };

    public Option<long> Count { get; } = new("--count")
    {
        Description = "Readings to publish in all (default 100000). Example: --count 1000000",
        DefaultValueFactory = _ => 100_000,
    };

    public Option<TimeSpan?> Duration { get; } = OptionFactory.Duration("--duration", "Stop publishing after this long even if --count is not reached (default 10m). Example: --duration 2m");

    public Option<double> Rate { get; } = new("--rate")
    {
        Description = "Target readings per second (0: as fast as the window allows). Example: --rate 5000",
        DefaultValueFactory = _ => 0,
    };

    public Option<int> Ramp { get; } = new("--ramp")
    {
        Description = "Reach --rate in this many equal steps (step i runs at rate·i/steps), then hold it. Example: --ramp 5",
        DefaultValueFactory = _ => 1,
    };

    public Option<TimeSpan?> StepDuration { get; } = OptionFactory.Duration("--step-duration", "Length of each ramp step (default 10s). Example: --step-duration 30s");

    public Option<string?> RunId { get; } = new("--run-id")
    {
        Description = "Run id in the device names (letters/digits; default: random). Example: --run-id nightly42",
    };

    public Option<int> Seed { get; } = new("--seed")
    {
        Description = "Seed of the readings' values. Example: --seed 7",
        DefaultValueFactory = _ => 1,
    };

    public Option<bool> Verify { get; } = new("--verify")
    {
        Description = "After publishing, count what landed in InfluxDB for this run: loss, duplicates, end-to-end latency. Example: --verify",
    };

    public Option<Uri> InfluxUrl { get; } = new("--influx-url")
    {
        Description = "InfluxDB base URL for --verify. Example: --influx-url http://127.0.0.1:8086",
        DefaultValueFactory = _ => new Uri("http://127.0.0.1:8086/"),
        CustomParser = r => Uri.TryCreate(r.Tokens[0].Value.TrimEnd('/') + "/", UriKind.Absolute, out var uri) ? uri : null,
    };

    public Option<string> InfluxDb { get; } = new("--influx-db")
    {
        Description = "InfluxDB database the worker writes to. Example: --influx-db telemetry",
        DefaultValueFactory = _ => "telemetry",
    };

    public Option<TimeSpan?> VerifyTimeout { get; } = OptionFactory.Duration("--verify-timeout", "Longest wait for the readings to appear in InfluxDB (default 2m). Example: --verify-timeout 5m");

    public Option<TimeSpan?> PollInterval { get; } = OptionFactory.Duration("--poll-interval", "How often --verify counts stored points; the latency resolution (default 250ms). Example: --poll-interval 100ms");

    public Option<TimeSpan?> Settle { get; } = OptionFactory.Duration("--settle", "Give up waiting once the stored count has not grown for this long (default 15s). Example: --settle 30s");

    public Option<FileInfo?> RegistryOut { get; } = new("--registry-out")
    {
        Description = "Write the bench devices as a registry CSV (for a worker with Registry:UnknownDevice=Quarantine). Example: --registry-out /tmp/bench-devices.csv",
    };

    public BenchSettings Bind(ParseResult result)
    {
        var verify = result.GetValue(Verify);
        var influx = result.GetValue(InfluxUrl);
        if (verify && influx is null)
        {
            throw new ArgumentException("--influx-url is not a valid URL");
        }

        return new BenchSettings(
            result.GetValue(Devices),
            result.GetValue(Count),
            result.GetValue(Duration) ?? RunLimits.DefaultDuration,
            result.GetValue(Rate),
            result.GetValue(Ramp),
            result.GetValue(StepDuration) ?? TimeSpan.FromSeconds(10),
            result.GetValue(RunId) ?? Guid.NewGuid().ToString("N")[..8],
            result.GetValue(Seed),
            verify ? influx : null,
            result.GetValue(InfluxDb)!,
            result.GetValue(VerifyTimeout) ?? TimeSpan.FromMinutes(2),
            result.GetValue(PollInterval) ?? TimeSpan.FromMilliseconds(250),
            result.GetValue(Settle) ?? TimeSpan.FromSeconds(15));
    }

    private Task<int> ExecuteAsync(ParseResult result, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync(result, async output =>
        {
            var settings = Bind(result);
            settings.Validate();
            if (result.GetValue(RegistryOut) is { } registry)
            {
                var site = new Site(BenchSettings.Site, "bench", "Benchmark", "bench", SiteKind.Ward, 21.18, 106.0605, 1, 0);
                var devices = Enumerable.Range(1, settings.Devices)
                    .Select(i => new DeviceSpec(i - 1, $"{settings.DevicePrefix}{i:0000}", Domains.Air, site, "bench", site.Lat, site.Lon, []));
                await RegistryWriter.WriteAsync(registry.FullName, devices, cancellationToken);
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var runner = new BenchRunner(
                settings, Broker.Bind(result), result.GetValue(Broker.Mode), result.GetValue(Broker.Connections), output, CommandRunner.IsTerminal, TimeProvider.System, http);
            return await runner.RunAsync(cancellationToken);
        });
}
