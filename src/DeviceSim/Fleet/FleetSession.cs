using System.Globalization;
using DeviceSim.Faults;
using DeviceSim.Publishing;
using DeviceSim.Reporting;
using Ingest.Contracts;

namespace DeviceSim.Fleet;

/// <summary>
/// One complete fleet run as the <c>run</c> and <c>faults</c> commands perform it: build the fleet, write its registry,
/// connect, publish on schedule (with faults if given) while printing progress, drain acknowledgements, say goodbye,
/// print the summary. Exit code 0 on a completed run, 2 when the broker could not be reached at all.
/// </summary>
public sealed class FleetSession(
    FleetPlan plan,
    RunLimits limits,
    int seed,
    BrokerSettings broker,
    ConnectionMode mode,
    int sharedConnections,
    string clientIdPrefix,
    string? registryOut,
    TimeSpan progressInterval,
    TextWriter output,
    bool isTerminal,
    TimeProvider time,
    FaultPlan? faultPlan = null)
{
    public const int MaxPerDeviceConnections = 20_000;

    /// <summary>Set before <see cref="RunAsync"/> to observe each injected fault.</summary>
    public Action<InjectedFault>? OnFault { get; init; }

    public RunStats Stats { get; } = new();

    public FaultInjector? Faults { get; private set; }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        limits.Validate();
        var devices = FleetBuilder.Build(plan);
        if (mode == ConnectionMode.PerDevice && devices.Count > MaxPerDeviceConnections)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{devices.Count} devices is more than {MaxPerDeviceConnections} connections; use --mode Multiplexed"));
        }

        if (registryOut is not null)
        {
            await RegistryWriter.WriteAsync(registryOut, devices, cancellationToken);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"registry: {FleetBuilder.WithChildren(devices).Count()} devices written to {registryOut}"));
        }

        var topics = new Topics(broker.TopicRoot);
        if (faultPlan is not null)
        {
            Faults = new FaultInjector(faultPlan, devices, topics, seed) { Injected = OnFault };
        }

        await WriteHeaderAsync(devices);
        await using var pool = new ConnectionPool(broker, devices, mode, sharedConnections, clientIdPrefix, Stats, time);
        var started = time.GetTimestamp();

        // Every run is bounded: the schedule stops at the duration, and this guard stops connecting and draining too.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limits.Duration + TimeSpan.FromMinutes(2));
        try
        {
            await pool.ConnectAllAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            await output.WriteLineAsync("stopped while connecting");
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"connected {Stats.Connected}/{pool.ConnectionCount} in {time.GetElapsedTime(started).TotalSeconds:0.0} s (failed attempts {Stats.ConnectFailures})"));
        if (Stats.Connects == 0)
        {
            await output.WriteLineAsync($"error: cannot connect to mqtt://{broker.Host}:{broker.Port} — is the broker running?");
            return 2;
        }

        using var progressStop = new CancellationTokenSource();
        var progress = new ProgressReporter(Stats, output, isTerminal, progressInterval, time, pool.ConnectionCount, () => pool.InFlight);
        var progressTask = progress.RunAsync(progressStop.Token);
        var runner = new FleetRunner(devices, limits, seed, pool, Stats, time, topics, Faults);
        await runner.RunAsync(deadline.Token);

        var drained = false;
        using (var drainGuard = new CancellationTokenSource(FleetRunner.DrainTimeout + TimeSpan.FromSeconds(5)))
        {
            try
            {
                drained = await pool.DrainAsync(FleetRunner.DrainTimeout, drainGuard.Token);
                await pool.CloseAsync(drainGuard.Token);
            }
            catch (OperationCanceledException) when (drainGuard.IsCancellationRequested)
            {
            }
        }

        await progressStop.CancelAsync();
        await progressTask;
        RunSummary.Write(output, Stats, time.GetElapsedTime(started), drained, Faults);
        return 0;
    }

    private async Task WriteHeaderAsync(IReadOnlyList<DeviceSpec> devices)
    {
        var c = CultureInfo.InvariantCulture;
        var children = devices.Sum(d => d.Children.Count);
        await output.WriteLineAsync(string.Create(c,
            $"Bắc Ninh fleet: {plan.Air} air, {plan.Water} water, {plan.Meters} meters, {plan.Gateways} gateways ({children} children) at {devices.Select(d => d.Site.Id).Distinct().Count()} sites; seed {seed}"));
        foreach (var site in devices.GroupBy(d => d.Site).OrderBy(g => g.Key.Id, StringComparer.Ordinal))
        {
            await output.WriteLineAsync(string.Create(c,
                $"  {site.Key.Id,-14} {site.Key.Name,-28} {site.Key.Lat:0.0000},{site.Key.Lon:0.0000}  {string.Join(", ", site.GroupBy(d => d.Domain).Select(g => $"{g.Count()} {g.Key}"))}"));
        }

        await output.WriteLineAsync(string.Create(c,
            $"broker mqtt://{broker.Host}:{broker.Port}  root {broker.TopicRoot}  qos {(int)broker.Qos}  window {broker.Window}  mode {mode}"
            + $"  every {Cli.DurationParser.Format(limits.Interval)} for {Cli.DurationParser.Format(limits.Duration)}{(limits.MaxMessages is { } max ? $" or {max:N0} readings" : "")}"));
    }
}
