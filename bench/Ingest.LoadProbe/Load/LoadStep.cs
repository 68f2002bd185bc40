using System.Diagnostics;
using Ingest.LoadProbe.Measure;
using Ingest.LoadProbe.Mqtt;
using Ingest.LoadProbe.Payloads;

namespace Ingest.LoadProbe.Load;

/// <summary>
/// One step of the pipeline (or peer) benchmark: publish air readings at <c>--rate</c> readings/s for <c>--duration</c>
/// seconds — one reading per message on <c>bn/air/{site}/{device}/telemetry</c>, or (<c>--mode gateway</c>) <c>--batch</c>
/// readings per message on <c>bn/gw/{site}/{gateway}/batch</c> — then wait until InfluxDB holds them and report loss,
/// end-to-end latency, drain lag, the watched process's CPU and peak RSS, and alert latency. The site tag
/// (<c>s{series-id}</c>) and the device time from the step's start tell its points apart, so they are counted exactly.
/// Latency and drain lag come from a sample: every <c>--latency-sample</c>th device (in gateway mode, gateway) publishes
/// under a site of its own (<c>s{series-id}p</c>), and only that site is polled. Polling all of a step's series four
/// times a second cost InfluxDB a third of its CPU in the single-reading steps (10,000 series), taken from the pipeline
/// it measured; a sample spread evenly over the devices sees the same latencies. A step passes (the rate is sustained) when nothing was lost,
/// no publish failed, at least <c>--pass-ratio</c> of the target rate was published and the last point was stored at
/// most <c>--max-lag</c> s after the last publish.
/// </summary>
public sealed class LoadStep(ProbeArgs args)
{
    private static readonly TimeSpan PaceTick = TimeSpan.FromMilliseconds(5);

    public async Task<Dictionary<string, object?>> RunAsync(CancellationToken cancellationToken)
    {
        var host = args.Text("host", "127.0.0.1");
        var port = args.Int("port", 1883);
        var influx = new Uri(args.Text("influx-url", "http://127.0.0.1:8086").TrimEnd('/') + "/");
        var db = args.Text("influx-db", "telemetry");
        var gateway = args.Text("mode", "single") switch
        {
            "single" => false,
            "gateway" => true,
            var other => throw new ArgumentException($"--mode must be single or gateway, not '{other}'"),
        };
        var rate = args.Double("rate", 5000);
        var duration = args.Seconds("duration", 10);
        var devices = args.Int("devices", 1000);
        var gateways = args.Int("gateways", 20);
        var gatewayBatch = args.Int("batch", 100);
        var batch = gateway ? gatewayBatch : 1;
        var connections = args.Int("connections", 4);
        var window = args.Int("window", 2000);
        var run = args.Text("run-id", Guid.NewGuid().ToString("N")[..8]);
        var series = args.Text("series-id", run);
        var poll = args.Seconds("poll", 0.25);
        var latencySample = args.Int("latency-sample", 100);
        var settle = args.Seconds("settle", 5);
        var drainTimeout = args.Seconds("drain-timeout", 60);
        var watchPid = args.Int("watch-pid", 0);
        var alertDevices = args.Int("alert-devices", 0);
        var alertPeriod = args.Seconds("alert-period", 2);
        var maxLag = args.Double("max-lag", 2.0);
        var passRatio = args.Double("pass-ratio", 0.95);
        var label = args.Text("label", gateway ? "pipeline-gateway" : "pipeline-single");
        args.EnsureAllUsed();
        if (rate <= 0 || duration <= TimeSpan.Zero || duration > TimeSpan.FromHours(1) || devices < 1 || gateways < 1 || batch < 1 || latencySample < 1)
        {
            throw new ArgumentException("--rate, --duration (≤ 3600 s), --devices, --gateways, --batch and --latency-sample must be positive");
        }

        // Devices and site belong to the series (steps of one series reuse them, so InfluxDB's series count does not grow
        // with every step); a step's points are told apart by their device time, which starts at this step's first publish.
        var site = "s" + series;
        var sampleSite = site + "p";
        var children = gateway ? gateways * batch : devices;
        var ids = Enumerable.Range(0, children).Select(i => ReadingFactory.DeviceId(series, i)).ToArray();
        var messageRate = rate / batch;
        var totalMessages = (long)Math.Ceiling(messageRate * duration.TotalSeconds);
        Console.Error.WriteLine(
            $"{label}: {rate:N0} readings/s ({messageRate:N0} msgs/s, {batch} reading(s)/msg) for {duration.TotalSeconds:0.#} s, "
            + $"{children} devices{(gateway ? $" behind {gateways} gateways" : "")}, site {site}, {connections} connections, window {window}");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var sinceMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var watcher = new StoreWatcher(http, influx, db, ReadingFactory.Measurement, sampleSite);
        await using var alerts = alertDevices > 0 ? await AlertWatcher.StartAsync(host, port, $"air-{series}-", sinceMs, $"bench-{run}-alerts", cancellationToken) : null;
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        hardStop.CancelAfter(duration + drainTimeout + TimeSpan.FromMinutes(2));
        await using var pool = await PublisherPool.ConnectAsync(host, port, connections, window, $"bench-{run}", hardStop.Token);
        var meter = watchPid > 0 ? new ProcessMeter(watchPid) : null;

        using var pollStop = CancellationTokenSource.CreateLinkedTokenSource(hardStop.Token);
        var polling = watcher.RunAsync(poll, pollStop.Token);
        meter?.Start();
        var lastStamp = new long[gateway ? gateways : devices];
        // Publishers (devices or gateways) in the latency sample: every latencySample-th, at least the first.
        var sampleEvery = Math.Min(latencySample, lastStamp.Length);
        long sampleReadings = 0;
        Array.Fill(lastStamp, sinceMs);
        var seqs = new long[lastStamp.Length];
        var childList = new (string, int, bool)[batch];
        long sentMessages = 0, sentReadings = 0;
        using var pace = new PeriodicTimer(PaceTick);
        var started = Stopwatch.GetTimestamp();
        try
        {
            while (sentMessages < totalMessages)
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (elapsed >= duration + TimeSpan.FromSeconds(1))
                {
                    break; // could not keep the schedule: the rest is not sent (the achieved rate says so)
                }

                var due = Math.Min(totalMessages, (long)(messageRate * elapsed.TotalSeconds) + 1);
                if (sentMessages >= due)
                {
                    // Ahead of the schedule: publish what falls due in bursts, one wake-up per tick. A 1 ms delay per
                    // turn cost the probe a fifth of a core even when idle, taken from the processes it measures.
                    await pace.WaitForNextTickAsync(hardStop.Token);
                    continue;
                }

                var spikePhase = alertDevices > 0 && ((long)(elapsed / alertPeriod) % 2) == 1;
                for (; sentMessages < due; sentMessages++)
                {
                    var slot = (int)(sentMessages % lastStamp.Length);
                    var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    var stampMs = Math.Max(nowMs, lastStamp[slot] + 1);
                    lastStamp[slot] = stampMs;
                    var stamp = DateTimeOffset.FromUnixTimeMilliseconds(stampMs);
                    var seq = seqs[slot]++;
                    var sampled = slot % sampleEvery == 0;
                    var slotSite = sampled ? sampleSite : site;
                    string topic;
                    byte[] payload;
                    if (gateway)
                    {
                        for (var c = 0; c < batch; c++)
                        {
                            var child = (slot * batch) + c;
                            childList[c] = (ids[child], child, spikePhase && child < alertDevices);
                        }

                        var gw = $"gw-{series}-{slot:000}";
                        topic = $"bn/gw/{slotSite}/{gw}/batch";
                        payload = ReadingFactory.GatewayBatch(gw, childList, stamp, seq);
                    }
                    else
                    {
                        topic = $"bn/air/{slotSite}/{ids[slot]}/telemetry";
                        payload = ReadingFactory.Document(ids[slot], slot, stamp, seq, spikePhase && slot < alertDevices);
                    }

                    if (sampled)
                    {
                        watcher.OnPublished(stampMs, batch);
                        sampleReadings += batch;
                    }

                    await pool.PublishAsync(topic, payload, hardStop.Token);
                    sentReadings += batch;
                }
            }
        }
        catch (OperationCanceledException) when (hardStop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"{label}: time bound reached while publishing");
        }

        var publishSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var publishEnd = Stopwatch.GetTimestamp();
        await pool.DrainAsync(TimeSpan.FromSeconds(30));

        // Wait for the store: the sample there and then everything (counted once a second), or no growth of the sample
        // for --settle, or --drain-timeout.
        var waitStart = Stopwatch.GetTimestamp();
        long stored = 0, lastTotalAt = 0;
        while (!hardStop.IsCancellationRequested)
        {
            if (watcher.Stored >= sampleReadings && Stopwatch.GetElapsedTime(lastTotalAt) >= TimeSpan.FromSeconds(1))
            {
                lastTotalAt = Stopwatch.GetTimestamp();
                stored = await CountStepAsync();
                if (stored >= sentReadings)
                {
                    break;
                }
            }

            var sinceGrowth = Stopwatch.GetElapsedTime(Math.Max(watcher.LastGrowth, publishEnd));
            if (Stopwatch.GetElapsedTime(waitStart) > drainTimeout || sinceGrowth > settle)
            {
                break;
            }

            await Task.Delay(50, hardStop.Token);
        }

        await pollStop.CancelAsync();
        await polling;
        await watcher.PollAsync(cancellationToken);
        var usage = meter?.Stop();
        stored = await CountStepAsync();

        async Task<long> CountStepAsync() =>
            await StoreCount.CountAsync(http, influx, db, ReadingFactory.Measurement, site, sinceMs, cancellationToken)
            + await StoreCount.CountAsync(http, influx, db, ReadingFactory.Measurement, sampleSite, sinceMs, cancellationToken);

        var lost = Math.Max(0, sentReadings - stored);
        var extra = Math.Max(0, stored - sentReadings);
        var achieved = sentReadings / publishSeconds;
        var lag = watcher.LastGrowth == 0 ? double.NaN : Stopwatch.GetElapsedTime(publishEnd, watcher.LastGrowth).TotalSeconds;
        var pass = lost == 0 && pool.Failed == 0 && sentReadings > 0 && achieved >= passRatio * rate && lag <= maxLag;
        var result = new Dictionary<string, object?>
        {
            ["kind"] = "load",
            ["label"] = label,
            ["mode"] = gateway ? "gateway" : "single",
            ["readings_per_msg"] = batch,
            ["target_readings_per_s"] = rate,
            ["devices"] = children,
            ["messages"] = sentMessages,
            ["readings"] = sentReadings,
            ["publish_failed"] = pool.Failed,
            ["publish_seconds"] = Math.Round(publishSeconds, 3),
            ["achieved_readings_per_s"] = Math.Round(achieved),
            ["stored"] = stored,
            ["lost"] = lost,
            ["extra"] = extra,
            ["drain_lag_s"] = double.IsNaN(lag) ? null : Math.Round(lag, 3),
            ["pass"] = pass,
            // The rate a passing step sustained is its target (published at ≥ pass ratio, all stored, kept up with).
            ["sustained_readings_per_s"] = pass ? rate : null,
            ["stored_readings_per_s"] = Math.Round(stored / Math.Max(publishSeconds + (double.IsNaN(lag) ? 0 : Math.Max(lag, 0)), 0.001)),
            ["latency_p50_ms"] = watcher.Latency.Percentile(50),
            ["latency_p95_ms"] = watcher.Latency.Percentile(95),
            ["latency_p99_ms"] = watcher.Latency.Percentile(99),
            ["latency_max_ms"] = watcher.Latency.Percentile(100),
            ["latency_samples"] = watcher.Latency.Count,
            ["latency_sample_every"] = sampleEvery,
            ["poll_errors"] = watcher.PollErrors,
        };
        if (usage is { } u)
        {
            result["cpu_s"] = Math.Round(u.CpuSeconds, 3);
            result["cpu_s_per_100k_readings"] = stored > 0 ? Math.Round(u.CpuSeconds / stored * 100_000, 3) : null;
            result["cpu_s_per_1k_msgs"] = sentMessages > 0 ? Math.Round(u.CpuSeconds / sentMessages * 1000, 4) : null;
            result["cpu_us_per_reading"] = stored > 0 ? Math.Round(u.CpuSeconds / stored * 1e6, 2) : null;
            result["peak_rss_mib"] = u.PeakRssMiB;
            result["peak_rss_reset"] = meter!.PeakWasReset;
        }

        if (alerts is not null)
        {
            result["alerts_raised"] = alerts.Raised;
            result["alerts_cleared"] = alerts.Cleared;
            result["alert_latency_p50_ms"] = alerts.Latency.Percentile(50);
            result["alert_latency_p99_ms"] = alerts.Latency.Percentile(99);
            result["alert_receipt_latency_p50_ms"] = alerts.ReceiptLatency.Percentile(50);
            result["alert_receipt_latency_p99_ms"] = alerts.ReceiptLatency.Percentile(99);
            result["alert_receipt_latency_max_ms"] = alerts.ReceiptLatency.Percentile(100);
        }

        Console.Error.WriteLine(
            $"{label}: target {rate:N0}/s achieved {achieved:N0}/s, sent {sentReadings:N0}, stored {stored:N0}, lost {lost:N0}, failed {pool.Failed}, "
            + $"lag {lag:0.00} s, p50/p95/p99 {watcher.Latency.Percentile(50)}/{watcher.Latency.Percentile(95)}/{watcher.Latency.Percentile(99)} ms"
            + (usage is { } v ? $", cpu {v.CpuSeconds:0.00} s, peak RSS {v.PeakRssMiB} MiB" : "")
            + (alerts is not null ? $", alerts {alerts.Raised}+{alerts.Cleared} p99 {alerts.Latency.Percentile(99)} ms (receipt → here p99 {alerts.ReceiptLatency.Percentile(99)} ms)" : "")
            + $" → {(pass ? "PASS" : "FAIL")}");
        return result;
    }
}
