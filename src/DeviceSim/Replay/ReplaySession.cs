using System.Globalization;
using DeviceSim.Fleet;
using DeviceSim.Publishing;
using DeviceSim.Reporting;
using Ingest.Contracts;

namespace DeviceSim.Replay;

/// <summary>
/// The <c>replay</c> command's work: connect, send each message of a <see cref="ReplayPlan"/> at its due time (or as fast
/// as the in-flight window allows at speed max), drain the acknowledgements, close, print the summary. Bounded by
/// <paramref name="duration"/> and optionally <paramref name="maxMessages"/>. Exit code 0 when every message was
/// acknowledged, 4 when some were not sent or not acknowledged, 2 when the broker could not be reached at all.
/// </summary>
public sealed class ReplaySession(
    ReplayPlan plan,
    BrokerSettings broker,
    ConnectionMode mode,
    int sharedConnections,
    string clientIdPrefix,
    TimeSpan duration,
    long? maxMessages,
    TimeSpan progressInterval,
    TextWriter output,
    bool isTerminal,
    TimeProvider time)
{
    public RunStats Stats { get; } = new();

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        var topics = new Topics(broker.TopicRoot);
        var firstMessage = plan.Messages.DistinctBy(m => m.Publisher).ToDictionary(m => m.Publisher);
        var devices = plan.Devices
            .Select((id, i) =>
            {
                var message = firstMessage[i];
                var site = SiteCatalog.Find(message.Site) ?? new Site(message.Site, message.Site, message.Site, "", SiteKind.Ward, 0, 0, 1, 0);
                return new DeviceSpec(i, id, message.Domain, site, "replay", site.Lat, site.Lon, []);
            })
            .ToList();

        await using var pool = new ConnectionPool(broker, devices, mode, sharedConnections, clientIdPrefix, Stats, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(duration);
        try
        {
            await pool.ConnectAllAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            await output.WriteLineAsync("stopped while connecting");
        }

        if (Stats.Connects == 0)
        {
            await output.WriteLineAsync($"error: cannot connect to mqtt://{broker.Host}:{broker.Port} — is the broker running?");
            return 2;
        }

        using var progressStop = new CancellationTokenSource();
        var progress = new ProgressReporter(Stats, output, isTerminal, progressInterval, time, pool.ConnectionCount, () => pool.InFlight);
        var progressTask = progress.RunAsync(progressStop.Token);
        var started = time.GetTimestamp();
        var sent = 0L;
        try
        {
            foreach (var message in plan.Messages)
            {
                if (maxMessages is { } max && sent >= max)
                {
                    break;
                }

                var wait = message.Due - time.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, deadline.Token);
                }

                var document = new TelemetryDocument(message.Device, message.Timestamp, message.Sequence, message.Values);
                Stats.OnScheduled();
                await pool.PublishAsync(message.Publisher, new OutgoingMessage(topics.Telemetry(message.Domain, message.Site, message.Device), document.ToUtf8Bytes()), 1, deadline.Token);
                sent++;
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync(cancellationToken.IsCancellationRequested ? "stopped (Ctrl-C)" : "stopped at --duration");
        }

        var drained = false;
        using (var drainGuard = new CancellationTokenSource(Fleet.FleetRunner.DrainTimeout + TimeSpan.FromSeconds(5)))
        {
            try
            {
                drained = await pool.DrainAsync(Fleet.FleetRunner.DrainTimeout, drainGuard.Token);
                await pool.CloseAsync(drainGuard.Token);
            }
            catch (OperationCanceledException) when (drainGuard.IsCancellationRequested)
            {
            }
        }

        await progressStop.CancelAsync();
        await progressTask;
        RunSummary.Write(output, Stats, time.GetElapsedTime(started), drained);
        await output.WriteLineAsync(string.Create(c,
            $"replayed {sent:N0} of {plan.Messages.Count:N0} messages ({plan.Messages.Take((int)Math.Min(sent, plan.Messages.Count)).Sum(m => m.Values.Count):N0} of {plan.Points:N0} points)"));
        var complete = sent == plan.Messages.Count && Stats.Acked == sent && Stats.Failed == 0 && Stats.Offline == 0;
        return complete || (maxMessages is { } limit && sent == limit && Stats.Acked == sent) ? 0 : 4;
    }
}
