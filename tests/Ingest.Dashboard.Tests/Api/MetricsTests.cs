using System.Net;
using Ingest.Dashboard.Tests.Infrastructure;
using Ingest.IntegrationTests.Infrastructure;

namespace Ingest.Dashboard.Tests.Api;

/// <summary>Issue 8: the dashboard's Prometheus endpoint (<c>dashboard_*</c>) and health endpoints, on the real app.</summary>
public sealed class MetricsTests(Servers servers)
{
    [Fact]
    public async Task Metrics_show_hub_connections_open_alerts_devices_and_live_messages_without_sign_in()
    {
        await servers.App.WaitForLiveFeedAsync();
        using var user = await servers.App.SignInAsync("environment");
        await using var client = await LiveClient.ConnectAsync(servers.App, user);
        await using var mqtt = await TestMqtt.ConnectAsync(servers);
        var alert = TestMqtt.AirAlert(TestDevices.AirLive, "tien-son", DateTimeOffset.UtcNow);
        await mqtt.PublishAlertAsync(alert);
        Assert.NotNull(await client.WaitForAsync(a => a.AlertId == alert.AlertId, TimeSpan.FromSeconds(15)));

        using var anonymous = servers.App.Anonymous();
        string text = "";
        await Eventually.HoldsAsync(
            async () =>
            {
                text = await anonymous.GetStringAsync(new Uri("metrics", UriKind.Relative), TestContext.Current.CancellationToken);
                return PrometheusText.Value(text, "dashboard_hub_connections") >= 1 && PrometheusText.Value(text, "dashboard_alerts_open", "domain=\"air\"") >= 1;
            },
            TimeSpan.FromSeconds(10), () => "metrics never showed the connection and the alert: " + text);
        TestContext.Current.SendDiagnosticMessage(string.Join('\n', text.Split('\n').Where(l => l.StartsWith("dashboard_", StringComparison.Ordinal))));

        Assert.True(PrometheusText.Value(text, "dashboard_live_messages_total", "kind=\"alert\"") >= 1);
        Assert.True(PrometheusText.Value(text, "dashboard_devices") >= TestDevices.RegistryCsv.Length - 1, "every registry device is counted in some state");
        Assert.Contains("kestrel_", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri("health/live", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri("health/ready", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);
    }
}
