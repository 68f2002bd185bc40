using DeviceSim.Faults;
using DeviceSim.Generators;
using DeviceSim.Publishing;
using DeviceSim.Reporting;
using Ingest.Contracts;

namespace DeviceSim.Fleet;

/// <summary>
/// Runs a fleet: every device publishes once per interval, the devices' phases spread evenly over the interval, each
/// reading stamped with its scheduled time. One scheduler loop (a priority queue of due times) feeds the connection
/// pool, whose in-flight window pushes back when the broker is slower than the schedule. Faults, when given, are applied
/// to each reading before it is sent. Stops at the run's duration or message count, or on cancellation.
/// </summary>
public sealed class FleetRunner(
    IReadOnlyList<DeviceSpec> devices,
    RunLimits limits,
    int seed,
    ConnectionPool pool,
    RunStats stats,
    TimeProvider time,
    Topics topics,
    FaultInjector? faults = null)
{
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs the schedule; returns normally on cancellation after sending what is due.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var single = new IDeviceGenerator?[devices.Count];
        var gateways = new GatewayGenerator?[devices.Count];
        for (var i = 0; i < devices.Count; i++)
        {
            if (devices[i].IsGateway)
            {
                gateways[i] = GeneratorFactory.CreateGateway(devices[i], seed);
            }
            else
            {
                single[i] = GeneratorFactory.Create(devices[i], seed);
            }
        }

        var start = time.GetUtcNow();
        var end = start + limits.Duration;
        var queue = new PriorityQueue<int, DateTimeOffset>(devices.Count);
        for (var i = 0; i < devices.Count; i++)
        {
            queue.Enqueue(i, start + (limits.Interval * i / devices.Count));
        }

        var stormRandom = new Random(StableHash.Seed(seed, "storms"));
        var storms = new List<Task>();
        var messages = new List<OutgoingMessage>(4);
        try
        {
            while (queue.TryPeek(out var index, out var due) && due < end)
            {
                if (limits.MaxMessages is { } max && stats.Scheduled >= max)
                {
                    break;
                }

                var wait = due - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken);
                }

                queue.Dequeue();
                queue.Enqueue(index, due + limits.Interval);
                if (faults?.IsSilent(index) == true)
                {
                    continue;
                }

                stats.OnScheduled();
                var device = devices[index];
                if (gateways[index] is { } gateway)
                {
                    var batch = gateway.Next(due);
                    await pool.PublishAsync(index, new OutgoingMessage(device.DataTopic(topics), batch.ToUtf8Bytes()), batch.Readings.Count, cancellationToken);
                    continue;
                }

                var document = single[index]!.Next(due);
                if (faults is null)
                {
                    await pool.PublishAsync(index, new OutgoingMessage(device.DataTopic(topics), document.ToUtf8Bytes()), 1, cancellationToken);
                    continue;
                }

                messages.Clear();
                var deviceEvent = faults.Apply(index, document, messages);
                foreach (var message in messages)
                {
                    await pool.PublishAsync(index, message, 1, cancellationToken);
                }

                if (deviceEvent == DeviceEvent.DisconnectStorm)
                {
                    storms.Add(pool.StormAsync(faults.Plan.StormSize, stormRandom, cancellationToken));
                }
            }

            if (faults is not null)
            {
                foreach (var (publisher, message) in faults.TakeHeld())
                {
                    await pool.PublishAsync(publisher, message, 1, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C or the caller's deadline: fall through to let the caller drain and close.
        }

        try
        {
            await Task.WhenAll(storms);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
