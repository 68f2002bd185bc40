using System.Net;
using Ingest.Worker.Sinks.Influx;

namespace Ingest.Worker.Tests.Sinks;

public sealed class InfluxV1WriteHandlerTests
{
    [Theory]
    [InlineData("http://db:8086/api/v2/write?org=-&bucket=telemetry&precision=ns", "http://db:8086/write?db=telemetry&precision=n")]
    [InlineData("http://db:8086/api/v2/write?org=-&bucket=telemetry%2Fweek&precision=us", "http://db:8086/write?db=telemetry&rp=week&precision=u")]
    [InlineData("http://db:8086/influx/api/v2/write?org=-&bucket=telemetry&precision=ms", "http://db:8086/influx/write?db=telemetry&precision=ms")]
    [InlineData("http://db:8086/api/v2/write?org=-&bucket=t&precision=s", "http://db:8086/write?db=t&precision=s")]
    public async Task Send_V2Write_RewritesToV1Write(string v2, string expected)
    {
        var inner = new CapturingHandler();
        using var client = new HttpClient(new InfluxV1WriteHandler(null, null) { InnerHandler = inner });
        using var request = new HttpRequestMessage(HttpMethod.Post, v2);
        request.Headers.TryAddWithoutValidation("Authorization", "Token x");

        using var _ = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(expected, inner.Seen!.RequestUri!.ToString());
        Assert.Null(inner.Seen.Headers.Authorization);
    }

    [Fact]
    public async Task Send_WithCredentials_AddsUserAndPasswordParameters()
    {
        var inner = new CapturingHandler();
        using var client = new HttpClient(new InfluxV1WriteHandler("ingest", "s3cret&x") { InnerHandler = inner });

        using var _ = await client.PostAsync(
            new Uri("http://db:8086/api/v2/write?org=-&bucket=telemetry&precision=ns"), null, TestContext.Current.CancellationToken);

        Assert.Equal("http://db:8086/write?db=telemetry&precision=n&u=ingest&p=s3cret%26x", inner.Seen!.RequestUri!.ToString());
    }

    [Fact]
    public async Task Send_OtherPath_PassesThroughUnchanged()
    {
        var inner = new CapturingHandler();
        using var client = new HttpClient(new InfluxV1WriteHandler("u", "p") { InnerHandler = inner });

        using var _ = await client.GetAsync(new Uri("http://db:8086/ping"), TestContext.Current.CancellationToken);

        Assert.Equal("http://db:8086/ping", inner.Seen!.RequestUri!.ToString());
    }

    private sealed class CapturingHandler : HttpMessageHandler
    {
        public HttpRequestMessage? Seen { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen = request;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NoContent));
        }
    }
}
