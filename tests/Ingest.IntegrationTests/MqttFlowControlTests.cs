using Ingest.IntegrationTests.Infrastructure;
using Ingest.Mqtt;
using MQTTnet;
using MQTTnet.Diagnostics.PacketInspection;
using MQTTnet.Protocol;

namespace Ingest.IntegrationTests;

/// <summary>
/// A consumer through the worker's channel with a bound of 100 un-acknowledged messages, acknowledging each 50 ms after it
/// arrived, never has more than that bound of PUBLISH packets received and not acknowledged — against a real mosquitto,
/// which (2.0.11) stops keeping to the consumer's own Receive Maximum once acknowledgements flow and would otherwise
/// send it the whole backlog at once.
/// </summary>
public sealed class MqttFlowControlTests : IAsyncLifetime
{
    private const int Messages = 2_000;
    private const int Bound = 100;

    private MosquittoServer _mqtt = null!;

    public async ValueTask InitializeAsync() => _mqtt = await MosquittoServer.StartAsync();

    public async ValueTask DisposeAsync() => await _mqtt.DisposeAsync();

    [Fact]
    public async Task ABoundedConsumer_HoldsNoMoreThanItsBound_UnAcknowledged()
    {
        var cancellation = TestContext.Current.CancellationToken;
        int inbound = 0, acknowledged = 0, maxOutstanding = 0;
        var toAcknowledge = System.Threading.Channels.Channel.CreateUnbounded<(MqttApplicationMessageReceivedEventArgs Message, DateTime At)>();

        using var consumer = new MqttClientFactory().CreateMqttClient(new BufferedAdapterFactory(maxUnacknowledged: Bound));
        consumer.InspectPacketAsync += e =>
        {
            // Counted where MQTTnet reads a packet, before its queue: what the client holds, not what it has dispatched.
            if (e.Direction == MqttPacketFlowDirection.Inbound && e.Buffer[0] >> 4 == 3)
            {
                var outstanding = Interlocked.Increment(ref inbound) - Volatile.Read(ref acknowledged);
                InterlockedMax(ref maxOutstanding, outstanding);
            }

            return Task.CompletedTask;
        };
        consumer.ApplicationMessageReceivedAsync += e =>
        {
            e.AutoAcknowledge = false;
            toAcknowledge.Writer.TryWrite((e, DateTime.UtcNow));
            return Task.CompletedTask;
        };
        var acknowledging = Task.Run(
            async () =>
            {
                await foreach (var (message, at) in toAcknowledge.Reader.ReadAllAsync(cancellation))
                {
                    var wait = at.AddMilliseconds(50) - DateTime.UtcNow;
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, cancellation);
                    }

                    // Counted before the PUBACK leaves, so the next PUBLISH it lets in is never counted against it.
                    Interlocked.Increment(ref acknowledged);
                    await message.AcknowledgeAsync(cancellation);
                }
            },
            cancellation);

        await consumer.ConnectAsync(
            new MqttClientOptionsBuilder().WithTcpServer(_mqtt.Host, _mqtt.Port).WithClientId("flow-consumer").WithReceiveMaximum(Bound).Build(),
            cancellation);
        await consumer.SubscribeAsync("flow/#", MqttQualityOfServiceLevel.AtLeastOnce, cancellation);

        await using (var publisher = await TestPublisher.ConnectAsync(_mqtt.Host, _mqtt.Port, "flow-publisher", cancellation))
        {
            await publisher.PublishAllAsync(Enumerable.Range(0, Messages).Select(i => ($"flow/{i % 10}", new byte[100])), window: 1000, cancellation);
        }

        await Eventually.HoldsAsync(
            () => Task.FromResult(Volatile.Read(ref acknowledged) == Messages),
            TimeSpan.FromSeconds(60),
            () => $"acknowledged {acknowledged} of {Messages}, received {inbound}");
        toAcknowledge.Writer.TryComplete();
        await acknowledging;

        Assert.Equal(Messages, inbound);
        Assert.True(maxOutstanding <= Bound, $"{maxOutstanding} messages received and not acknowledged at once, bound {Bound}");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var current = Volatile.Read(ref target); value > current; current = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, current) == current)
            {
                return;
            }
        }
    }
}
