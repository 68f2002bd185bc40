using System.Collections.Concurrent;

namespace Ingest.Worker.Pipeline;

/// <summary>Per-device counts of what the sequence numbers reveal about delivery upstream of the worker.</summary>
public sealed record SequenceStats(long Gaps, long Duplicates, long OutOfOrder, long Resets);

/// <summary>
/// Tracks each device's <c>seq</c> to make loss, duplication and reordering upstream of the broker visible.
/// A jump forward counts the skipped numbers as gaps; a number seen again (within a window of the latest 1,024) is a
/// duplicate; an earlier unseen number is out of order and fills its gap; a number far below the latest (or 0/1 after
/// more) is a device restart and starts the count again. Thread-safe per device; called by the decode stage.
/// </summary>
public sealed class SequenceTracker
{
    private const int Window = 1024;
    private readonly ConcurrentDictionary<string, DeviceState> _devices = new(StringComparer.Ordinal);
    private long _gaps;
    private long _duplicates;
    private long _outOfOrder;

    public long TotalGaps => Interlocked.Read(ref _gaps);

    public long TotalDuplicates => Interlocked.Read(ref _duplicates);

    public long TotalOutOfOrder => Interlocked.Read(ref _outOfOrder);

    public int DeviceCount => _devices.Count;

    public void Observe(string deviceId, long sequence)
    {
        var state = _devices.GetOrAdd(deviceId, static _ => new DeviceState());
        lock (state)
        {
            state.Observe(sequence, this);
        }
    }

    public SequenceStats? StatsOf(string deviceId)
    {
        if (!_devices.TryGetValue(deviceId, out var state))
        {
            return null;
        }

        lock (state)
        {
            return new SequenceStats(state.Gaps, state.Duplicates, state.OutOfOrder, state.Resets);
        }
    }

    /// <summary>Devices whose counts changed since the last call, with their current counts (for the health measurement).</summary>
    public List<(string DeviceId, SequenceStats Stats)> TakeChanged()
    {
        var changed = new List<(string, SequenceStats)>();
        foreach (var (id, state) in _devices)
        {
            lock (state)
            {
                if (state.Changed)
                {
                    state.Changed = false;
                    changed.Add((id, new SequenceStats(state.Gaps, state.Duplicates, state.OutOfOrder, state.Resets)));
                }
            }
        }

        return changed;
    }

    private sealed class DeviceState
    {
        private readonly ulong[] _seen = new ulong[Window / 64];
        private long _latest = -1;

        public long Gaps;
        public long Duplicates;
        public long OutOfOrder;
        public long Resets;
        public bool Changed;

        public void Observe(long sequence, SequenceTracker totals)
        {
            if (_latest < 0 || (sequence <= 1 && _latest > 1) || sequence < _latest - (Window * 4))
            {
                if (_latest >= 0)
                {
                    Resets++;
                    Changed = true;
                }

                Array.Clear(_seen);
                _latest = sequence;
                Mark(sequence);
                return;
            }

            if (sequence > _latest)
            {
                var skipped = sequence - _latest - 1;
                if (skipped > 0)
                {
                    Gaps += skipped;
                    Interlocked.Add(ref totals._gaps, skipped);
                    Changed = true;
                }

                for (var s = _latest + 1; s < sequence && s <= _latest + Window; s++)
                {
                    Unmark(s);
                }

                if (sequence - _latest >= Window)
                {
                    Array.Clear(_seen);
                }

                _latest = sequence;
                Mark(sequence);
                return;
            }

            Changed = true;
            if (sequence > _latest - Window && IsMarked(sequence))
            {
                Duplicates++;
                Interlocked.Increment(ref totals._duplicates);
                return;
            }

            OutOfOrder++;
            Interlocked.Increment(ref totals._outOfOrder);
            if (sequence > _latest - Window)
            {
                Mark(sequence);
                if (Gaps > 0)
                {
                    Gaps--;
                    Interlocked.Decrement(ref totals._gaps);
                }
            }
        }

        private void Mark(long sequence) => _seen[Slot(sequence)] |= 1UL << Bit(sequence);

        private void Unmark(long sequence) => _seen[Slot(sequence)] &= ~(1UL << Bit(sequence));

        private bool IsMarked(long sequence) => (_seen[Slot(sequence)] & (1UL << Bit(sequence))) != 0;

        private static int Slot(long sequence) => (int)((sequence % Window) / 64);

        private static int Bit(long sequence) => (int)(sequence % 64);
    }
}
