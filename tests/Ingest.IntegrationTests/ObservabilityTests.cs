using System.Net;
using Ingest.Contracts;
using Ingest.IntegrationTests.Infrastructure;

namespace Ingest.IntegrationTests;

/// <summary>
/// Issue 8's operations endpoints on the worker as its own process: Prometheus metrics with plausible values after a
/// run, and readiness that follows InfluxDB going away and coming back.
/// </summary>
public sealed class ObservabilityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Devices = 30;
    private const int PerDevice = 50;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("bn-obs-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private MosquittoServer _mqtt = null!;
    private InfluxServer _influx = null!;

    public async ValueTask InitializeAsync()
    {
        _mqtt = await MosquittoServer.StartAsync();
        _influx = await InfluxServer.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _mqtt.DisposeAsync();
        await _influx.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Metrics_AfterARun_ExposeTheInstrumentsWithPlausibleValues_AndReadinessFollowsInflux()
    {
        var root = WorkerSettings.UniqueName("obs");
        var topics = new Topics(root);
        var fleet = TestFleet.Create(topics, Devices, PerDevice, TestFleet.RecentStart());
        var settings = WorkerSettings.For(_mqtt, _influx.BaseUri, root, root, Path.Combine(_dataDirectory, root));
        await using var worker = new WorkerProcess(settings, Path.Combine(_dataDirectory, $"{root}.log"));
        worker.Start();
        await Eventually.HoldsAsync(async () => await StatusAsync(worker, "/health/ready") == HttpStatusCode.OK, TimeSpan.FromSeconds(30),
            () => $"worker never ready: {worker.Log}");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(worker, "/health/live"));

        // A run with a known shape: valid readings, 7 bad messages, and one device that skips 3 sequence numbers.
        var skipper = new TelemetryDocument("air-gap-0001", TestFleet.RecentStart(), 1, [new(Fields.Pm25, 10.0)]);
        var messages = fleet.Select(f => (f.Topic, f.Payload))
            .Concat(Enumerable.Range(0, 7).Select(i => (topics.Telemetry(Domains.Air, "site-0", "air-e2e-0000"), "{not json"u8.ToArray())))
            .Concat(new[] { 1L, 2, 6 }.Select(seq => (topics.Telemetry(Domains.Air, "site-0", "air-gap-0001"),
                (skipper with { Sequence = seq, Timestamp = skipper.Timestamp!.Value.AddSeconds(seq) }).ToUtf8Bytes())));
        await using (var publisher = await TestPublisher.ConnectAsync(_mqtt.Host, _mqtt.Port, $"pub-{root}", TestContext.Current.CancellationToken))
        {
            await publisher.PublishAllAsync(messages, window: 100, TestContext.Current.CancellationToken);
        }

        var readings = fleet.Count + 3;
        await Eventually.HoldsAsync(async () => PrometheusText.Value(await ScrapeAsync(worker), "ingest_readings_stored_total") >= readings, TimeSpan.FromSeconds(30),
            () => "readings not all stored");
        var metrics = await ScrapeAsync(worker);
        output.WriteLine(string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("ingest_", StringComparison.Ordinal) && !l.Contains("_bucket", StringComparison.Ordinal))));

        Assert.Equal(fleet.Count + 10, PrometheusText.Value(metrics, "ingest_messages_received_total"));
        Assert.Equal(readings, PrometheusText.Value(metrics, "ingest_readings_stored_total"));
        Assert.Equal(7, PrometheusText.Value(metrics, "ingest_messages_quarantined_total", "reason=\"InvalidJson\""));
        Assert.Equal(3, PrometheusText.Value(metrics, "ingest_sequence_gaps_total"));
        Assert.Equal(0, PrometheusText.Value(metrics, "ingest_spool_bytes"));
        Assert.Equal(0, PrometheusText.Value(metrics, "ingest_alerts_spool_bytes"));
        Assert.Equal(1, PrometheusText.Value(metrics, "ingest_influx_available"));
        Assert.Equal(Devices + 1, PrometheusText.Value(metrics, "ingest_devices_seen"));
        var batches = PrometheusText.Value(metrics, "ingest_batch_size_count");
        Assert.InRange(batches, 1, readings);
        Assert.Equal(readings, PrometheusText.Value(metrics, "ingest_batch_size_sum"));
        Assert.Equal(batches, PrometheusText.Value(metrics, "ingest_write_duration_seconds_count"));
        Assert.InRange(PrometheusText.Value(metrics, "ingest_write_duration_seconds_sum") / batches, 0.000_01, 5);
        Assert.Contains("ingest_alerts_open{", metrics, StringComparison.Ordinal);
        Assert.Matches("(?m)^dotnet_gc_collections_total", metrics); // runtime instrumentation

        // InfluxDB away: readiness fails (with the reason), liveness does not; back: ready again.
        await _influx.StopAsync();
        await Eventually.HoldsAsync(async () => await StatusAsync(worker, "/health/ready") == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(15),
            () => "still ready with InfluxDB stopped");
        using var unready = await _http.GetAsync(new Uri(worker.OperationsUrl, "/health/ready"), TestContext.Current.CancellationToken);
        var body = await unready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        output.WriteLine($"InfluxDB stopped: /health/ready 503 {body}");
        Assert.Contains("influxdb", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(worker, "/health/live"));

        await _influx.StartAgainAsync();
        await Eventually.HoldsAsync(async () => await StatusAsync(worker, "/health/ready") == HttpStatusCode.OK, TimeSpan.FromSeconds(20),
            () => "not ready again after InfluxDB returned");
        output.WriteLine("InfluxDB back: /health/ready 200");
    }

    private async Task<HttpStatusCode> StatusAsync(WorkerProcess worker, string path)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri(worker.OperationsUrl, path), TestContext.Current.CancellationToken);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    private Task<string> ScrapeAsync(WorkerProcess worker) =>
        _http.GetStringAsync(new Uri(worker.OperationsUrl, "/metrics"), TestContext.Current.CancellationToken);
}
