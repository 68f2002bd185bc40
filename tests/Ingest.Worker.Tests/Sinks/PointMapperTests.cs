using InfluxDB.Client.Core.Exceptions;
using Ingest.Worker.Decoding;
using Ingest.Worker.Sinks.Influx;

namespace Ingest.Worker.Tests.Sinks;

public sealed class PointMapperTests
{
    internal static string LineOf(Reading reading) => PointMapper.ToPoint(reading).ToLineProtocol();

    [Fact]
    public void ToPoint_Reading_MeasurementTagsFloatFieldsAndNanosecondTimestamp()
    {
        var reading = new Reading(
            "air", "air-yp-0001", "yen-phong", new DateTimeOffset(2026, 11, 24, 11, 0, 0, 123, TimeSpan.Zero), true, 42,
            [new("pm25", 35.2), new("rh", 71)], [])
        {
            Tags = [new("zone", "Yên Phong 1")],
        };

        var line = PointMapper.ToPoint(reading).ToLineProtocol();

        Assert.Equal(@"air,device=air-yp-0001,site=yen-phong,zone=Yên\ Phong\ 1 pm25=35.2,rh=71 1795518000123000000", line);
    }

    [Fact]
    public void ToPoint_SameReadingTwice_SameIdentity()
    {
        var ts = new DateTimeOffset(2026, 11, 24, 11, 0, 0, TimeSpan.Zero);
        var a = new Reading("meter", "m-1", "kinh-bac", ts, true, 1, [new("voltage", 221.5)], []);
        var b = a with { Sequence = 1 };

        Assert.Equal(PointMapper.ToPoint(a).ToLineProtocol(), PointMapper.ToPoint(b).ToLineProtocol());
    }

    [Theory]
    [InlineData(typeof(HttpRequestException), true)]
    [InlineData(typeof(TimeoutException), false)]
    [InlineData(typeof(IOException), true)]
    public void IsTransient_ExceptionKinds_Classified(Type type, bool expected)
    {
        var exception = (Exception)Activator.CreateInstance(type)!;

        Assert.Equal(expected, InfluxResilience.IsTransient(exception));
    }

    [Fact]
    public void IsTransient_BadRequest_IsNotRetried()
    {
        Assert.False(InfluxResilience.IsTransient(new BadRequestException("partial write: field type conflict", null!)));
        Assert.True(InfluxResilience.IsTransient(new HttpException("unavailable", 503, null!)));
    }
}
