using Ingest.Contracts;

namespace Ingest.Worker.Tests.Contracts;

public sealed class TopicsTests
{
    [Theory]
    [InlineData("bn/air/tien-son/air-ts-0001/telemetry", TopicKind.Telemetry, "air", "tien-son", "air-ts-0001")]
    [InlineData("bn/meter/kinh-bac/m-0042/status", TopicKind.Status, "meter", "kinh-bac", "m-0042")]
    [InlineData("bn/gw/vsip/gw-01/batch", TopicKind.GatewayBatch, "gw", "vsip", "gw-01")]
    public void TryParse_SchemeTopic_ReturnsParts(string topic, TopicKind kind, string domain, string site, string device)
    {
        var sut = new Topics();

        Assert.True(sut.TryParse(topic, out var parsed));
        Assert.Equal(new DeviceTopic(kind, domain, site, device), parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bn")]
    [InlineData("bn/air/site/dev")]
    [InlineData("bn/air/site/dev/telemetry/extra")]
    [InlineData("bn/air/site/dev/other")]
    [InlineData("bn/air/site/dev/batch")]
    [InlineData("bnx/air/site/dev/telemetry")]
    [InlineData("bn//site/dev/telemetry")]
    public void TryParse_OutsideScheme_ReturnsFalse(string topic)
    {
        Assert.False(new Topics().TryParse(topic, out _));
    }

    [Fact]
    public void Build_ThenParse_RoundTrips()
    {
        var sut = new Topics("city");

        Assert.True(sut.TryParse(sut.Telemetry("water", "song-cau", "wq-01"), out var parsed));
        Assert.Equal("city/+/+/+/telemetry", sut.TelemetryFilter);
        Assert.Equal(new DeviceTopic(TopicKind.Telemetry, "water", "song-cau", "wq-01"), parsed);
    }
}
