using DeviceSim.Faults;

namespace DeviceSim.Reporting;

/// <summary>Why a connection went down.</summary>
public enum LossReason
{
    /// <summary>The broker or the network closed it.</summary>
    Lost,

    /// <summary>The simulator cut it on purpose (a disconnect storm); the will fired.</summary>
    Cut,

    /// <summary>The run ended and the device said goodbye.</summary>
    Closed,
}

/// <summary>Counters of one run, updated from many tasks (Interlocked), read by the progress line and the summary.</summary>
public sealed class RunStats
{
    private long _scheduled;
    private long _published;
    private long _readings;
    private long _acked;
    private long _failed;
    private long _offline;
    private long _bytes;
    private long _connects;
    private long _connectFailures;
    private long _disconnects;
    private long _drops;
    private int _connected;
    private readonly long[] _faults = new long[Enum.GetValues<FaultKind>().Length];

    /// <summary>Publish → PUBACK.</summary>
    public LatencyHistogram AckLatency { get; } = new();

    public long Scheduled => Interlocked.Read(ref _scheduled);

    /// <summary>Messages handed to the MQTT client.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Device readings in those messages (a gateway batch carries many).</summary>
    public long Readings => Interlocked.Read(ref _readings);

    public long Acked => Interlocked.Read(ref _acked);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Messages not sent because the device's connection was down.</summary>
    public long Offline => Interlocked.Read(ref _offline);

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Connects => Interlocked.Read(ref _connects);

    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    /// <summary>Connections the broker or network closed.</summary>
    public long Disconnects => Interlocked.Read(ref _disconnects);

    /// <summary>Connections the simulator cut on purpose (disconnect storms).</summary>
    public long Drops => Interlocked.Read(ref _drops);

    public int Connected => Volatile.Read(ref _connected);

    public long FaultCount(FaultKind kind) => Interlocked.Read(ref _faults[(int)kind]);

    public void OnScheduled() => Interlocked.Increment(ref _scheduled);

    public void OnPublished(int bytes, int readings)
    {
        Interlocked.Increment(ref _published);
        Interlocked.Add(ref _readings, readings);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void OnAcked(TimeSpan latency)
    {
        Interlocked.Increment(ref _acked);
        AckLatency.Record(latency);
    }

    public void OnFailed() => Interlocked.Increment(ref _failed);

    public void OnOffline() => Interlocked.Increment(ref _offline);

    public void OnConnected()
    {
        Interlocked.Increment(ref _connects);
        Interlocked.Increment(ref _connected);
    }

    public void OnConnectFailed() => Interlocked.Increment(ref _connectFailures);

    /// <summary>A connection that was up went down.</summary>
    public void OnConnectionLost(LossReason reason)
    {
        Interlocked.Decrement(ref _connected);
        if (reason == LossReason.Cut)
        {
            Interlocked.Increment(ref _drops);
        }
        else if (reason == LossReason.Lost)
        {
            Interlocked.Increment(ref _disconnects);
        }
    }

    public void OnFault(FaultKind kind) => Interlocked.Increment(ref _faults[(int)kind]);
}
