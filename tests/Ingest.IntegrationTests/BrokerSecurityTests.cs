using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Ingest.Contracts;
using Ingest.IntegrationTests.Infrastructure;
using Ingest.Mqtt;
using Ingest.Worker.Sources.Mqtt;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ingest.IntegrationTests;

/// <summary>
/// Issue 8's broker security, on a real mosquitto configured with the password file and ACL that
/// deploy/security/broker-auth.sh generates from a registry, and TLS certificates from deploy/security/dev-certs.sh.
/// </summary>
public sealed class BrokerSecurityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Own = "air-sec-0001";
    private const string Other = "air-sec-0002";
    private const string Site = "tien-son";

    private readonly string _directory = Directory.CreateTempSubdirectory("bn-security-").FullName;
    private readonly string _root = WorkerSettings.UniqueName("sec");
    private MosquittoServer _mqtt = null!;
    private InfluxServer _influx = null!;
    private Dictionary<string, string> _passwords = null!;

    private Topics Topics => new(_root);

    private string Registry => Path.Combine(_directory, "devices.csv");

    private string CaFile => Path.Combine(_directory, "certs", "ca.crt");

    public async ValueTask InitializeAsync()
    {
        await File.WriteAllLinesAsync(Registry, ["id,domain,site,zone,kind,lat,lon", $"{Own},air,{Site},,sensor,21.1,106.0", $"{Other},air,{Site},,sensor,21.1,106.1"]);
        await RunScriptAsync("broker-auth.sh", Registry, Path.Combine(_directory, "auth"), _root);
        await RunScriptAsync("dev-certs.sh", Path.Combine(_directory, "certs"));
        _passwords = File.ReadLines(Path.Combine(_directory, "auth", "credentials.csv")).Skip(1)
            .Select(l => l.Split(',', 3)).ToDictionary(c => c[1], c => c[2]);
        _mqtt = await MosquittoServer.StartSecureAsync(
            Path.Combine(_directory, "auth", "passwd"), Path.Combine(_directory, "auth", "acl"), Path.Combine(_directory, "certs"));
        _influx = await InfluxServer.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _mqtt.DisposeAsync();
        await _influx.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task AnonymousOrWrongPassword_ConnectRefused()
    {
        var (anonymous, anonymousCode) = await ConnectAsync(null, null, tls: false);
        var (wrong, wrongCode) = await ConnectAsync(Own, "not-the-password", tls: true);
        var (right, rightCode) = await ConnectAsync(Own, _passwords[Own], tls: true);
        output.WriteLine($"anonymous: {anonymousCode}; wrong password: {wrongCode}; device's own password over TLS: {rightCode}");

        Assert.False(anonymous.IsConnected);
        Assert.Contains(anonymousCode, new[] { MqttClientConnectResultCode.NotAuthorized, MqttClientConnectResultCode.BadUserNameOrPassword });
        Assert.False(wrong.IsConnected);
        Assert.Contains(wrongCode, new[] { MqttClientConnectResultCode.NotAuthorized, MqttClientConnectResultCode.BadUserNameOrPassword });
        Assert.Equal(MqttClientConnectResultCode.Success, rightCode);
        right.Dispose();
        anonymous.Dispose();
        wrong.Dispose();
    }

    [Fact]
    public async Task Device_PublishingUnderAnotherDevicesTopic_RefusedByTheBroker_AndReadsNothing()
    {
        var received = new ConcurrentQueue<string>();
        var (worker, _) = await ConnectAsync("bn-ingest-worker", _passwords["bn-ingest-worker"], tls: true);
        worker.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        await worker.SubscribeAsync(Topics.TelemetryFilter, MqttQualityOfServiceLevel.AtLeastOnce, TestContext.Current.CancellationToken);

        // Each attempt on a connection of its own: mosquitto may answer a refused publish with a PUBACK reason code or by
        // closing the connection; either way the message must go nowhere.
        var spoofed = await PublishAsOwnAsync(Topics.Telemetry(Domains.Air, Site, Other), Other);
        var wrongDomain = await PublishAsOwnAsync(Topics.Telemetry(Domains.Water, Site, Own), Own);
        var own = await PublishAsOwnAsync(Topics.Telemetry(Domains.Air, Site, Own), Own);
        output.WriteLine($"publish as {Other}: {spoofed}; under another domain: {wrongDomain}; own topic: {own}");

        Assert.Equal("refused: NotAuthorized", spoofed);
        Assert.Equal("refused: NotAuthorized", wrongDomain);
        Assert.Equal("accepted", own);
        await Eventually.HoldsAsync(() => Task.FromResult(received.Contains(Topics.Telemetry(Domains.Air, Site, Own))), TimeSpan.FromSeconds(15), () => "own reading not delivered");

        // The refused ones were sent first; the own reading arriving means they would have arrived by now.
        Assert.Equal([Topics.Telemetry(Domains.Air, Site, Own)], received.ToArray());

        // A device reads nothing. mosquitto 2.0 grants a wildcard subscription and filters each delivery by the ACL's read
        // rules, so the proof is that another device's reading does not reach it.
        var (device, code) = await ConnectAsync(Own, _passwords[Own], tls: false);
        Assert.Equal(MqttClientConnectResultCode.Success, code);
        var deviceReceived = 0;
        device.ApplicationMessageReceivedAsync += _ =>
        {
            Interlocked.Increment(ref deviceReceived);
            return Task.CompletedTask;
        };
        var subscribe = await device.SubscribeAsync(Topics.TelemetryFilter, MqttQualityOfServiceLevel.AtLeastOnce, TestContext.Current.CancellationToken);
        var (other, _) = await ConnectAsync(Other, _passwords[Other], tls: false);
        await other.PublishAsync(Message(Topics.Telemetry(Domains.Air, Site, Other), Other), TestContext.Current.CancellationToken);
        await Eventually.HoldsAsync(() => Task.FromResult(received.Count == 2), TimeSpan.FromSeconds(15), () => "other device's reading not delivered to the worker");
        output.WriteLine($"device subscribing to {Topics.TelemetryFilter}: {subscribe.Items.Single().ResultCode}; messages it received: {Volatile.Read(ref deviceReceived)}");

        Assert.Equal(0, Volatile.Read(ref deviceReceived));
        other.Dispose();
        device.Dispose();
        worker.Dispose();
    }

    private async Task<string> PublishAsOwnAsync(string topic, string deviceId)
    {
        var (device, code) = await ConnectAsync(Own, _passwords[Own], tls: false);
        Assert.Equal(MqttClientConnectResultCode.Success, code);
        using (device)
        {
            try
            {
                var result = await device.PublishAsync(Message(topic, deviceId), TestContext.Current.CancellationToken);
                return result.ReasonCode == MqttClientPublishReasonCode.Success ? "accepted" : $"refused: {result.ReasonCode}";
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException ex)
            {
                return $"disconnected: {ex.GetType().Name}";
            }
        }
    }

    [Fact]
    public async Task Worker_WithItsServiceAccountOverTls_IngestsDevicesReadings()
    {
        var settings = WorkerSettings.For(_mqtt, _influx.BaseUri, _root, _root, Path.Combine(_directory, "worker"));
        settings["Mqtt:Port"] = _mqtt.TlsPort!.Value.ToString(CultureInfo.InvariantCulture);
        settings["Mqtt:UseTls"] = "true";
        settings["Mqtt:CaCertificatePath"] = CaFile;
        settings["Mqtt:Username"] = "bn-ingest-worker";
        settings["Mqtt:Password"] = _passwords["bn-ingest-worker"];
        settings["Mqtt:ClientId"] = "bn-ingest-worker";
        settings["Mqtt:SharedGroup"] = "ingest"; // as deployed (deploy/production): the ACL must allow the shared form too
        settings["Registry:Path"] = Registry;
        await using var worker = await WorkerHost.StartAsync(settings, TestContext.Current.CancellationToken);
        await EndToEndTests.WaitForSubscriptionAsync(worker);

        var start = TestFleet.RecentStart();
        const int PerDevice = 100;
        foreach (var id in new[] { Own, Other })
        {
            var (device, code) = await ConnectAsync(id, _passwords[id], tls: true);
            Assert.Equal(MqttClientConnectResultCode.Success, code);
            for (var k = 0; k < PerDevice; k++)
            {
                var doc = new TelemetryDocument(id, start.AddSeconds(k), k + 1, [new(Fields.Pm25, 20.0 + k), new(Fields.Pm10, 40.0 + k)]);
                var result = await device.PublishAsync(
                    new MqttApplicationMessageBuilder().WithTopic(Topics.Telemetry(Domains.Air, Site, id)).WithPayload(doc.ToUtf8Bytes())
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                    TestContext.Current.CancellationToken);
                Assert.Equal(MqttClientPublishReasonCode.Success, result.ReasonCode);
            }

            device.Dispose();
        }

        await Eventually.HoldsAsync(
            async () => await _influx.CountAsync(_root, Domains.Air, Fields.Pm25) == 2 * PerDevice,
            TimeSpan.FromSeconds(20), () => $"stored {worker.Metrics.WrittenTotal} of {2 * PerDevice}");
        output.WriteLine($"worker over TLS as bn-ingest-worker stored {await _influx.CountAsync(_root, Domains.Air, Fields.Pm25)} readings from 2 devices");

        // An operator watches the dead letters live and can publish nothing.
        var (watcher, watcherCode) = await ConnectAsync("bn-operator", _passwords["bn-operator"], tls: true);
        Assert.Equal(MqttClientConnectResultCode.Success, watcherCode);
        var deadLetters = new ConcurrentQueue<(string Topic, string Payload)>();
        watcher.ApplicationMessageReceivedAsync += e =>
        {
            deadLetters.Enqueue((e.ApplicationMessage.Topic, System.Text.Encoding.UTF8.GetString(e.ApplicationMessage.Payload.ToArray())));
            return Task.CompletedTask;
        };
        await watcher.SubscribeAsync($"{_root}/deadletter/#", MqttQualityOfServiceLevel.AtMostOnce, TestContext.Current.CancellationToken);
        // The device's own topic (the broker lets it through) naming the other device: the worker quarantines it.
        Assert.Equal("accepted", await PublishAsOwnAsync(Topics.Telemetry(Domains.Air, Site, Own), Other));
        await Eventually.HoldsAsync(() => Task.FromResult(!deadLetters.IsEmpty), TimeSpan.FromSeconds(15), () => "no dead letter reached bn-operator");
        var (topic, record) = deadLetters.Single();
        Assert.Equal(Topics.DeadLetter("DeviceIdMismatch"), topic);
        Assert.Contains($"\"topic\":\"{Topics.Telemetry(Domains.Air, Site, Own)}\"", record, StringComparison.Ordinal);

        string published;
        try
        {
            var result = await watcher.PublishAsync(Message(Topics.Telemetry(Domains.Air, Site, Own), Own), TestContext.Current.CancellationToken);
            published = result.ReasonCode == MqttClientPublishReasonCode.Success ? "accepted" : $"refused: {result.ReasonCode}";
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException ex)
        {
            published = $"disconnected: {ex.GetType().Name}";
        }

        output.WriteLine($"bn-operator received {topic}; its own publish: {published}");
        Assert.NotEqual("accepted", published);
        watcher.Dispose();
    }

    [Fact]
    public void BrokerCertificate_ChainsOnlyToItsOwnCa()
    {
        using var ca = X509CertificateLoader.LoadCertificateFromFile(CaFile);
        using var server = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_directory, "certs", "server.crt"));
        using var stranger = CertificateRequestLoader.SelfSigned("CN=localhost");

        Assert.True(MqttClientSecurity.ChainsTo(ca, server, System.Net.Security.SslPolicyErrors.None));
        Assert.False(MqttClientSecurity.ChainsTo(ca, stranger, System.Net.Security.SslPolicyErrors.None));
        Assert.False(MqttClientSecurity.ChainsTo(ca, server, System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    private MqttApplicationMessage Message(string topic, string deviceId) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(new TelemetryDocument(deviceId, TestFleet.RecentStart(), 1, [new(Fields.Pm25, 12.5)]).ToUtf8Bytes())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();

    private async Task<(IMqttClient Client, MqttClientConnectResultCode Code)> ConnectAsync(string? user, string? password, bool tls)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(_mqtt.Host, tls ? _mqtt.TlsPort!.Value : _mqtt.Port)
            .WithClientId($"{user ?? "anon"}-{Guid.NewGuid():N}"[..30])
            .WithSecurity(new MqttSourceOptions { Host = _mqtt.Host, Username = user, Password = password, UseTls = tls, CaCertificatePath = CaFile })
            .Build();
        try
        {
            var result = await client.ConnectAsync(options, TestContext.Current.CancellationToken);
            return (client, result.ResultCode);
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException ex)
        {
            // Some refusals surface as an exception whose message names the CONNACK reason code.
            var code = Enum.GetValues<MqttClientConnectResultCode>().FirstOrDefault(
                c => c != MqttClientConnectResultCode.Success && ex.Message.Contains(c.ToString(), StringComparison.Ordinal),
                MqttClientConnectResultCode.UnspecifiedError);
            return (client, code);
        }
    }

    private static async Task RunScriptAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "deploy", "security", script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{script} failed ({process.ExitCode}): {await error}");
    }

    /// <summary>A self-signed certificate that no CA vouches for.</summary>
    private static class CertificateRequestLoader
    {
        public static X509Certificate2 SelfSigned(string subject)
        {
            using var key = System.Security.Cryptography.ECDsa.Create();
            var request = new CertificateRequest(subject, key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        }
    }
}
