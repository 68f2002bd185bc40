using Ingest.Contracts;
using Ingest.Dashboard.Live;
using Ingest.Dashboard.Tests.Infrastructure;
using Ingest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Dashboard.Tests.Live;

/// <summary>
/// Issue 8's dashboard scale-out: two instances on one real Redis backplane. Each alert on MQTT is relayed by exactly
/// one instance (shared subscription) and reaches the clients of both, once.
/// </summary>
public sealed class BackplaneTests(Servers servers) : IAsyncLifetime
{
    private const int Alerts = 20;
    private RedisServer _redis = null!;
    private DashboardApp _a = null!;
    private DashboardApp _b = null!;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["SignalR:Redis"] = _redis.Configuration,
            ["SignalR:RelayGroup"] = "dash-" + Guid.NewGuid().ToString("N")[..8],
        };
        _a = new DashboardApp(servers, Servers.Database, settings);
        _a.Start();
        _b = new DashboardApp(servers, Servers.Database, settings);
        _b.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Alerts_relayed_by_either_instance_reach_clients_of_both_exactly_once()
    {
        await _a.WaitForLiveFeedAsync();
        await _b.WaitForLiveFeedAsync();
        using var envOnA = await _a.SignInAsync("environment");
        using var envOnB = await _b.SignInAsync("environment");
        using var energyOnA = await _a.SignInAsync("energy");
        await using var clientA = await LiveClient.ConnectAsync(_a, envOnA);
        await using var clientB = await LiveClient.ConnectAsync(_b, envOnB);
        await using var energyA = await LiveClient.ConnectAsync(_a, energyOnA);
        await using var mqtt = await TestMqtt.ConnectAsync(servers);
        var relayedBefore = (A: Relayed(_a), B: Relayed(_b));

        var sent = new List<AlertEvent>();
        for (var i = 0; i < Alerts; i++)
        {
            var alert = TestMqtt.AirAlert(TestDevices.AirLive, "tien-son", DateTimeOffset.UtcNow);
            sent.Add(alert);
            await mqtt.PublishAlertAsync(alert);
        }

        var ids = sent.Select(a => a.AlertId).ToHashSet();
        await Eventually.HoldsAsync(
            () => Task.FromResult(clientA.Alerts.Count(a => ids.Contains(a.AlertId)) >= Alerts && clientB.Alerts.Count(a => ids.Contains(a.AlertId)) >= Alerts),
            TimeSpan.FromSeconds(20),
            () => $"client on A got {clientA.Alerts.Count(a => ids.Contains(a.AlertId))}, on B {clientB.Alerts.Count(a => ids.Contains(a.AlertId))} of {Alerts}");
        await Task.Delay(300, TestContext.Current.CancellationToken); // a duplicate would arrive by now

        var (relayedByA, relayedByB) = (Relayed(_a) - relayedBefore.A, Relayed(_b) - relayedBefore.B);
        TestContext.Current.SendDiagnosticMessage($"{Alerts} alerts: relayed by A {relayedByA}, by B {relayedByB}; client on A got each once, client on B too");
        Assert.All(ids, id => Assert.Single(clientA.Alerts, a => a.AlertId == id));
        Assert.All(ids, id => Assert.Single(clientB.Alerts, a => a.AlertId == id));
        Assert.True(relayedByB > 0, "instance B relayed none: the client on A got everything from A itself");
        Assert.True(relayedByA > 0, "instance A relayed none");
        Assert.True(relayedByA + relayedByB >= Alerts);
        Assert.DoesNotContain(energyA.Alerts, a => a.Domain != Domains.Meter);
    }

    private static long Relayed(DashboardApp app) => app.Services.GetRequiredService<LiveFeed>().Relayed;
}
