using Ingest.Mqtt;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.LoadProbe.Mqtt;

/// <summary>
/// A few MQTT connections that publish at QoS 1 with a bounded number of publishes awaiting PUBACK (the window): when the
/// window is full, <see cref="PublishAsync"/> waits, so a broker (or a consumer behind it) that cannot keep up slows the
/// schedule down instead of piling up tasks. Counts acknowledgements and failures.
/// </summary>
public sealed class PublisherPool : IAsyncDisposable
{
    /// <summary>Socket buffers of each connection (MQTTnet's default, 8 KiB, keeps the kernel's buffers that small).</summary>
    public const int SocketBufferBytes = 1024 * 1024;

    private readonly List<IMqttClient> _clients = [];
    private readonly SemaphoreSlim _window;
    private readonly int _windowSize;
    private long _acked;
    private long _failed;
    private long _next;

    private PublisherPool(int window)
    {
        _windowSize = window;
        _window = new SemaphoreSlim(window, window);
    }

    public long Acked => Interlocked.Read(ref _acked);

    public long Failed => Interlocked.Read(ref _failed);

    public static async Task<PublisherPool> ConnectAsync(string host, int port, int connections, int window, string clientPrefix, CancellationToken cancellationToken)
    {
        var pool = new PublisherPool(window);
        var factory = new MqttClientFactory();
        for (var i = 0; i < connections; i++)
        {
            var client = factory.CreateMqttClient(new BufferedAdapterFactory());
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer(host, port)
                .WithClientId($"{clientPrefix}-pub{i}")
                .WithCleanStart(true)
                .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
                .WithTimeout(TimeSpan.FromSeconds(30))
                .Build();
            ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = SocketBufferBytes;
            var result = await client.ConnectAsync(options, cancellationToken);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new InvalidOperationException($"broker refused publisher {i}: {result.ResultCode}");
            }

            pool._clients.Add(client);
        }

        return pool;
    }

    /// <summary>Starts one QoS 1 publish; returns once it holds a place in the window (not when it is acknowledged).</summary>
    public async ValueTask PublishAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        await _window.WaitAsync(cancellationToken);
        var client = _clients[(int)(Interlocked.Increment(ref _next) % _clients.Count)];
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        _ = CompleteAsync(client.PublishAsync(message, cancellationToken));
    }

    private async Task CompleteAsync(Task<MqttClientPublishResult> publish)
    {
        try
        {
            var result = await publish;
            if ((int)result.ReasonCode < 0x80)
            {
                Interlocked.Increment(ref _acked);
            }
            else
            {
                Interlocked.Increment(ref _failed);
            }
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
            Interlocked.Increment(ref _failed);
        }
        finally
        {
            _window.Release();
        }
    }

    /// <summary>Waits until every publish has its PUBACK (or failed), at most <paramref name="timeout"/>.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_window.CurrentCount < _windowSize)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(5);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            try
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                // Closing anyway.
            }

            client.Dispose();
        }

        _window.Dispose();
    }
}
