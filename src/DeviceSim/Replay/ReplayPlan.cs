using System.Globalization;

namespace DeviceSim.Replay;

/// <summary>
/// A replay file turned into the messages to send: rows with the same device and time become one message (fields in
/// file order; a field repeated for the same device and time keeps its last value), messages ordered by recorded time
/// (ties in file order), each with its due time for the chosen speed and the timestamp it carries.
/// </summary>
public sealed class ReplayPlan
{
    private ReplayPlan(IReadOnlyList<ReplayMessage> messages, IReadOnlyList<string> devices, int rows, TimeSpan shift)
    {
        Messages = messages;
        Devices = devices;
        Rows = rows;
        Shift = shift;
    }

    public IReadOnlyList<ReplayMessage> Messages { get; }

    /// <summary>Distinct devices, in order of first appearance; a message's <see cref="ReplayMessage.Publisher"/> indexes this list.</summary>
    public IReadOnlyList<string> Devices { get; }

    /// <summary>Rows read from the file.</summary>
    public int Rows { get; }

    /// <summary>How far the timestamps were moved (zero unless <see cref="ReplayTimestamps.Shift"/>).</summary>
    public TimeSpan Shift { get; }

    /// <summary>Recorded time from the first to the last reading.</summary>
    public TimeSpan Span => Messages.Count == 0 ? TimeSpan.Zero : Messages[^1].RecordedAt - Messages[0].RecordedAt;

    /// <summary>Points the worker stores for the plan: one per field of each message.</summary>
    public int Points => Messages.Sum(m => m.Values.Count);

    public static ReplayPlan Build(IReadOnlyList<ReplayRow> rows, DeviceResolver resolver, ReplaySpeed speed, ReplayTimestamps timestamps, DateTimeOffset start)
    {
        var groups = new Dictionary<(string Device, DateTimeOffset Time), Group>();
        var order = new List<Group>();
        var devices = new Dictionary<string, (int Index, string Domain, string Site)>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var (domain, site) = resolver.Resolve(row);
            if (!devices.TryGetValue(row.Device, out var device))
            {
                device = (devices.Count, domain, site);
                devices[row.Device] = device;
            }
            else if (device.Domain != domain || device.Site != site)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                    $"line {row.Line}: device '{row.Device}' is {domain}/{site} here but {device.Domain}/{device.Site} earlier"));
            }

            var key = (row.Device, row.Time.ToUniversalTime());
            if (!groups.TryGetValue(key, out var group))
            {
                group = new Group(device.Index, row.Device, domain, site, key.Item2, order.Count);
                groups[key] = group;
                order.Add(group);
            }

            group.Set(row.Field, row.Value);
        }

        var sorted = order.OrderBy(g => g.RecordedAt).ThenBy(g => g.Order).ToList();
        var first = sorted.Count > 0 ? sorted[0].RecordedAt : start;
        var last = sorted.Count > 0 ? sorted[^1].RecordedAt : start;
        // Whole seconds, rounded down: the shifted times keep the file's sub-second digits and never pass the start.
        var shift = timestamps == ReplayTimestamps.Shift
            ? TimeSpan.FromSeconds(Math.Floor((start - last).TotalSeconds))
            : TimeSpan.Zero;
        var sequences = new long[devices.Count];
        var messages = new List<ReplayMessage>(sorted.Count);
        foreach (var g in sorted)
        {
            var due = speed.Due(g.RecordedAt - first);
            var ts = timestamps switch
            {
                ReplayTimestamps.Original => g.RecordedAt,
                ReplayTimestamps.Shift => g.RecordedAt + shift,
                _ => DateTimeOffset.FromUnixTimeMilliseconds((start + due).ToUnixTimeMilliseconds()),
            };
            messages.Add(new ReplayMessage(g.Publisher, g.Device, g.Domain, g.Site, g.RecordedAt, ts, due, ++sequences[g.Publisher], g.Values));
        }

        var names = devices.OrderBy(d => d.Value.Index).Select(d => d.Key).ToList();
        return new ReplayPlan(messages, names, rows.Count, shift);
    }

    private sealed class Group(int publisher, string device, string domain, string site, DateTimeOffset recordedAt, int order)
    {
        private readonly List<KeyValuePair<string, double>> _values = [];

        public int Publisher { get; } = publisher;

        public string Device { get; } = device;

        public string Domain { get; } = domain;

        public string Site { get; } = site;

        public DateTimeOffset RecordedAt { get; } = recordedAt;

        public int Order { get; } = order;

        public IReadOnlyList<KeyValuePair<string, double>> Values => _values;

        public void Set(string field, double value)
        {
            var i = _values.FindIndex(v => v.Key == field);
            if (i >= 0)
            {
                _values[i] = new(field, value);
            }
            else
            {
                _values.Add(new(field, value));
            }
        }
    }
}
