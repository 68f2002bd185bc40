using System.Diagnostics;
using Ingest.Mqtt;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.IntegrationTests;

/// <summary>
/// A consumer that does nothing but acknowledge: a persistent session of its own on the same topics as the worker, drained
/// and timed — what the broker and the MQTT client cost for a backlog before any of the worker's own work. Uses the
/// worker's channel (<see cref="BufferedAdapterFactory"/>) so the transport is the same.
/// </summary>
public sealed class BareConsumer(string host, int port, string clientId, string topicFilter)
{
    /// <summary>Creates the session and its subscription, so that what is published from now on waits for it.</summary>
    public async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(Options(cleanStart: true), cancellationToken);
        await client.SubscribeAsync(topicFilter, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
        await client.DisconnectAsync(cancellationToken: cancellationToken);
    }

    /// <summary>Reconnects and times receiving (and acknowledging) <paramref name="count"/> messages; ends the session.</summary>
    public async Task<TimeSpan> DrainAsync(int count, CancellationToken cancellationToken)
    {
        var received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = new MqttClientFactory().CreateMqttClient(new BufferedAdapterFactory());
        client.ApplicationMessageReceivedAsync += _ =>
        {
            if (Interlocked.Increment(ref received) == count)
            {
                done.TrySetResult();
            }

            return Task.CompletedTask;
        };
        var clock = Stopwatch.StartNew();
        await client.ConnectAsync(Options(cleanStart: false), cancellationToken);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        var elapsed = clock.Elapsed;
        await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(0).Build(), cancellationToken);
        return elapsed;
    }

    private MqttClientOptions Options(bool cleanStart)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(clientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(cleanStart)
            .WithSessionExpiryInterval(300)
            .WithReceiveMaximum(65535)
            .Build();

        // The worker's socket buffer too: MQTTnet's default (8 KiB) fixes the TCP window that small, and a 1 MiB message
        // then takes tens of milliseconds to arrive.
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = new Ingest.Worker.Sources.Mqtt.MqttSourceOptions().SocketBufferBytes;
        return options;
    }
}
