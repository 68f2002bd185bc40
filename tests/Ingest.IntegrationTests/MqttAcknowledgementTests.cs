using Ingest.Contracts;
using Ingest.IntegrationTests.Infrastructure;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.IntegrationTests;

/// <summary>
/// The worker acknowledges a QoS 1 delivery by packet id on its own channel (<c>BufferedChannel.Acknowledge</c>) and any
/// other through MQTTnet: messages published at QoS 0, 1 and 2 (delivered at 0, 1 and 1 on the worker's QoS 1
/// subscription) are all stored, and the broker holds none of them for the worker's session afterwards — a worker started
/// on the same session receives nothing again.
/// </summary>
public sealed class MqttAcknowledgementTests() : BrokerAndStoreTest("bn-ack-")
{
    [Fact]
    public async Task MessagesAtEveryQoS_AreStored_AndNoneIsRedeliveredToTheNextSession()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var root = WorkerSettings.UniqueName("ack");
        var fleet = TestFleet.Create(new Topics(root), 3, 100, TestFleet.RecentStart());
        var settings = WorkerSettings.For(Mqtt, Influx.BaseUri, root, root, Path.Combine(DataDirectory, root));

        await using (var worker = await WorkerHost.StartAsync(settings, cancellation))
        {
            await EndToEndTests.WaitForSubscriptionAsync(worker);
            using var publisher = new MqttClientFactory().CreateMqttClient();
            await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(Mqtt.Host, Mqtt.Port).WithClientId($"pub-{root}").Build(), cancellation);
            for (var i = 0; i < fleet.Count; i++)
            {
                var result = await publisher.PublishAsync(
                    new MqttApplicationMessageBuilder()
                        .WithTopic(fleet[i].Topic)
                        .WithPayload(fleet[i].Payload)
                        .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)(i % 3))
                        .Build(),
                    cancellation);
                Assert.True(result.IsSuccess, $"publish {i}: {result.ReasonCode}");
            }

            await Eventually.HoldsAsync(
                async () => await TestFleet.CountStoredAsync(Influx, root) == fleet.Count, TimeSpan.FromSeconds(60),
                () => $"stored {worker.Metrics.WrittenTotal} of {fleet.Count}");
            Assert.Equal(fleet.Count, worker.Metrics.ReceivedTotal);
        }

        await using var next = await WorkerHost.StartAsync(settings, cancellation);
        await EndToEndTests.WaitForSubscriptionAsync(next);
        await Task.Delay(TimeSpan.FromSeconds(2), cancellation);
        Assert.Equal(0, next.Metrics.ReceivedTotal);
    }
}
