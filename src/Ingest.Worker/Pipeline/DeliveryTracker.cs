using System.Threading.Channels;

namespace Ingest.Worker.Pipeline;

/// <summary>A message's place in the acknowledgement order; completed once its readings are stored or quarantined.</summary>
public sealed class Delivery
{
    internal Delivery(DeliveryTracker? owner, Func<CancellationToken, Task>? acknowledge)
    {
        Owner = owner;
        Acknowledge = acknowledge;
    }

    internal DeliveryTracker? Owner { get; }

    internal Func<CancellationToken, Task>? Acknowledge { get; }

    internal bool IsCompleted { get; set; }

    /// <summary>A delivery that needs no acknowledgement (tests, replays from the spool).</summary>
    public static Delivery None { get; } = new(null, null);

    private Delivery? _parent;
    private int _outstandingParts;

    /// <summary>Marks the message as durably handled; acknowledgements still leave in arrival order.</summary>
    public void Complete()
    {
        if (_parent is { } parent)
        {
            if (Interlocked.Decrement(ref parent._outstandingParts) == 0)
            {
                parent.Complete();
            }

            return;
        }

        Owner?.Complete(this);
    }

    /// <summary>
    /// Splits the delivery into parts that travel separately (a gateway batch whose good children go to storage and bad
    /// ones to quarantine); the message completes when the last part does.
    /// </summary>
    public IReadOnlyList<Delivery> Split(int parts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        _outstandingParts = parts;
        var result = new Delivery[parts];
        for (var i = 0; i < parts; i++)
        {
            result[i] = new Delivery(null, null) { _parent = this };
        }

        return result;
    }
}

/// <summary>
/// Acknowledges messages to the broker in the order they arrived, and only once each is completed.
/// Thread-safe: <see cref="Track"/> is called by the source, <see cref="Delivery.Complete"/> from any stage.
/// A single loop sends the acknowledgements, so a slow ack never blocks a stage.
/// </summary>
public sealed class DeliveryTracker
{
    private readonly Queue<Delivery> _pending = new();
    private readonly Channel<Delivery> _ready = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();

    /// <summary>Messages received and not yet acknowledged.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Failures to acknowledge (the broker redelivers those messages; storage is idempotent).</summary>
    public long AcknowledgeFailures => Interlocked.Read(ref _acknowledgeFailures);

    private long _acknowledgeFailures;

    public Delivery Track(Func<CancellationToken, Task> acknowledge)
    {
        var delivery = new Delivery(this, acknowledge);
        lock (_gate)
        {
            _pending.Enqueue(delivery);
        }

        return delivery;
    }

    internal void Complete(Delivery delivery)
    {
        lock (_gate)
        {
            delivery.IsCompleted = true;
            while (_pending.TryPeek(out var head) && head.IsCompleted)
            {
                _pending.Dequeue();
                _ready.Writer.TryWrite(head);
            }
        }
    }

    /// <summary>Sends acknowledgements in order until cancelled; run by the source for the life of the worker.</summary>
    public async Task RunAcknowledgementsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var delivery in _ready.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await delivery.Acknowledge!(cancellationToken);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // The connection that carried this message is gone; the broker will redeliver it (dup) and
                    // the idempotent write absorbs the copy.
                    Interlocked.Increment(ref _acknowledgeFailures);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Sends whatever is ready now; used on shutdown after the stages have drained.</summary>
    public async Task FlushAcknowledgementsAsync(CancellationToken cancellationToken)
    {
        while (_ready.Reader.TryRead(out var delivery))
        {
            try
            {
                await delivery.Acknowledge!(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _acknowledgeFailures);
            }
        }
    }
}
