using System.Globalization;
using System.Text.Json;

namespace Ingest.IntegrationTests.Infrastructure;

/// <summary>One exported VictoriaMetrics series: labels and samples (millisecond timestamps).</summary>
public sealed record VmSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<double> Values, IReadOnlyList<long> Timestamps);

/// <summary>
/// Debian's victoria-metrics (1.79) on a free loopback port: a real server that accepts InfluxDB's v2 write protocol
/// (<c>/api/v2/write</c>). A line <c>air,device=d1,site=s1 pm25=42.5</c> becomes series <c>air_pm25{device="d1",site="s1"}</c>
/// (measurement_field, tags as labels, no bucket label), stored with millisecond timestamps.
/// </summary>
public sealed class VictoriaMetricsServer : IAsyncDisposable
{
    private readonly ServerProcess _process;
    private readonly HttpClient _http;

    private VictoriaMetricsServer(string directory, int port)
    {
        DataDirectory = directory;
        Port = port;
        _process = new ServerProcess(
            "/usr/bin/victoria-metrics", Path.Combine(directory, "victoria-metrics.log"),
            $"-httpListenAddr=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", $"-storageDataPath={directory}/data",
            "-search.latencyOffset=0s", "-retentionPeriod=100y", "-loggerLevel=WARN");
        _http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    public string DataDirectory { get; }

    public static async Task<VictoriaMetricsServer> StartAsync()
    {
        var server = new VictoriaMetricsServer(Directory.CreateTempSubdirectory("bn-vm-").FullName, FreePort.Next());
        server._process.Start();
        await server._process.WaitForTcpAsync(server.Port, TimeSpan.FromSeconds(20));
        return server;
    }

    /// <summary>Makes recent writes visible to export.</summary>
    public async Task FlushAsync()
    {
        using var response = await _http.GetAsync(new Uri("internal/force_flush", UriKind.Relative));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Every series matching a selector such as <c>{__name__=~"air_.*"}</c>, with all its samples.</summary>
    public async Task<IReadOnlyList<VmSeries>> ExportAsync(string selector)
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["match[]"] = selector });
        using var response = await _http.PostAsync(new Uri("api/v1/export", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
        var result = new List<VmSeries>();
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            result.Add(new VmSeries(
                root.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                [.. root.GetProperty("values").EnumerateArray().Select(v => v.GetDouble())],
                [.. root.GetProperty("timestamps").EnumerateArray().Select(v => v.GetInt64())]));
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
