using System.Diagnostics;
using System.Text;
using Ingest.LoadProbe.Payloads;

namespace Ingest.LoadProbe.Ceilings;

/// <summary>
/// InfluxDB's raw ingest ceiling: the bench readings as pre-built line protocol (exactly what the worker writes), POSTed to
/// 1.x <c>/write?precision=ns</c> in batches of <c>--batch</c> lines by <c>--concurrency</c> writers. Points/s over the
/// whole upload; the stored count is checked afterwards.
/// </summary>
public sealed class InfluxCeiling(ProbeArgs args)
{
    public async Task<Dictionary<string, object?>> RunAsync(CancellationToken cancellationToken)
    {
        var url = new Uri(args.Text("influx-url", "http://127.0.0.1:8086").TrimEnd('/') + "/");
        var db = args.Text("influx-db", "telemetry");
        var points = args.Long("points", 500_000);
        var batchSize = args.Int("batch", 5000);
        var concurrency = args.Int("concurrency", 2);
        var devices = args.Int("devices", 1000);
        var run = args.Text("run-id", Guid.NewGuid().ToString("N")[..8]);
        var timeout = args.Seconds("timeout", 300);
        args.EnsureAllUsed();

        var site = "ceil" + run;
        Console.Error.WriteLine($"influx ceiling: building {points:N0} points ({devices} devices, site {site}) in batches of {batchSize}");
        var batches = new List<byte[]>();
        var sb = new StringBuilder(batchSize * 200);
        var start = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(10);
        var ids = Enumerable.Range(0, devices).Select(i => ReadingFactory.DeviceId(run, i)).ToArray();
        for (long k = 0; k < points; k++)
        {
            var device = (int)(k % devices);
            var seq = k / devices;
            ReadingFactory.AppendLine(sb, ids[device], site, device, start + TimeSpan.FromMilliseconds(seq), seq);
            if ((k + 1) % batchSize == 0 || k == points - 1)
            {
                batches.Add(Encoding.UTF8.GetBytes(sb.ToString()));
                sb.Clear();
            }
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var write = new Uri(url, $"write?db={Uri.EscapeDataString(db)}&precision=ns");
        var next = -1;
        long failures = 0;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var clock = Stopwatch.StartNew();
        var writers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Count && !deadline.IsCancellationRequested)
            {
                using var content = new ByteArrayContent(batches[i]);
                using var response = await http.PostAsync(write, content, deadline.Token);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });
        await Task.WhenAll(writers);
        var elapsed = clock.Elapsed.TotalSeconds;

        var stored = await StoreCount.CountAsync(http, url, db, ReadingFactory.Measurement, site, 0, cancellationToken);
        var rate = points / elapsed;
        Console.Error.WriteLine($"influx ceiling: {points:N0} points in {elapsed:0.00} s = {rate:N0} points/s ({concurrency} writers), stored {stored:N0}, failed batches {failures}");
        return new()
        {
            ["kind"] = "influx-ceiling",
            ["points"] = points,
            ["batch"] = batchSize,
            ["concurrency"] = concurrency,
            ["seconds"] = Math.Round(elapsed, 3),
            ["points_per_s"] = Math.Round(rate),
            ["stored"] = stored,
            ["failed_batches"] = failures,
        };
    }
}
