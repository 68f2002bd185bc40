using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Ingest.IntegrationTests.Infrastructure;

/// <summary>One series of an InfluxQL answer: name, tags (with GROUP BY), columns and rows.</summary>
public sealed record InfluxSeries(string Name, IReadOnlyDictionary<string, string> Tags, IReadOnlyList<string> Columns, IReadOnlyList<JsonElement[]> Rows)
{
    public int Column(string name) => Columns.ToList().IndexOf(name);
}

/// <summary>
/// Debian's influxd 1.6.7 on a free loopback port, configured from deploy/local/influxdb.conf.template, with its data in
/// a temporary folder. Can be stopped and started again on the same port and data for outage tests.
/// </summary>
public sealed class InfluxServer : IAsyncDisposable
{
    private readonly ServerProcess _process;
    private readonly HttpClient _http;

    private InfluxServer(string directory, int port)
    {
        DataDirectory = directory;
        Port = port;
        var config = Path.Combine(directory, "influxdb.conf");
        File.WriteAllText(config, RepoPaths.FillTemplate("influxdb.conf.template", new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["RPC_PORT"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["DATA_DIR"] = directory,
        }));
        _process = new ServerProcess("/usr/bin/influxd", Path.Combine(directory, "influxd.log"), "-config", config);
        _http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    public string DataDirectory { get; }

    public static async Task<InfluxServer> StartAsync()
    {
        var server = new InfluxServer(Directory.CreateTempSubdirectory("bn-influx-").FullName, FreePort.Next());
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        _process.Start();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var ping = await _http.GetAsync(new Uri("ping", UriKind.Relative));
                if (ping.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && _process.IsRunning)
            {
            }

            if (DateTime.UtcNow >= deadline || !_process.IsRunning)
            {
                throw new InvalidOperationException($"influxd did not answer /ping: {_process.Tail()}");
            }

            await Task.Delay(100);
        }
    }

    public Task StopAsync() => _process.StopAsync();

    /// <summary>CPU time influxd has used so far (user and kernel).</summary>
    public TimeSpan CpuTime => _process.CpuTime;

    public Task CreateDatabaseAsync(string name) => ExecuteAsync($"CREATE DATABASE \"{name}\"");

    public async Task ExecuteAsync(string influxQl)
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["q"] = influxQl });
        using var response = await _http.PostAsync(new Uri("query", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Runs an InfluxQL query (epoch=ns) and returns its series; an error in the answer throws.</summary>
    public async Task<IReadOnlyList<InfluxSeries>> QueryAsync(string database, string influxQl)
    {
        var uri = new Uri($"query?db={Uri.EscapeDataString(database)}&epoch=ns&q={Uri.EscapeDataString(influxQl)}", UriKind.Relative);
        using var document = await _http.GetFromJsonAsync<JsonDocument>(uri)
            ?? throw new InvalidOperationException("empty answer from /query");
        var result = document.RootElement.GetProperty("results")[0];
        if (result.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"InfluxQL error: {error.GetString()}");
        }

        if (!result.TryGetProperty("series", out var series))
        {
            return [];
        }

        return [.. series.EnumerateArray().Select(s => new InfluxSeries(
            s.GetProperty("name").GetString()!,
            s.TryGetProperty("tags", out var tags) ? tags.EnumerateObject().ToDictionary(t => t.Name, t => t.Value.GetString()!) : new Dictionary<string, string>(),
            [.. s.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!)],
            s.TryGetProperty("values", out var values)
                ? [.. values.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.Clone()).ToArray())]
                : []))];
    }

    /// <summary><c>SELECT count(field) FROM measurement</c>: 0 when there is nothing yet.</summary>
    public async Task<long> CountAsync(string database, string measurement, string field)
    {
        var series = await QueryAsync(database, $"SELECT count(\"{field}\") FROM \"{measurement}\"");
        return series.Count == 0 ? 0 : series[0].Rows[0][1].GetInt64();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
