using DeviceSim.Fleet;
using Ingest.Contracts;

namespace DeviceSim.Generators;

/// <summary>
/// One device's readings. <see cref="Next"/> is called with non-decreasing times; the output depends only on the seeded
/// random source given at construction and the sequence of times (no clock inside), so the same seed and schedule always
/// give the same documents. Not thread-safe: one caller per device.
/// </summary>
public interface IDeviceGenerator
{
    DeviceSpec Device { get; }

    /// <summary>The next sequence number this device will send.</summary>
    long NextSequence { get; }

    /// <summary>The device's reading at <paramref name="at"/>, with <c>seq</c> counting up from 1.</summary>
    TelemetryDocument Next(DateTimeOffset at);
}
