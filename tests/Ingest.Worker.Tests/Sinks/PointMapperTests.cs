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
    public void ToLineProtocol_TenThousandRandomReadings_ExactlyWhatPointDataWrites()
    {
        var random = new Random(1459);
        string[] alphabet = ["air", "yen phong", "a,b", "k=v", "Yên", "Đuống", "x", "pm2.5", "", "zone", "site", "device", "a", "b", "ü-1", "\\", "q\"t", "tab\t"];
        string Pick() => alphabet[random.Next(alphabet.Length)] + (random.Next(3) == 0 ? alphabet[random.Next(alphabet.Length)] : "");
        double Value() => random.Next(6) switch
        {
            0 => random.NextDouble() * 1000,
            1 => Math.Round(random.NextDouble() * 500, 1),
            2 => -random.NextDouble() * 1e-9,
            3 => random.Next(-5, 5),
            4 => random.NextDouble() * 1e22,
            _ => random.Next(10) == 0 ? double.NaN : random.NextDouble(),
        };
        for (var i = 0; i < 10_000; i++)
        {
            var measurement = Pick();
            var reading = new Reading(
                measurement.Length == 0 ? "air" : measurement, Pick() + "d", Pick() + "s",
                DateTimeOffset.UnixEpoch.AddTicks(random.NextInt64(0, 4_000_000_000_000_000_000L / 100)), true, i,
                [.. Enumerable.Range(0, random.Next(1, 6)).Select(_ => new KeyValuePair<string, double>(Pick() + "f", Value()))],
                [])
            {
                Tags = [.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => new KeyValuePair<string, string>(Pick() + "t", Pick()))],
            };
            if (reading.Values.All(v => !double.IsFinite(v.Value)))
            {
                continue;
            }

            Assert.Equal(LineOf(reading), PointMapper.ToLineProtocol(reading));
        }
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
