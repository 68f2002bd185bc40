using System.Text;
using InfluxDB.Client;
using InfluxDB.Client.Writes;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Sinks.Influx;

/// <summary>
/// One write path for both InfluxDB APIs: line protocol POSTed to <c>/api/v2/write</c> for v2 servers, or through
/// <see cref="InfluxV1WriteHandler"/> to 1.x <c>/write</c>, on the HTTP stack it shares with InfluxDB.Client (ping).
/// Thread-safe; owns its <see cref="HttpClient"/> (InfluxDBClient does not dispose a supplied one).
/// </summary>
public sealed class InfluxWriter : IDisposable
{
    private readonly InfluxSinkOptions _options;
    private readonly HttpClient _http;
    private readonly InfluxDBClient _client;
    private readonly Uri _writeUri;

    public InfluxWriter(IOptions<InfluxSinkOptions> options)
    {
        _options = options.Value;
        HttpMessageHandler handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (_options.Api == InfluxApi.V1)
        {
            handler = new InfluxV1WriteHandler(_options.Username, _options.Password) { InnerHandler = handler };
        }

        _http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var builder = new InfluxDBClientOptions.Builder()
            .Url(_options.Url.ToString())
            .Org(_options.Org)
            .Bucket(_options.EffectiveBucket)
            .TimeOut(_options.Timeout)
            .SetHttpClient(_http);
        if (_options.Api == InfluxApi.V2)
        {
            builder = builder.AuthenticateToken(_options.Token!);
        }

        _client = new InfluxDBClient(builder.Build());
        // The v2 write endpoint, as the client addresses it; for a 1.x server InfluxV1WriteHandler rewrites it to /write.
        _writeUri = new Uri(_options.Url,
            $"api/v2/write?org={Uri.EscapeDataString(_options.Org ?? "")}&bucket={Uri.EscapeDataString(_options.EffectiveBucket)}&precision=ns");
    }

    /// <summary>
    /// Writes line-protocol records (built by <see cref="PointData.ToLineProtocol"/>, nanosecond timestamps) in one request
    /// through <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.
    /// </summary>
    public Task WriteAsync(IReadOnlyList<string> lines, CancellationToken cancellationToken) =>
        lines.Count == 0 ? Task.CompletedTask : WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', lines)), cancellationToken);

    /// <summary>
    /// The one write path: a body of line-protocol lines encoded as UTF-8 (nanosecond timestamps) in one request to the
    /// v2 write endpoint (rewritten for 1.x), within <c>Influx:Timeout</c>. The sink builds its batches as bytes, so no
    /// reading costs a string. A refusal throws InfluxDB.Client's own typed exception for the status
    /// (<see cref="InfluxDB.Client.Core.Exceptions.HttpException.Create(HttpResponseMessage, object)"/>).
    /// </summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, _writeUri) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        if (_options.Api == InfluxApi.V2)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Token", _options.Token);
        }

        using var response = await _http.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            var error = await response.Content.ReadAsStringAsync(timeout.Token);
            throw InfluxDB.Client.Core.Exceptions.HttpException.Create(response, error);
        }
    }

    public Task<bool> PingAsync() => _client.PingAsync();

    /// <summary>v1 only: <c>CREATE DATABASE</c>, which is idempotent in InfluxQL.</summary>
    public async Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        if (_options.Api != InfluxApi.V1 || !_options.CreateDatabase)
        {
            return;
        }

        var form = new Dictionary<string, string> { ["q"] = $"CREATE DATABASE \"{_options.Database.Replace("\"", "\\\"", StringComparison.Ordinal)}\"" };
        if (!string.IsNullOrEmpty(_options.Username))
        {
            form["u"] = _options.Username;
            form["p"] = _options.Password!;
        }

        using var content = new FormUrlEncodedContent(form);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        using var response = await _http.PostAsync(new Uri(_options.Url, "query"), content, timeout.Token);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose()
    {
        _client.Dispose();
        _http.Dispose();
    }
}
