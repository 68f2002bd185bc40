using System.Net;
using System.Net.Sockets;
using System.Text;
using Ingest.Worker.Decoding;
using Ingest.Worker.Hosting;
using Ingest.Worker.Pipeline;
using Ingest.Worker.Sinks.Influx;
using Ingest.Worker.Sinks.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Worker.Tests.Sinks;

/// <summary>
/// The sink's concurrent writes (<c>Influx:WriteConcurrency</c>), against an HTTP endpoint that answers the two writes in
/// the order a test needs — the one thing a real InfluxDB cannot be made to do on cue. The real server's side (storage,
/// outage, split on 400) is covered by the integration tests, which run with the same default of two writes.
/// </summary>
public sealed class InfluxSinkConcurrencyTests : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"sink-test-{Guid.NewGuid():N}");
    private readonly ScriptedInflux _influx = new();

    [Fact]
    public async Task SecondBatchAnsweredFirst_BothInFlightAtOnce_AcknowledgedInArrivalOrder()
    {
        _influx.Script = async (index, second) =>
        {
            await AnswerFirstAfterSecondAsync(index, second);
            return HttpStatusCode.NoContent;
        };
        await using var sink = await SinkHarness.StartAsync(_influx.Url, _directory);

        await sink.SendAsync(Message("air-1", 1), Message("air-2", 2));

        await Eventually(() => sink.Acknowledged.Count == 2, () => $"acknowledged {sink.Acknowledged.Count} of 2");
        Assert.True(_influx.Overlapped, "the second write was not sent while the first was in flight");
        Assert.Equal(["air-1", "air-2"], sink.Acknowledged);
        Assert.Equal(["air-2", "air-1"], _influx.Answered.Select(DeviceOf));
    }

    [Fact]
    public async Task InfluxAway_ConcurrentBatchesSpooledInArrivalOrder_ReplayedInThatOrder()
    {
        // Both writes fail, the second first; then InfluxDB is back.
        _influx.Script = async (index, second) =>
        {
            await AnswerFirstAfterSecondAsync(index, second);
            return index < 2 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.NoContent;
        };
        await using var sink = await SinkHarness.StartAsync(_influx.Url, _directory);

        await sink.SendAsync(Message("air-1", 1), Message("air-2", 2));

        await Eventually(() => sink.Acknowledged.Count == 2 && sink.Spool.IsEmpty && _influx.Answered.Count == 4,
            () => $"acknowledged {sink.Acknowledged.Count} of 2, spool segments {sink.Spool.SegmentCount}, writes {_influx.Answered.Count}");
        Assert.True(_influx.Overlapped, "the second write was not sent while the first was in flight");
        Assert.Equal(["air-1", "air-2"], sink.Acknowledged);
        // Answered: the two failures (second first), then the replay from the spool, oldest first.
        Assert.Equal(["air-2", "air-1", "air-1", "air-2"], _influx.Answered.Select(DeviceOf));
    }

    /// <summary>
    /// The first write is held until the second arrives (5 s at most: with one write at a time it never does) and is
    /// answered 100 ms after it.
    /// </summary>
    private static async Task AnswerFirstAfterSecondAsync(int index, Task secondArrived)
    {
        if (index == 0)
        {
            await secondArrived.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private static PendingMessage Message(string device, int second) => new(
        new RawMessage($"bn/air/site/{device}/telemetry", Array.Empty<byte>(), null, DateTimeOffset.UtcNow, Delivery.None),
        new ReadingList([
            new Reading("air", device, "site", DateTimeOffset.UnixEpoch.AddSeconds(second), true, null, [new("pm25", 10)], []),
            new Reading("air", device, "site", DateTimeOffset.UnixEpoch.AddSeconds(second + 100), true, null, [new("pm25", 11)], []),
        ]));

    private static string DeviceOf(string body) => body.Split("device=")[1].Split([',', ' '])[0];

    private static async Task Eventually(Func<bool> condition, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, describe());
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _influx.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>The sink and what it needs, from the worker's own registrations: batches of two readings, two writes at once.</summary>
    private sealed class SinkHarness : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _acknowledgements;

        private SinkHarness(ServiceProvider services)
        {
            _services = services;
            _acknowledgements = Tracker.RunAcknowledgementsAsync(_stop.Token);
        }

        public List<string> Acknowledged { get; } = [];

        public DiskSpool Spool => _services.GetRequiredService<DiskSpool>();

        private DeliveryTracker Tracker => _services.GetRequiredService<DeliveryTracker>();

        private InfluxSink Sink => _services.GetRequiredService<InfluxSink>();

        public static async Task<SinkHarness> StartAsync(Uri influx, string directory)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Ingest:DataDirectory"] = directory,
                ["Influx:Url"] = influx.ToString(),
                ["Influx:BatchSize"] = "2",
                ["Influx:FlushInterval"] = "00:00:00.020",
                ["Influx:WriteConcurrency"] = "2",
                ["Influx:MaxRetryAttempts"] = "0",
                ["Influx:MaxBackoff"] = "00:00:00.200",
            }).Build();
            var services = new ServiceCollection()
                .AddSingleton<IConfiguration>(configuration)
                .AddLogging()
                .AddIngestDefaults()
                .AddIngestPipeline()
                .AddInfluxSink()
                .BuildServiceProvider();
            var harness = new SinkHarness(services);
            await harness.Sink.StartAsync(TestContext.Current.CancellationToken);
            return harness;
        }

        /// <summary>Tracks each message as the source would (its acknowledgement records the device) and hands it to the sink.</summary>
        public async Task SendAsync(params PendingMessage[] messages)
        {
            foreach (var message in messages)
            {
                var device = message.Readings[0].DeviceId;
                var delivery = Tracker.Track(_ =>
                {
                    lock (Acknowledged)
                    {
                        Acknowledged.Add(device);
                    }

                    return Task.CompletedTask;
                });
                await _services.GetRequiredService<PipelineChannels>().Sink.Writer.WriteAsync(
                    message with { Message = message.Message with { Delivery = delivery } }, TestContext.Current.CancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _services.GetRequiredService<PipelineChannels>().Sink.Writer.TryComplete();
            await Sink.StopAsync(CancellationToken.None);
            await _stop.CancelAsync();
            await _acknowledgements;
            await _services.DisposeAsync();
            _stop.Dispose();
        }
    }

    /// <summary>
    /// A loopback HTTP endpoint in place of InfluxDB: <c>/query</c> succeeds, each <c>/write</c> is answered as
    /// <see cref="Script"/> says (given the write's index and a task that completes when the second write arrives).
    /// </summary>
    private sealed class ScriptedInflux : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly TaskCompletionSource _second = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _loop;
        private int _writes;
        private int _inFlight;

        public ScriptedInflux()
        {
            var port = FreePort();
            Url = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(Url.ToString());
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public Uri Url { get; }

        public Func<int, Task, Task<HttpStatusCode>> Script { get; set; } = (_, _) => Task.FromResult(HttpStatusCode.NoContent);

        /// <summary>True once two writes were in flight at the same time.</summary>
        public bool Overlapped { get; private set; }

        /// <summary>Bodies of the writes, in the order they were answered.</summary>
        public List<string> Answered { get; } = [];

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(() => AnswerAsync(context));
            }
        }

        private async Task AnswerAsync(HttpListenerContext context)
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            if (context.Request.Url!.AbsolutePath != "/write")
            {
                context.Response.StatusCode = 200;
                context.Response.Close();
                return;
            }

            var index = Interlocked.Increment(ref _writes) - 1;
            if (Interlocked.Increment(ref _inFlight) > 1)
            {
                Overlapped = true;
            }

            if (index == 1)
            {
                _second.TrySetResult();
            }

            var status = await Script(index, _second.Task);
            Interlocked.Decrement(ref _inFlight);
            lock (Answered)
            {
                Answered.Add(body);
            }

            context.Response.StatusCode = (int)status;
            context.Response.Close();
        }

        private static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _loop;
        }
    }
}
