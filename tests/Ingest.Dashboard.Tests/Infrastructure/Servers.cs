using Ingest.IntegrationTests.Infrastructure;

[assembly: AssemblyFixture(typeof(Ingest.Dashboard.Tests.Infrastructure.Servers))]

namespace Ingest.Dashboard.Tests.Infrastructure;

/// <summary>
/// One mosquitto and one influxd for the whole assembly (the integration suite's own server classes, linked), plus the
/// dashboard itself on a real loopback port, logged-in clients and a line-protocol writer for seeding history.
/// </summary>
public sealed class Servers : IAsyncLifetime
{
    public const string Database = "telemetry";

    public MosquittoServer Mqtt { get; private set; } = null!;

    public InfluxServer Influx { get; private set; } = null!;

    public DashboardApp App { get; private set; } = null!;

    public string RegistryPath { get; } = Path.Combine(Path.GetTempPath(), $"bn-dashboard-registry-{Guid.NewGuid():N}.csv");

    public async ValueTask InitializeAsync()
    {
        Mqtt = await MosquittoServer.StartAsync();
        Influx = await InfluxServer.StartAsync();
        await Influx.CreateDatabaseAsync(Database);
        await File.WriteAllLinesAsync(RegistryPath, TestDevices.RegistryCsv);
        App = new DashboardApp(this, Database);
        App.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Influx.DisposeAsync();
        await Mqtt.DisposeAsync();
        File.Delete(RegistryPath);
    }

    /// <summary>Writes line protocol (millisecond timestamps) into <paramref name="database"/>, as the worker would.</summary>
    public async Task WriteAsync(string database, IEnumerable<string> lines)
    {
        using var http = new HttpClient { BaseAddress = Influx.BaseUri };
        foreach (var chunk in lines.Chunk(5000))
        {
            using var content = new StringContent(string.Join('\n', chunk));
            using var response = await http.PostAsync(new Uri($"write?db={database}&precision=ms", UriKind.Relative), content);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }
}
