using System.Text;
using Ingest.Worker.Decoding;
using Ingest.Worker.Enrichment;
using Ingest.Worker.Hosting;
using Ingest.Worker.Pipeline;
using Ingest.Worker.Quarantine;
using Ingest.Worker.Validation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Tests.Decoding;

/// <summary>SenML (with RFC 8428's own examples), line protocol and gateway batches, each checked against the JSON it must equal.</summary>
public sealed class FormatTests
{
    private const string RfcDevice = "urn:dev:ow:10e2073a01080063";
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 11, 0, 0, TimeSpan.Zero);

    private static MessageDecoder CreateSut(ValidationOptions? limits = null, string? registryCsv = null, UnknownDevicePolicy policy = UnknownDevicePolicy.Accept)
    {
        var options = Options.Create(limits ?? new ValidationOptions());
        string? path = null;
        if (registryCsv is not null)
        {
            path = Path.Combine(Path.GetTempPath(), $"registry-{Guid.NewGuid():N}.csv");
            File.WriteAllText(path, registryCsv);
        }

        var registry = new DeviceRegistry(
            Options.Create(new RegistryOptions { Path = path, UnknownDevice = policy }), TimeProvider.System, NullLogger<DeviceRegistry>.Instance);
        if (registry.IsConfigured)
        {
            registry.Reload();
        }

        var json = new PlatformJsonDecoder(options);
        return new MessageDecoder(
            Options.Create(new IngestOptions()), options, json, new GatewayBatchDecoder(json, registry, options), new SenmlDecoder(options),
            new LineProtocolDecoder(options), new ReadingEnricher(registry));
    }

    private static DecodeResult Decode(MessageDecoder sut, string topic, string payload, string? contentType = null) =>
        sut.Decode(new RawMessage(topic, Encoding.UTF8.GetBytes(payload), contentType, Now, Delivery.None));

    private static void AssertReading(Reading reading, string measurement, string device, DateTimeOffset ts, params (string Field, double Value)[] values)
    {
        Assert.Equal(measurement, reading.Measurement);
        Assert.Equal(device, reading.DeviceId);
        Assert.Equal(ts, reading.Timestamp);
        Assert.Equal(values.Select(v => new KeyValuePair<string, double>(v.Field, v.Value)).OrderBy(v => v.Key), reading.Values.OrderBy(v => v.Key));
    }

    [Fact]
    public void Senml_Rfc8428SingleDatapoint_TemperatureNow()
    {
        var result = Decode(CreateSut(), $"bn/air/lab/{RfcDevice}/telemetry", """[{"n":"urn:dev:ow:10e2073a01080063","u":"Cel","v":23.1}]""");

        AssertReading(Assert.Single(result.Readings), "air", RfcDevice, Now, ("temp", 23.1));
    }

    [Fact]
    public void Senml_Rfc8428MultipleDatapoints_OneReading()
    {
        var result = Decode(
            CreateSut(), $"bn/meter/lab/{RfcDevice}/telemetry",
            """[{"bn":"urn:dev:ow:10e2073a01080063:","n":"voltage","u":"V","v":120.1},{"n":"current","u":"A","v":1.2}]""");

        AssertReading(Assert.Single(result.Readings), "meter", RfcDevice, Now, ("voltage", 120.1), ("current", 1.2));
    }

    [Fact]
    public void Senml_Rfc8428MultipleMeasurements_OneReadingPerInstant()
    {
        var sut = CreateSut(new ValidationOptions { MaxPastAge = TimeSpan.FromDays(36500) });
        var result = Decode(
            sut, "bn/meter/lab/urn:dev:ow:10e2073a0108006/telemetry",
            """
            [{"bn":"urn:dev:ow:10e2073a0108006:","bt":1.276020076001e+09,"bu":"A","bver":5,"n":"voltage","u":"V","v":120.1},
             {"n":"current","t":-5,"v":1.2},
             {"n":"current","t":-4,"v":1.3},
             {"n":"current","t":-3,"v":1.4},
             {"n":"current","t":-2,"v":1.5},
             {"n":"current","t":-1,"v":1.6},
             {"n":"current","v":1.7}]
            """);

        Assert.True(result.IsSuccess, result.Detail);
        var t0 = DateTimeOffset.UnixEpoch.AddTicks(12_760_200_760_010_000);
        Assert.Equal(6, result.Readings.Count);
        for (var i = 0; i < 5; i++)
        {
            AssertReading(result.Readings[i], "meter", "urn:dev:ow:10e2073a0108006", t0.AddSeconds(i - 5), ("current", 1.2 + (i / 10.0)));
        }

        AssertReading(result.Readings[5], "meter", "urn:dev:ow:10e2073a0108006", t0, ("voltage", 120.1), ("current", 1.7));
    }

    [Fact]
    public void Senml_Rfc8428ResolvedData_AbsoluteTimes()
    {
        var sut = CreateSut(new ValidationOptions { MaxPastAge = TimeSpan.FromDays(36500) });
        var result = Decode(
            sut, $"bn/meter/lab/{RfcDevice}/telemetry",
            """
            [{"n":"urn:dev:ow:10e2073a01080063:voltage","t":1.276020076e+09,"u":"V","v":120.1},
             {"n":"urn:dev:ow:10e2073a01080063:current","t":1.276020091e+09,"u":"A","v":1.2}]
            """);

        Assert.Equal(2, result.Readings.Count);
        AssertReading(result.Readings[0], "meter", RfcDevice, DateTimeOffset.FromUnixTimeSeconds(1_276_020_076), ("voltage", 120.1));
        AssertReading(result.Readings[1], "meter", RfcDevice, DateTimeOffset.FromUnixTimeSeconds(1_276_020_091), ("current", 1.2));
    }

    [Fact]
    public void Senml_Rfc8428MultipleDataTypes_KeepsOnlyNumbers()
    {
        var result = Decode(
            CreateSut(), $"bn/air/lab/{RfcDevice}/telemetry",
            """
            [{"bn":"urn:dev:ow:10e2073a01080063:","n":"temp","u":"Cel","v":23.1},
             {"n":"label","vs":"Machine Room"},
             {"n":"open","vb":false},
             {"n":"nfc-reader","vd":"aGkgCg"}]
            """);

        AssertReading(Assert.Single(result.Readings), "air", RfcDevice, Now, ("temp", 23.1));
    }

    [Fact]
    public void Senml_GasInPpmAndPowerInWatts_ConvertedToStoredUnits()
    {
        var result = Decode(
            CreateSut(), "bn/air/vsip/air-vs-0001/telemetry",
            """[{"bn":"air-vs-0001/","n":"co","u":"ppm","v":1},{"n":"no2","u":"ppb","v":24.45},{"n":"temp","u":"K","v":300.15}]""");

        var reading = Assert.Single(result.Readings);
        Assert.Equal(1145.6, reading.Values.Single(v => v.Key == "co").Value, 1);
        Assert.Equal(46.006, reading.Values.Single(v => v.Key == "no2").Value, 3);
        Assert.Equal(27.0, reading.Values.Single(v => v.Key == "temp").Value, 9);
    }

    [Theory]
    [InlineData("""[{"bn":"other-device:","n":"temp","v":1}]""", QuarantineReason.DeviceIdMismatch)]
    [InlineData("""[{"n":"pm25","u":"furlongs","v":1}]""", QuarantineReason.UnsupportedUnit)]
    [InlineData("""[{"n":"pm25","v":"12"}]""", QuarantineReason.InvalidValue)]
    [InlineData("""[{"n":"label","vs":"x"}]""", QuarantineReason.NoValues)]
    [InlineData("""[{"n":"pm25","v":1,"t":1e30}]""", QuarantineReason.InvalidTimestamp)]
    [InlineData("""[1,2]""", QuarantineReason.SchemaMismatch)]
    public void Senml_Bad_QuarantinedWithReason(string payload, QuarantineReason expected)
    {
        Assert.Equal(expected, Decode(CreateSut(), "bn/air/vsip/air-vs-0001/telemetry", payload).Reason);
    }

    [Fact]
    public void LineProtocol_SameReadingAsJson_SamePoint()
    {
        var sut = CreateSut();
        var json = Decode(sut, "bn/air/vsip/air-vs-0001/telemetry", """{"id":"air-vs-0001","ts":"2026-11-24T10:59:00Z","values":{"pm25":35.2,"pm10":61}}""");
        var line = Decode(sut, "bn/air/vsip/air-vs-0001/telemetry", "air,device=air-vs-0001,site=vsip,fw=1.2 pm25=35.2,pm10=61i,ok=true,note=\"a, b=c\" 1795517940000000000");

        Assert.Equal(
            Sinks.PointMapperTests.LineOf(Assert.Single(json.Readings)), Sinks.PointMapperTests.LineOf(Assert.Single(line.Readings)));
    }

    [Fact]
    public void LineProtocol_PrecisionFromContentTypeAndEscapes_Parsed()
    {
        var result = Decode(
            CreateSut(), "bn/gw/que-vo/gw-qv-01/batch",
            "# gateway dump\nwater,device=water-qv-0001,site=que\\ vo do=6.5,ph=7.2 1795517940000\nmeter,device=meter-qv-0002 voltage=221.5 1795517941000\n",
            "text/plain; precision=ms");

        Assert.Equal(2, result.Readings.Count);
        AssertReading(result.Readings[0], "water", "water-qv-0001", DateTimeOffset.FromUnixTimeMilliseconds(1_795_517_940_000), ("do", 6.5), ("ph", 7.2));
        Assert.Equal("que vo", result.Readings[0].Site);
        AssertReading(result.Readings[1], "meter", "meter-qv-0002", DateTimeOffset.FromUnixTimeMilliseconds(1_795_517_941_000), ("voltage", 221.5));
        Assert.Equal("que-vo", result.Readings[1].Site);
    }

    [Theory]
    [InlineData("air,device=air-other pm25=1", QuarantineReason.DeviceIdMismatch)]
    [InlineData("water,device=air-vs-0001 do=1", QuarantineReason.SchemaMismatch)]
    [InlineData("air,device=air-vs-0001 pm25=abc", QuarantineReason.InvalidValue)]
    [InlineData("air,device=air-vs-0001 pm25=1 12x", QuarantineReason.InvalidTimestamp)]
    [InlineData("air,device=air-vs-0001 note=\"only text\"", QuarantineReason.NoValues)]
    [InlineData("air,device=air-vs-0001", QuarantineReason.SchemaMismatch)]
    public void LineProtocol_Bad_QuarantinedWithReason(string payload, QuarantineReason expected)
    {
        Assert.Equal(expected, Decode(CreateSut(), "bn/air/vsip/air-vs-0001/telemetry", payload, "text/plain").Reason);
    }

    [Fact]
    public void GatewayBatch_GoodAndBadChildren_KeepsGoodRejectsBad()
    {
        var sut = CreateSut(registryCsv: "id,domain,site,zone,kind,lat,lon\nsensor-17,water,song-cau,Yen Phong,outfall,21.2,106.0\n");
        var payload = """
            {"gw":"gw-yp-01","readings":[
              {"id":"air-yp-0001","ts":"2026-11-24T10:59:00Z","values":{"pm25":35.2}},
              {"id":"sensor-17","ts":"2026-11-24T10:59:00Z","values":{"do":6.1}},
              {"id":"air-yp-0002","ts":"2026-11-24T10:59:00Z","values":{"pm25":"high","pm10":{"x":[1,2]}}},
              {"id":"mystery-1","values":{"x":1}},
              {"id":"meter-yp-0004","ts":1795517940000,"values":{"voltage":229.9}}
            ]}
            """;

        var result = Decode(sut, "bn/gw/yen-phong/gw-yp-01/batch", payload);

        Assert.True(result.IsSuccess, result.Detail);
        Assert.Equal(
            ["air-yp-0001/air/yen-phong", "sensor-17/water/song-cau", "meter-yp-0004/meter/yen-phong"],
            result.Readings.Select(r => $"{r.DeviceId}/{r.Measurement}/{r.Site}"));
        Assert.Contains(new KeyValuePair<string, string>("kind", "outfall"), result.Readings[1].Tags);
        Assert.Equal([QuarantineReason.InvalidValue, QuarantineReason.UnknownDevice], result.Rejections.Select(r => r.Reason));
    }

    [Fact]
    public void GatewayBatch_NaNLiteralInChild_WholeBatchIsInvalidJson()
    {
        // A bare NaN makes the whole payload unreadable JSON: no child can be trusted past it.
        var result = Decode(CreateSut(), "bn/gw/yen-phong/gw-yp-01/batch", """{"gw":"gw-yp-01","readings":[{"id":"air-1","values":{"pm25":NaN}}]}""");

        Assert.Equal(QuarantineReason.NonFiniteValue, result.Reason);
    }

    [Theory]
    [InlineData("""{"gw":"gw-other","readings":[{"id":"air-1","values":{"pm25":1}}]}""", QuarantineReason.DeviceIdMismatch)]
    [InlineData("""{"readings":[{"id":"air-1","values":{"pm25":1}}]}""", QuarantineReason.MissingDeviceId)]
    [InlineData("""{"gw":"gw-yp-01","readings":[]}""", QuarantineReason.NoValues)]
    [InlineData("""{"gw":"gw-yp-01","readings":{}}""", QuarantineReason.SchemaMismatch)]
    public void GatewayBatch_Bad_QuarantinedWithReason(string payload, QuarantineReason expected)
    {
        Assert.Equal(expected, Decode(CreateSut(), "bn/gw/yen-phong/gw-yp-01/batch", payload).Reason);
    }

    [Fact]
    public void Registry_UnknownDeviceWithQuarantinePolicy_Rejected()
    {
        var sut = CreateSut(registryCsv: "id,domain,site\nair-yp-0001,air,yen-phong\n", policy: UnknownDevicePolicy.Quarantine);

        var known = Decode(sut, "bn/air/wrong-site/air-yp-0001/telemetry", """{"id":"air-yp-0001","values":{"pm25":1}}""");
        var unknown = Decode(sut, "bn/air/yen-phong/air-yp-9999/telemetry", """{"id":"air-yp-9999","values":{"pm25":1}}""");
        var wrongDomain = Decode(sut, "bn/water/yen-phong/air-yp-0001/telemetry", """{"id":"air-yp-0001","values":{"do":1}}""");

        Assert.Equal("yen-phong", Assert.Single(known.Readings).Site);
        Assert.Equal(QuarantineReason.UnknownDevice, unknown.Reason);
        Assert.Equal(QuarantineReason.RegistryMismatch, wrongDomain.Reason);
    }
}
