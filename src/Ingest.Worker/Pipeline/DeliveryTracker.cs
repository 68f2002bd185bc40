using System.Threading.Channels;

namespace Ingest.Worker.Pipeline;

/// <summary>
/// A message's place in the acknowledgement order; completed once its readings are stored or quarantined. A source
/// derives its own (<see cref="AcknowledgeAsync"/> sends the acknowledgement) and hands it to <see cref="DeliveryTracker.Track{TDelivery}(TDelivery)"/>:
/// one object per message, where a delegate and its closure were two more that lived as long.
/// </summary>
public class Delivery
{
    protected Delivery()
    {
    }

    internal DeliveryTracker? Owner { get; set; }

    internal bool IsCompleted { get; set; }

    /// <summary>A delivery that needs no acknowledgement (tests, replays from the spool).</summary>
    public static Delivery None { get; } = new();

    private Delivery? _parent;
    private int _outstandingParts;

    /// <summary>Sends the acknowledgement; called by the tracker, in arrival order. The base class has none to send.</summary>
    protected internal virtual Task AcknowledgeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

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
            result[i] = new Delivery { _parent = this };
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

    /// <summary>Takes <paramref name="delivery"/> into the order, behind every message tracked before it.</summary>
    public TDelivery Track<TDelivery>(TDelivery delivery)
        where TDelivery : Delivery
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (delivery.Owner is not null || ReferenceEquals(delivery, Delivery.None))
        {
            throw new ArgumentException("the delivery is tracked already", nameof(delivery));
        }

        delivery.Owner = this;
        lock (_gate)
        {
            _pending.Enqueue(delivery);
        }

        return delivery;
    }

    /// <summary>Tracks a message whose acknowledgement is <paramref name="acknowledge"/>.</summary>
    public Delivery Track(Func<CancellationToken, Task> acknowledge) => Track(new CallbackDelivery(acknowledge));

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
                    await delivery.AcknowledgeAsync(cancellationToken);
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
                await delivery.AcknowledgeAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _acknowledgeFailures);
            }
        }
    }
}

/// <summary>A delivery acknowledged by a callback.</summary>
internal sealed class CallbackDelivery(Func<CancellationToken, Task> acknowledge) : Delivery
{
    protected internal override Task AcknowledgeAsync(CancellationToken cancellationToken) => acknowledge(cancellationToken);
}
