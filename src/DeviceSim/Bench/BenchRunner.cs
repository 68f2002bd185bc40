using System.Globalization;
using DeviceSim.Fleet;
using DeviceSim.Generators;
using DeviceSim.Publishing;
using DeviceSim.Reporting;
using Ingest.Contracts;

namespace DeviceSim.Bench;

/// <summary>
/// The <c>bench</c> command's work: publish a bounded number of air readings as fast as allowed (or at a ramped
/// rate), report achieved rates, acknowledgements and errors per step, then — with verification — wait until InfluxDB
/// holds them and report loss, duplicates and end-to-end latency (see <see cref="StoreVerifier"/>). Exit code 0 when
/// everything sent was stored exactly once (or no verification was asked), 3 otherwise, 2 when the broker is unreachable.
/// </summary>
public sealed class BenchRunner(BenchSettings settings, BrokerSettings broker, ConnectionMode mode, int connections, TextWriter output, bool isTerminal, TimeProvider time, HttpClient? http = null)
{
    private static readonly Site BenchSite = new(BenchSettings.Site, "bench", "Benchmark", "bench", SiteKind.Ward, 21.1800, 106.0605, 1, 0);

    public RunStats Stats { get; } = new();

    public StoreVerifier? Verifier { get; private set; }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        settings.Validate();
        var c = CultureInfo.InvariantCulture;
        var devices = Enumerable.Range(0, settings.Devices)
            .Select(i => new DeviceSpec(i, string.Create(c, $"{settings.DevicePrefix}{i + 1:0000}"), Domains.Air, BenchSite, "bench", BenchSite.Lat, BenchSite.Lon, []))
            .ToList();
        var generators = devices.Select(d => GeneratorFactory.Create(d, settings.Seed)).ToArray();
        var lastStamp = new DateTimeOffset[devices.Count];
        var sentPerDevice = new long[devices.Count];
        var topics = new Topics(broker.TopicRoot);

        await output.WriteLineAsync(string.Create(c,
            $"bench run {settings.RunId}: {settings.Count:N0} readings from {settings.Devices} devices ({settings.DevicePrefix}0001…) on bn/air/{BenchSettings.Site}/…, "
            + $"{(settings.Rate > 0 ? $"target {settings.Rate:N0}/s in {settings.RampSteps} step(s) of {Cli.DurationParser.Format(settings.StepDuration)}" : "as fast as the window allows")}, "
            + $"qos {(int)broker.Qos}, window {broker.Window}, mode {mode}{(mode == ConnectionMode.Multiplexed ? $" ({connections} connections)" : "")}, at most {Cli.DurationParser.Format(settings.Duration)}"));

        await using var pool = new ConnectionPool(broker, devices, mode, connections, $"bench-{settings.RunId}-", Stats, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Duration + TimeSpan.FromMinutes(1));
        await pool.ConnectAllAsync(deadline.Token);
        if (Stats.Connects == 0)
        {
            await output.WriteLineAsync($"error: cannot connect to mqtt://{broker.Host}:{broker.Port} — is the broker running?");
            return 2;
        }

        var start = time.GetUtcNow();
        var influx = settings.InfluxUrl is { } url && http is not null ? new InfluxQueryClient(http, url, settings.Database) : null;
        Verifier = influx is null ? null : new StoreVerifier(influx, Domains.Air, Fields.Pm25, settings.DevicePrefix, start - TimeSpan.FromSeconds(1), time);

        using var pollStop = new CancellationTokenSource();
        var polling = Verifier is null ? Task.CompletedTask : PollWhilePublishingAsync(Verifier, pollStop.Token);
        using var progressStop = new CancellationTokenSource();
        var progress = new ProgressReporter(Stats, output, isTerminal, TimeSpan.FromSeconds(5), time, pool.ConnectionCount, () => pool.InFlight);
        var progressTask = progress.RunAsync(progressStop.Token);

        var steps = new List<(double Target, long Sent, TimeSpan Elapsed, long Acked)>();
        var publishStart = time.GetTimestamp();
        try
        {
            var stepIndex = 0;
            var stepStartTs = publishStart;
            var stepSent = 0L;
            var stepAckedBase = 0L;
            var target = settings.RateAt(TimeSpan.Zero);
            for (long k = 0; k < settings.Count; k++)
            {
                var elapsed = time.GetElapsedTime(publishStart);
                if (elapsed >= settings.Duration)
                {
                    break;
                }

                if (settings.Rate > 0 && settings.RampSteps > 1 && (int)(elapsed / settings.StepDuration) > stepIndex && stepIndex < settings.RampSteps - 1)
                {
                    steps.Add((target, stepSent, time.GetElapsedTime(stepStartTs), Stats.Acked - stepAckedBase));
                    stepIndex++;
                    stepStartTs = time.GetTimestamp();
                    stepSent = 0;
                    stepAckedBase = Stats.Acked;
                    target = settings.RateAt(elapsed);
                }

                if (target > 0)
                {
                    var due = TimeSpan.FromSeconds(stepSent / target);
                    var ahead = due - time.GetElapsedTime(stepStartTs);
                    if (ahead > TimeSpan.FromMilliseconds(1))
                    {
                        await Task.Delay(ahead, time, deadline.Token);
                    }
                }

                var index = (int)(k % devices.Count);
                var now = time.GetUtcNow();
                var stamp = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
                if (stamp <= lastStamp[index])
                {
                    stamp = lastStamp[index] + TimeSpan.FromMilliseconds(1);
                }

                lastStamp[index] = stamp;
                var document = generators[index].Next(stamp);
                Stats.OnScheduled();
                var before = Stats.Offline;
                await pool.PublishAsync(index, new OutgoingMessage(devices[index].DataTopic(topics), document.ToUtf8Bytes()), 1, deadline.Token);
                if (Stats.Offline == before)
                {
                    sentPerDevice[index]++;
                }

                stepSent++;
            }

            steps.Add((target, stepSent, time.GetElapsedTime(stepStartTs), Stats.Acked - stepAckedBase));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync("stopped early (Ctrl-C or the run's time bound)");
        }

        var drained = await pool.DrainAsync(FleetRunner.DrainTimeout, CancellationToken.None);
        var publishElapsed = time.GetElapsedTime(publishStart);
        await pool.CloseAsync(CancellationToken.None);
        await progressStop.CancelAsync();
        await progressTask;

        RunSummary.Write(output, Stats, publishElapsed, drained);
        if (steps.Count > 1 || settings.Rate > 0)
        {
            await output.WriteLineAsync("  step  target/s   achieved/s   acked/s   readings");
            for (var i = 0; i < steps.Count; i++)
            {
                var (stepTarget, sent, stepElapsed, acked) = steps[i];
                var seconds = Math.Max(stepElapsed.TotalSeconds, 0.001);
                await output.WriteLineAsync(string.Create(c,
                    $"  {i + 1,4}  {(stepTarget > 0 ? stepTarget.ToString("N0", c) : "max"),8}   {sent / seconds,10:N0}   {acked / seconds,7:N0}   {sent,8:N0}"));
            }
        }

        if (Verifier is null)
        {
            return 0;
        }

        var expected = sentPerDevice.Sum();
        await VerifyUntilStoredAsync(Verifier, expected, pollStop, polling, cancellationToken);
        return await ReportVerificationAsync(Verifier, devices, sentPerDevice, expected, start, cancellationToken);
    }

    private async Task PollWhilePublishingAsync(StoreVerifier verifier, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.PollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TryPollAsync(verifier, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task TryPollAsync(StoreVerifier verifier, CancellationToken cancellationToken)
    {
        try
        {
            await verifier.PollAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or System.Text.Json.JsonException
            or TaskCanceledException { CancellationToken.IsCancellationRequested: false })
        {
            // InfluxDB busy or briefly away: the next poll tries again; the final count decides.
        }
    }

    private async Task VerifyUntilStoredAsync(StoreVerifier verifier, long expected, CancellationTokenSource pollStop, Task polling, CancellationToken cancellationToken)
    {
        var waitStart = time.GetUtcNow();
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"verifying in InfluxDB {settings.InfluxUrl} (db {settings.Database}): waiting for {expected:N0} points (at most {Cli.DurationParser.Format(settings.VerifyTimeout)}, or {Cli.DurationParser.Format(settings.Settle)} without growth)"));
        while (!cancellationToken.IsCancellationRequested)
        {
            if (verifier.Stored >= expected)
            {
                break;
            }

            var now = time.GetUtcNow();
            if (now - waitStart > settings.VerifyTimeout
                || (now - waitStart > settings.Settle && now - Max(verifier.LastGrowth, waitStart) > settings.Settle))
            {
                break;
            }

            await Task.Delay(settings.PollInterval, time, cancellationToken);
        }

        await pollStop.CancelAsync();
        await polling;
        await TryPollAsync(verifier, cancellationToken);
    }

    private async Task<int> ReportVerificationAsync(
        StoreVerifier verifier, List<DeviceSpec> devices, long[] sentPerDevice, long expected, DateTimeOffset start, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        var perDevice = await verifier.CountPerDeviceAsync(cancellationToken);
        long missing = 0, extra = 0;
        var lossy = new List<string>();
        for (var i = 0; i < devices.Count; i++)
        {
            perDevice.TryGetValue(devices[i].Id, out var stored);
            if (stored < sentPerDevice[i])
            {
                missing += sentPerDevice[i] - stored;
                lossy.Add(string.Create(c, $"{devices[i].Id} ({stored}/{sentPerDevice[i]})"));
            }
            else
            {
                extra += stored - sentPerDevice[i];
            }
        }

        var total = perDevice.Values.Sum();
        await output.WriteLineAsync("── Kiểm tra lưu trữ / Store verification ─────────────────────────");
        await output.WriteLineAsync(string.Create(c, $"  sent (handed to MQTT) {expected:N0}   acknowledged by broker {Stats.Acked:N0}   publish errors {Stats.Failed:N0}"));
        await output.WriteLineAsync(string.Create(c, $"  stored in InfluxDB    {total:N0}"));
        await output.WriteLineAsync(string.Create(c, $"  loss                  {missing:N0} ({(expected == 0 ? 0 : 100.0 * missing / expected):0.000} %)  devices with loss: {lossy.Count}{(lossy.Count > 0 ? " — " + string.Join(", ", lossy.Take(5)) : "")}"));
        await output.WriteLineAsync(string.Create(c, $"  duplicates            {extra:N0}  (points beyond those sent; InfluxDB keeps one point per device and timestamp, so redeliveries overwrite)"));
        await output.WriteLineAsync(string.Create(c, $"  end-to-end latency    {StoreVerifier.Describe(verifier.Latency)}"));
        await output.WriteLineAsync(string.Create(c, $"                        (device timestamp → first poll that saw the point; poll every {settings.PollInterval.TotalMilliseconds:0} ms, so ±{settings.PollInterval.TotalMilliseconds + 50:0} ms)"));
        if (verifier.LastGrowth > start)
        {
            await output.WriteLineAsync(string.Create(c, $"  last point seen       {(verifier.LastGrowth - start).TotalSeconds:0.0} s after the first publish"));
        }

        await output.WriteLineAsync("──────────────────────────────────────────────────────────────────");
        var ok = missing == 0 && extra == 0;
        await output.WriteLineAsync(ok ? "VERIFY OK: every reading sent was stored exactly once" : "VERIFY FAILED: see loss / duplicates above");
        return ok ? 0 : 3;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
