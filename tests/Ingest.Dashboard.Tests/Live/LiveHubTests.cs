using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Contracts;
using Ingest.Dashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Ingest.Dashboard.Tests.Live;

/// <summary>MQTT alert topic → live feed → SignalR groups, with real mosquitto and real SignalR connections.</summary>
public sealed class LiveHubTests(Servers servers)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task An_air_alert_reaches_an_environment_client_and_not_an_energy_client()
    {
        await servers.App.WaitForLiveFeedAsync();
        using var envUser = await servers.App.SignInAsync("environment");
        using var energyUser = await servers.App.SignInAsync("energy");
        await using var env = await LiveClient.ConnectAsync(servers.App, envUser);
        await using var energy = await LiveClient.ConnectAsync(servers.App, energyUser);
        await using var mqtt = await TestMqtt.ConnectAsync(servers);

        var air = TestMqtt.AirAlert(TestDevices.AirLive, "tien-son", DateTimeOffset.UtcNow);
        var watch = Stopwatch.StartNew();
        await mqtt.PublishAlertAsync(air);
        var received = await env.WaitForAsync(a => a.AlertId == air.AlertId, Wait);
        TestContext.Current.SendDiagnosticMessage($"MQTT → SignalR (environment): {watch.ElapsedMilliseconds} ms");
        Assert.NotNull(received);
        Assert.Equal(air, received);

        // A meter alert published after it reaches the energy client: by then the air alert would have arrived too.
        var meter = TestMqtt.MeterAlert(TestDevices.Meter, "ninh-xa", DateTimeOffset.UtcNow);
        await mqtt.PublishAlertAsync(meter);
        Assert.NotNull(await energy.WaitForAsync(a => a.AlertId == meter.AlertId, Wait));
        Assert.DoesNotContain(energy.Alerts, a => a.Domain != Domains.Meter);
        Assert.Null(await env.WaitForAsync(a => a.AlertId == meter.AlertId, TimeSpan.FromMilliseconds(300)));

        // Catch-up on (re)connect: the hub's open alerts are filtered the same way.
        var envOpen = await env.Connection.InvokeAsync<List<AlertEvent>>("GetOpenAlerts", TestContext.Current.CancellationToken);
        var energyOpen = await energy.Connection.InvokeAsync<List<AlertEvent>>("GetOpenAlerts", TestContext.Current.CancellationToken);
        Assert.Contains(envOpen, a => a.AlertId == air.AlertId);
        Assert.DoesNotContain(envOpen, a => a.AlertId == meter.AlertId);
        Assert.Contains(energyOpen, a => a.AlertId == meter.AlertId);
        Assert.DoesNotContain(energyOpen, a => a.Domain is Domains.Air or Domains.Water);

        // An energy user cannot watch an air site either.
        Assert.False(await energy.Connection.InvokeAsync<bool>("WatchSite", Domains.Air, "tien-son", TestContext.Current.CancellationToken));
        Assert.True(await env.Connection.InvokeAsync<bool>("WatchSite", Domains.Air, "tien-son", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Acknowledging_publishes_the_acknowledgement_and_updates_every_client()
    {
        await servers.App.WaitForLiveFeedAsync();
        using var first = await servers.App.SignInAsync("environment");
        using var second = await servers.App.SignInAsync("admin");
        await using var other = await LiveClient.ConnectAsync(servers.App, second);
        await using var mqtt = await TestMqtt.ConnectAsync(servers);
        await mqtt.SubscribeAsync(mqtt.Topics.AlertAcknowledge);

        var air = TestMqtt.AirAlert(TestDevices.AirSecond, "yen-phong", DateTimeOffset.UtcNow);
        await mqtt.PublishAlertAsync(air);
        Assert.NotNull(await other.WaitForAsync(a => a.AlertId == air.AlertId, Wait));

        // Without the anti-forgery header the state change is refused.
        using (var forged = await first.Http.PostAsJsonAsync($"api/alerts/{air.AlertId}/ack", new { }, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/alerts/{air.AlertId}/ack") { Content = JsonContent.Create(new { note = "đã cử người kiểm tra" }) };
        request.Headers.Add("X-CSRF-TOKEN", first.CsrfToken);
        using var response = await first.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var update = await other.WaitForAsync(a => a.AlertId == air.AlertId && a.State == AlertState.Acknowledged, Wait);
        Assert.NotNull(update);
        Assert.Equal("environment", update.AcknowledgedBy);
        Assert.NotNull(update.AcknowledgedAt);

        await Ingest.IntegrationTests.Infrastructure.Eventually.HoldsAsync(() => Task.FromResult(!mqtt.Received.IsEmpty), Wait, () => "no acknowledgement on the MQTT command topic");
        var (topic, payload) = mqtt.Received.Single();
        Assert.Equal("bn/commands/alerts/ack", topic);
        var ack = JsonSerializer.Deserialize<AlertAcknowledgement>(payload, AlertJson.Options)!;
        Assert.Equal(air.AlertId, ack.AlertId);
        Assert.Equal("environment", ack.AcknowledgedBy);
        Assert.Equal("đã cử người kiểm tra", ack.Note);

        // The worker's cleared event closes it for everyone.
        await mqtt.PublishAlertAsync(air with { State = AlertState.Cleared, EventAt = DateTimeOffset.UtcNow.AddSeconds(1), ClearedAt = DateTimeOffset.UtcNow.AddSeconds(1) });
        Assert.NotNull(await other.WaitForAsync(a => a.AlertId == air.AlertId && a.State == AlertState.Cleared, Wait));
        using var open = await first.Http.GetFromJsonAsync<JsonDocument>("api/alerts", TestContext.Current.CancellationToken);
        Assert.DoesNotContain(open!.RootElement.EnumerateArray(), a => a.GetProperty("alertId").GetString() == air.AlertId);
    }

    [Fact]
    public async Task An_energy_user_cannot_acknowledge_an_air_alert()
    {
        await servers.App.WaitForLiveFeedAsync();
        using var envUser = await servers.App.SignInAsync("environment");
        await using var env = await LiveClient.ConnectAsync(servers.App, envUser);
        await using var mqtt = await TestMqtt.ConnectAsync(servers);
        var air = TestMqtt.AirAlert(TestDevices.AirLive, "tien-son", DateTimeOffset.UtcNow, severity: Ingest.Contracts.AlertSeverity.Warning);
        await mqtt.PublishAlertAsync(air);
        Assert.NotNull(await env.WaitForAsync(a => a.AlertId == air.AlertId, Wait));

        using var energy = await servers.App.SignInAsync("energy");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/alerts/{air.AlertId}/ack") { Content = JsonContent.Create(new { }) };
        request.Headers.Add("X-CSRF-TOKEN", energy.CsrfToken);
        using var response = await energy.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task The_live_feed_reconnects_after_a_broker_restart()
    {
        await servers.App.WaitForLiveFeedAsync();
        using var envUser = await servers.App.SignInAsync("environment");
        await using var env = await LiveClient.ConnectAsync(servers.App, envUser);

        await servers.Mqtt.StopAsync();
        await servers.Mqtt.StartAgainAsync();
        var watch = Stopwatch.StartNew();
        await servers.App.WaitForLiveFeedAsync();
        TestContext.Current.SendDiagnosticMessage($"live feed back {watch.ElapsedMilliseconds} ms after the broker restarted");

        await using var mqtt = await TestMqtt.ConnectAsync(servers);
        var air = TestMqtt.AirAlert(TestDevices.AirLive, "tien-son", DateTimeOffset.UtcNow);
        await mqtt.PublishAlertAsync(air);
        Assert.NotNull(await env.WaitForAsync(a => a.AlertId == air.AlertId, Wait));
    }
}
