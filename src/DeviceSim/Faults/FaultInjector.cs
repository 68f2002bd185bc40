using System.Globalization;
using DeviceSim.Fleet;
using DeviceSim.Publishing;
using Ingest.Contracts;

namespace DeviceSim.Faults;

/// <summary>What the run loop must do to a device after a reading, besides sending its messages.</summary>
public enum DeviceEvent
{
    None,

    /// <summary>Cut <see cref="FaultPlan.StormSize"/> of the live connections.</summary>
    DisconnectStorm,

    /// <summary>Stop publishing for this device (connection kept: no will).</summary>
    Silence,
}

/// <summary>
/// Applies a <see cref="FaultPlan"/> to the readings of devices that publish their own telemetry (gateway batches pass
/// through untouched). Deterministic for a seed and a call sequence; one draw per group per reading (see
/// <see cref="FaultKind"/>). Counts every fault and the readings on which it could have happened, and reports each
/// injected fault to <see cref="Injected"/>. Not thread-safe: call from the run loop only.
/// </summary>
public sealed class FaultInjector
{
    private readonly FaultPlan _plan;
    private readonly Topics _topics;
    private readonly Random _random;
    private readonly IReadOnlyList<DeviceSpec> _devices;
    private readonly Dictionary<string, List<DeviceSpec>> _byDomain;
    private readonly DeviceState?[] _states;
    private readonly long[] _counts = new long[Enum.GetValues<FaultKind>().Length];
    private readonly long[] _opportunities = new long[Enum.GetValues<FaultKind>().Length];
    private int _unknownCounter;

    public FaultInjector(FaultPlan plan, IReadOnlyList<DeviceSpec> devices, Topics topics, int seed)
    {
        plan.Validate();
        _plan = plan;
        _topics = topics;
        _devices = devices;
        _random = new Random(StableHash.Seed(seed, "faults"));
        _states = new DeviceState?[devices.Count];
        _byDomain = devices.Where(d => !d.IsGateway).GroupBy(d => d.Domain).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
    }

    /// <summary>Called for each injected fault (on the run loop's thread).</summary>
    public Action<InjectedFault>? Injected { get; set; }

    public FaultPlan Plan => _plan;

    public long Count(FaultKind kind) => _counts[(int)kind];

    /// <summary>Readings on which <paramref name="kind"/> could have started (not already in that state).</summary>
    public long Opportunities(FaultKind kind) => _opportunities[(int)kind];

    public bool IsSilent(int publisher) => _states[publisher]?.Silent == true;

    /// <summary>
    /// Applies faults to one reading of device <paramref name="publisher"/> and appends the messages to send (none,
    /// one, or several) to <paramref name="output"/>.
    /// </summary>
    public DeviceEvent Apply(int publisher, TelemetryDocument document, List<OutgoingMessage> output)
    {
        var device = _devices[publisher];
        var state = _states[publisher] ??= new DeviceState();
        document = ApplyValueFault(device, state, document);

        var topic = device.DataTopic(_topics);
        var kind = Pick(FaultGroups.Message, _ => true);
        switch (kind)
        {
            case FaultKind.Dropout:
                Report(kind.Value, device.Id, document.Sequence);
                break;
            case FaultKind.Malformed:
                var variant = MalformedPayloads.Variants[_random.Next(MalformedPayloads.Variants.Length)];
                output.Add(new OutgoingMessage(topic, MalformedPayloads.Build(variant, document)));
                Report(kind.Value, device.Id, document.Sequence, variant, MalformedPayloads.ExpectedReason(variant));
                break;
            case FaultKind.UnknownDevice:
                var unknownId = string.Create(CultureInfo.InvariantCulture, $"{device.Domain}-{device.Site.Code}-unk{++_unknownCounter:0000}");
                output.Add(new OutgoingMessage(_topics.Telemetry(device.Domain, device.Site.Id, unknownId), (document with { Id = unknownId }).ToUtf8Bytes()));
                Report(kind.Value, unknownId, document.Sequence, expectedReason: "UnknownDevice");
                break;
            case FaultKind.SpoofedId:
                var victim = OtherDevice(device);
                output.Add(new OutgoingMessage(topic, (document with { Id = victim }).ToUtf8Bytes()));
                Report(kind.Value, device.Id, document.Sequence, expectedReason: "DeviceIdMismatch");
                break;
            case FaultKind.Duplicate:
                var bytes = document.ToUtf8Bytes();
                output.Add(new OutgoingMessage(topic, bytes));
                output.Add(new OutgoingMessage(topic, bytes));
                Report(kind.Value, device.Id, document.Sequence);
                break;
            case FaultKind.OutOfOrder:
                // Held back; it goes out right after the next reading of this device. One already held (two in a
                // row) goes out now rather than being lost.
                if (state.Held is { } earlier)
                {
                    output.Add(earlier);
                }

                state.Held = new OutgoingMessage(topic, document.ToUtf8Bytes());
                Report(kind.Value, device.Id, document.Sequence);
                return DeviceEventFor(device, state);
            case FaultKind.SkewedTimestamp:
                var skew = _random.NextDouble() < 0.5
                    ? TimeSpan.FromMinutes(10 + (_random.NextDouble() * 2870))
                    : -TimeSpan.FromDays(31 + (_random.NextDouble() * 334));
                output.Add(new OutgoingMessage(topic, (document with { Timestamp = document.Timestamp + skew }).ToUtf8Bytes()));
                Report(kind.Value, device.Id, document.Sequence, expectedReason: "TimestampOutOfRange");
                break;
            default:
                output.Add(new OutgoingMessage(topic, document.ToUtf8Bytes()));
                break;
        }

        if (state.Held is { } held && kind != FaultKind.OutOfOrder)
        {
            output.Add(held);
            state.Held = null;
        }

        return DeviceEventFor(device, state);
    }

    /// <summary>Messages still held back for out-of-order delivery (sent at the end of the run so nothing is silently lost).</summary>
    public IEnumerable<(int Publisher, OutgoingMessage Message)> TakeHeld()
    {
        for (var i = 0; i < _states.Length; i++)
        {
            if (_states[i]?.Held is { } held)
            {
                _states[i]!.Held = null;
                yield return (i, held);
            }
        }
    }

    private DeviceEvent DeviceEventFor(DeviceSpec device, DeviceState state)
    {
        var kind = Pick(FaultGroups.Device, k => k != FaultKind.Silent || !state.Silent);
        switch (kind)
        {
            case FaultKind.DisconnectStorm:
                Report(kind.Value, device.Id, null);
                return DeviceEvent.DisconnectStorm;
            case FaultKind.Silent:
                state.Silent = true;
                Report(kind.Value, device.Id, null);
                return DeviceEvent.Silence;
            default:
                return DeviceEvent.None;
        }
    }

    private TelemetryDocument ApplyValueFault(DeviceSpec device, DeviceState state, TelemetryDocument document)
    {
        var kind = Pick(FaultGroups.Value, k => k switch
        {
            FaultKind.Drift => state.DriftLeft == 0,
            FaultKind.Stuck => state.StuckLeft == 0,
            _ => true,
        });
        var main = MainField(device.Domain);
        switch (kind)
        {
            case FaultKind.Spike:
                Report(kind.Value, device.Id, document.Sequence);
                document = Scale(document, main, 5 + (10 * _random.NextDouble()));
                break;
            case FaultKind.Drift:
                state.DriftLeft = 60 + _random.Next(181);
                state.DriftStep = (0.004 + (0.012 * _random.NextDouble())) * (_random.NextDouble() < 0.3 ? -0.5 : 1);
                state.DriftGain = 1;
                Report(kind.Value, device.Id, document.Sequence);
                break;
            case FaultKind.Stuck:
                state.StuckLeft = 30 + _random.Next(91);
                state.StuckValues = document.Values;
                Report(kind.Value, device.Id, document.Sequence);
                break;
            default:
                break;
        }

        if (state.DriftLeft > 0)
        {
            state.DriftLeft--;
            state.DriftGain = Math.Max(0.05, state.DriftGain + state.DriftStep);
            document = Scale(document, main, state.DriftGain);
        }

        if (state.StuckLeft > 0)
        {
            state.StuckLeft--;
            document = document with { Values = state.StuckValues! };
        }

        return document;
    }

    /// <summary>One draw for a group: the kinds' rates are consecutive slices of [0, 1).</summary>
    private FaultKind? Pick(FaultKind[] group, Func<FaultKind, bool> eligible)
    {
        var draw = _random.NextDouble();
        var edge = 0.0;
        FaultKind? picked = null;
        foreach (var kind in group)
        {
            if (!eligible(kind))
            {
                edge += _plan[kind];
                continue;
            }

            _opportunities[(int)kind]++;
            var rate = _plan[kind];
            if (picked is null && draw >= edge && draw < edge + rate)
            {
                picked = kind;
            }

            edge += rate;
        }

        return picked;
    }

    private void Report(FaultKind kind, string deviceId, long? sequence, MalformedVariant? variant = null, string? expectedReason = null)
    {
        _counts[(int)kind]++;
        Injected?.Invoke(new InjectedFault(kind, deviceId, sequence, variant, expectedReason));
    }

    private string OtherDevice(DeviceSpec device)
    {
        var peers = _byDomain[device.Domain];
        if (peers.Count > 1)
        {
            var other = peers[_random.Next(peers.Count - 1)];
            return other.Id == device.Id ? peers[^1].Id : other.Id;
        }

        // A lone device spoofs a neighbour that merely looks real.
        return device.Id + "-x";
    }

    private static string MainField(string domain) => domain switch
    {
        Domains.Air => Fields.Pm25,
        Domains.Water => Fields.Nh4,
        _ => Fields.Power,
    };

    private static TelemetryDocument Scale(TelemetryDocument document, string field, double factor)
    {
        var values = new KeyValuePair<string, double>[document.Values.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var (name, value) = document.Values[i];
            values[i] = new(name, name == field ? Math.Round(value * factor, 3) : value);
        }

        return document with { Values = values };
    }

    private sealed class DeviceState
    {
        public int DriftLeft { get; set; }

        public double DriftStep { get; set; }

        public double DriftGain { get; set; } = 1;

        public int StuckLeft { get; set; }

        public IReadOnlyList<KeyValuePair<string, double>>? StuckValues { get; set; }

        public OutgoingMessage? Held { get; set; }

        public bool Silent { get; set; }
    }
}
