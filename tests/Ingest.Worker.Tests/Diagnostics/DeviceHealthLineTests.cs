using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;
using Ingest.Worker.Diagnostics;
using Ingest.Worker.Pipeline;

namespace Ingest.Worker.Tests.Diagnostics;

public sealed class DeviceHealthLineTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 18, 0, 0, 123, TimeSpan.Zero);

    [Theory]
    [InlineData("air-yp-0001", 0, 0, 0, 0)]
    [InlineData("air-yp-0001", 95, 3, 2, 1)]
    [InlineData("meter-bn-12345", 123_456_789_012L, 0, 7, 40)]
    [InlineData("trạm Đuống, số=2", 1, 2, 3, 4)]
    [InlineData("back\\slash\"quote", 5, 0, 0, 1)]
    [InlineData("tab\there", 0, 1, 0, 0)]
    public void DeviceHealthLine_IsWhatPointDataWrites(string device, long gaps, long duplicates, long outOfOrder, long resets)
    {
        var stats = new SequenceStats(gaps, duplicates, outOfOrder, resets);
        var expected = PointData.Measurement(StatusReporter.DeviceHealthMeasurement)
            .Tag("device", device)
            .Field("seq_gaps", (double)gaps)
            .Field("seq_duplicates", (double)duplicates)
            .Field("seq_out_of_order", (double)outOfOrder)
            .Field("seq_resets", (double)resets)
            .Timestamp(Now, WritePrecision.Ns)
            .ToLineProtocol();

        Assert.Equal(expected, StatusReporter.DeviceHealthLine(device, stats, Now));
    }

    [Fact]
    public void DeviceHealthLine_PlainDevice_TagAndFieldsInKeyOrder()
    {
        Assert.Equal(
            "device_health,device=air-yp-0001 seq_duplicates=3,seq_gaps=95,seq_out_of_order=2,seq_resets=1 1795716000123000000",
            StatusReporter.DeviceHealthLine("air-yp-0001", new SequenceStats(95, 3, 2, 1), Now));
    }
}
