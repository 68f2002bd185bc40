namespace Ingest.Worker.Alerting.Engine;

/// <summary>
/// A trailing mean over a window, in 48 time slots of (sum, count) so that a 24 h window costs the same memory as a 1 h
/// one. The mean is given only once the data spans enough of the window (<c>minCoverage</c>), so a device that just
/// started does not judge a 24 h limit on ten minutes of data. Readings older than the window are ignored.
/// </summary>
/// <remarks>
/// This runs for every windowed rule of every reading, across thousands of devices whose windows are rarely in the
/// processor's cache, so the common case — a reading in the newest slot, then the mean — touches only this object's
/// fields: the newest slot and the window's totals live here, the closed slots in a ring by slot number. The totals are
/// summed afresh from the ring whenever a new slot begins, so rounding cannot build up.
/// </remarks>
public sealed class RollingWindow(TimeSpan window)
{
    public const int Slots = 48;
    private readonly long _slotTicks = Math.Max(1, window.Ticks / Slots);
    private (long Slot, double Sum, int Count)[]? _closed;
    private long _newest = long.MinValue;
    private double _newestSum;
    private int _newestCount;
    private long _oldest;
    private double _sum;
    private long _count;

    public void Add(DateTimeOffset at, double value)
    {
        var slot = at.UtcTicks / _slotTicks;
        if (slot == _newest)
        {
            (_newestSum, _newestCount) = (_newestSum + value, _newestCount + 1);
        }
        else if (slot > _newest)
        {
            Advance(slot);
            (_newestSum, _newestCount) = (value, 1);
        }
        else if (slot > _newest - Slots)
        {
            // A late reading for a closed slot still in the window. A ring position holding another slot holds an
            // expired one (two slots of one window never share a position).
            ref var closed = ref Ring()[slot % Slots];
            if (closed.Slot != slot)
            {
                closed = (slot, 0, 0);
            }

            closed = (slot, closed.Sum + value, closed.Count + 1);
            _oldest = Math.Min(_oldest, slot);
        }
        else
        {
            return;
        }

        (_sum, _count) = (_sum + value, _count + 1);
    }

    /// <summary>The mean over the window ending at the newest slot, or null while the data spans less than <paramref name="minCoverage"/> of it.</summary>
    public double? Mean(double minCoverage)
    {
        if (_count == 0 || _newest - _oldest + 1 < Math.Ceiling(minCoverage * Slots))
        {
            return null;
        }

        return _sum / _count;
    }

    /// <summary>Closes the newest slot into the ring and starts <paramref name="slot"/>: totals and oldest slot anew.</summary>
    private void Advance(long slot)
    {
        (_sum, _count, _oldest) = (0, 0, slot);
        if (_newest != long.MinValue)
        {
            var ring = Ring();
            ring[_newest % Slots] = (_newest, _newestSum, _newestCount);
            foreach (var (closed, sum, count) in ring)
            {
                if (closed > slot - Slots && closed < slot)
                {
                    (_sum, _count, _oldest) = (_sum + sum, _count + count, Math.Min(_oldest, closed));
                }
            }
        }

        _newest = slot;
    }

    private (long Slot, double Sum, int Count)[] Ring()
    {
        if (_closed is null)
        {
            _closed = new (long, double, int)[Slots];
            Array.Fill(_closed, (long.MinValue, 0, 0));
        }

        return _closed;
    }
}
