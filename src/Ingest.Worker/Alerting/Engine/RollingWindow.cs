namespace Ingest.Worker.Alerting.Engine;

/// <summary>
/// A trailing mean over a window, in 48 time slots of (sum, count) so that a 24 h window costs the same memory as a 1 h
/// one. The mean is given only once the data spans enough of the window (<c>minCoverage</c>), so a device that just
/// started does not judge a 24 h limit on ten minutes of data. Readings older than the window are ignored.
/// </summary>
public sealed class RollingWindow(TimeSpan window)
{
    public const int Slots = 48;
    private readonly long _slotTicks = Math.Max(1, window.Ticks / Slots);
    private readonly List<(long Slot, double Sum, int Count)> _slots = new(Slots + 1);

    // The window's total, kept as readings come (the mean is asked for after every reading) and summed afresh from the
    // slots whenever some expire, so rounding cannot build up.
    private double _sum;
    private long _count;

    public void Add(DateTimeOffset at, double value)
    {
        // Plain loops, no lambdas: this runs for every windowed rule of every reading.
        var slot = at.UtcTicks / _slotTicks;
        var newest = _slots.Count == 0 ? long.MinValue : _slots[^1].Slot;
        if (slot > newest)
        {
            _slots.Add((slot, value, 1));
            (_sum, _count) = (_sum + value, _count + 1);
        }
        else if (slot > newest - Slots)
        {
            (_sum, _count) = (_sum + value, _count + 1);
            var i = _slots.Count - 1;
            while (i >= 0 && _slots[i].Slot > slot)
            {
                i--;
            }

            if (i >= 0 && _slots[i].Slot == slot)
            {
                _slots[i] = (slot, _slots[i].Sum + value, _slots[i].Count + 1);
            }
            else
            {
                _slots.Insert(i + 1, (slot, value, 1));
            }
        }

        // Slots are in ascending order: the expired ones are a prefix.
        var oldest = Math.Max(slot, newest) - Slots;
        var expired = 0;
        while (expired < _slots.Count && _slots[expired].Slot <= oldest)
        {
            expired++;
        }

        if (expired > 0)
        {
            _slots.RemoveRange(0, expired);
            (_sum, _count) = (0, 0);
            foreach (var s in _slots)
            {
                (_sum, _count) = (_sum + s.Sum, _count + s.Count);
            }
        }
    }

    /// <summary>The mean over the window ending at the newest slot, or null while the data spans less than <paramref name="minCoverage"/> of it.</summary>
    public double? Mean(double minCoverage)
    {
        if (_slots.Count == 0 || _slots[^1].Slot - _slots[0].Slot + 1 < Math.Ceiling(minCoverage * Slots))
        {
            return null;
        }

        return _count == 0 ? null : _sum / _count;
    }
}
