using DeviceSim.Fleet;
using Ingest.Contracts;

namespace DeviceSim.Generators;

/// <summary>Shared bookkeeping: sequence numbers, elapsed time between readings, AR(1) noise and device health fields.</summary>
public abstract class GeneratorBase(DeviceSpec device, Random random) : IDeviceGenerator
{
    private DateTimeOffset? _last;
    private double _rssiNoise;

    public DeviceSpec Device { get; } = device;

    public long NextSequence { get; private set; } = 1;

    protected Random Random { get; } = random;

    public TelemetryDocument Next(DateTimeOffset at)
    {
        var elapsed = _last is { } last && at > last ? at - last : TimeSpan.Zero;
        _last = at;
        var values = new List<KeyValuePair<string, double>>(12);
        var flags = new List<string>(1);
        Generate(at, elapsed, values, flags);
        _rssiNoise = Ar1(_rssiNoise, 0.95, 1.2);
        values.Add(new(Fields.Rssi, Signals.Round(Math.Clamp(RssiBase + _rssiNoise, -115, -45), 0)));
        return new TelemetryDocument(Device.Id, at, NextSequence++, values, flags.Count == 0 ? null : flags);
    }

    /// <summary>Typical received signal strength for this kind of device, in dBm.</summary>
    protected virtual double RssiBase => -78;

    /// <summary>Appends this reading's values (and flags) for time <paramref name="at"/>, <paramref name="elapsed"/> after the previous one.</summary>
    protected abstract void Generate(DateTimeOffset at, TimeSpan elapsed, List<KeyValuePair<string, double>> values, List<string> flags);

    /// <summary>One step of an AR(1) process with the given persistence and innovation scale.</summary>
    protected double Ar1(double previous, double persistence, double scale) =>
        (persistence * previous) + (scale * Math.Sqrt(1 - (persistence * persistence)) * Signals.Gaussian(Random));
}
