using System.Buffers;
using System.Runtime.InteropServices;
using Ingest.IntegrationTests.Infrastructure;
using Ingest.Mqtt;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.IntegrationTests;

/// <summary>
/// The worker keeps each received payload as MQTTnet hands it over, without a copy, until the message is stored or
/// quarantined (<c>MqttSource.PayloadOf</c>). That is sound only while MQTTnet gives every message an array of its own and
/// never reuses it: this holds a few thousand payloads of mixed sizes, received through the worker's channel from a real
/// broker, and checks every byte once all have arrived — a pooled or reused receive buffer would have overwritten some.
/// </summary>
public sealed class MqttPayloadOwnershipTests : IAsyncLifetime
{
    private MosquittoServer _mqtt = null!;

    public async ValueTask InitializeAsync() => _mqtt = await MosquittoServer.StartAsync();

    public async ValueTask DisposeAsync() => await _mqtt.DisposeAsync();

    [Fact]
    public async Task ReceivedPayloads_StayIntact_AfterLaterMessages()
    {
        const int Count = 3_000;
        var cancellation = TestContext.Current.CancellationToken;
        var sent = Enumerable.Range(0, Count).Select(Payload).ToList();
        var held = new ReadOnlySequence<byte>[Count];
        var received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using var consumer = new MqttClientFactory().CreateMqttClient(new BufferedAdapterFactory());
        consumer.ApplicationMessageReceivedAsync += e =>
        {
            var index = int.Parse(e.ApplicationMessage.Topic.AsSpan("ownership/".Length), System.Globalization.CultureInfo.InvariantCulture);
            held[index] = e.ApplicationMessage.Payload;
            if (Interlocked.Increment(ref received) == Count)
            {
                done.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await consumer.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(_mqtt.Host, _mqtt.Port).WithClientId("ownership-consumer").Build(), cancellation);
        await consumer.SubscribeAsync("ownership/#", MqttQualityOfServiceLevel.AtLeastOnce, cancellation);

        await using (var publisher = await TestPublisher.ConnectAsync(_mqtt.Host, _mqtt.Port, "ownership-publisher", cancellation))
        {
            await publisher.PublishAllAsync(sent.Select((p, i) => ($"ownership/{i}", p)), window: 500, cancellation);
        }

        await done.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellation);

        for (var i = 0; i < Count; i++)
        {
            Assert.True(held[i].IsSingleSegment, $"payload {i} arrived in {held[i].Length} bytes over several segments");
            Assert.True(MemoryMarshal.TryGetArray(held[i].First, out var array), $"payload {i} is not backed by an array");
            Assert.True(sent[i].AsSpan().SequenceEqual(held[i].FirstSpan), $"payload {i} changed after it was received");
        }

        // Every payload its own array: two messages sharing one would be one buffer reused.
        var arrays = held.Select(p => MemoryMarshal.TryGetArray(p.First, out var segment) ? segment.Array : null).ToList();
        Assert.Equal(Count, arrays.Distinct(ReferenceEqualityComparer.Instance).Count());
    }

    /// <summary>Sizes from a few bytes to 20 KB, each payload's bytes distinct from its neighbours'.</summary>
    private static byte[] Payload(int index)
    {
        var length = 8 + (index * 7919 % 20_000);
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)(index * 31 + i);
        }

        return bytes;
    }
}
