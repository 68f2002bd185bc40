using System.Diagnostics;
using Ingest.LoadProbe.Mqtt;
using Ingest.LoadProbe.Payloads;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.LoadProbe.Ceilings;

/// <summary>
/// The broker's QoS 1 ceiling for the bench messages, without the worker: one subscriber (QoS 1, PUBACK on receipt) on the
/// run's topics and publishers sending <c>--messages</c> documents as fast as the in-flight window allows. Reports
/// messages/s delivered (first publish → last receipt) and how many never arrived.
/// </summary>
public sealed class BrokerCeiling(ProbeArgs args)
{
    public async Task<Dictionary<string, object?>> RunAsync(CancellationToken cancellationToken)
    {
        var host = args.Text("host", "127.0.0.1");
        var port = args.Int("port", 1883);
        var messages = args.Long("messages", 200_000);
        var devices = args.Int("devices", 1000);
        var connections = args.Int("connections", 1);
        var window = args.Int("window", 1000);
        var run = args.Text("run-id", Guid.NewGuid().ToString("N")[..8]);
        var timeout = args.Seconds("timeout", 120);
        args.EnsureAllUsed();

        var site = "ceil" + run;
        var ids = Enumerable.Range(0, devices).Select(i => ReadingFactory.DeviceId(run, i)).ToArray();
        var topics = ids.Select(id => $"bn/air/{site}/{id}/telemetry").ToArray();

        long received = 0;
        var lastReceipt = Stopwatch.GetTimestamp();
        var factory = new MqttClientFactory();
        using var subscriber = factory.CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += _ =>
        {
            Interlocked.Increment(ref received);
            Volatile.Write(ref lastReceipt, Stopwatch.GetTimestamp());
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId($"bench-{run}-sub").WithCleanStart(true)
            .WithReceiveMaximum(65535).WithTimeout(TimeSpan.FromSeconds(30)).Build();
        var connected = await subscriber.ConnectAsync(options, cancellationToken);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"broker refused the subscriber: {connected.ResultCode}");
        }

        await subscriber.SubscribeAsync($"bn/air/{site}/#", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        await using var pool = await PublisherPool.ConnectAsync(host, port, connections, window, $"bench-{run}", deadline.Token);
        var payloads = new byte[Math.Min(devices * 4, 8192)][];
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < payloads.Length; i++)
        {
            payloads[i] = ReadingFactory.Document(ids[i % devices], i % devices, now + TimeSpan.FromMilliseconds(i / devices), i / devices, spike: false);
        }

        var started = Stopwatch.GetTimestamp();
        long sent = 0;
        try
        {
            for (; sent < messages; sent++)
            {
                await pool.PublishAsync(topics[sent % devices], payloads[sent % payloads.Length], deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("broker ceiling: time bound reached while publishing");
        }

        await pool.DrainAsync(TimeSpan.FromSeconds(30));
        var publishSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var waitUntil = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Interlocked.Read(ref received) < sent && DateTime.UtcNow < waitUntil)
        {
            await Task.Delay(20, cancellationToken);
        }

        var seconds = Stopwatch.GetElapsedTime(started, Volatile.Read(ref lastReceipt)).TotalSeconds;
        var got = Interlocked.Read(ref received);
        await subscriber.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken);
        var rate = got / Math.Max(seconds, 0.001);
        Console.Error.WriteLine($"broker ceiling: sent {sent:N0} (acked {pool.Acked:N0}, failed {pool.Failed}) in {publishSeconds:0.00} s, received {got:N0} in {seconds:0.00} s = {rate:N0} msgs/s, payload {payloads[0].Length} B");
        return new()
        {
            ["kind"] = "broker-ceiling",
            ["messages"] = sent,
            ["acked"] = pool.Acked,
            ["received"] = got,
            ["lost"] = sent - got,
            ["payload_bytes"] = payloads[0].Length,
            ["connections"] = connections,
            ["window"] = window,
            ["seconds"] = Math.Round(seconds, 3),
            ["msgs_per_s"] = Math.Round(rate),
            ["publish_msgs_per_s"] = Math.Round(sent / publishSeconds),
        };
    }
}
