namespace DeviceSim.Publishing;

/// <summary>
/// Bounds the publishes awaiting their acknowledgement. <see cref="EnterAsync"/> waits for a free slot (back-pressure on
/// the scheduler instead of an unbounded queue); <see cref="Exit"/> frees it when the PUBACK (or failure) arrives;
/// <see cref="DrainAsync"/> waits until nothing is in flight. Thread-safe.
/// </summary>
public sealed class PublishWindow(int capacity) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(capacity, capacity);
    private int _inFlight;

    public int Capacity { get; } = capacity;

    public int InFlight => Volatile.Read(ref _inFlight);

    public async ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        Interlocked.Increment(ref _inFlight);
    }

    public void Exit()
    {
        Interlocked.Decrement(ref _inFlight);
        _slots.Release();
    }

    /// <summary>Waits until every slot is free again, or the timeout passes; true when drained.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (InFlight > 0)
        {
            if (time.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
        }

        return true;
    }

    public void Dispose() => _slots.Dispose();
}
