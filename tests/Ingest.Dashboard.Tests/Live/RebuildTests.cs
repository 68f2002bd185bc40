using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Dashboard.Tests.Infrastructure;

namespace Ingest.Dashboard.Tests.Live;

/// <summary>A dashboard that starts after alerts were raised shows the open ones, rebuilt from InfluxDB's <c>alerts</c> measurement.</summary>
public sealed class RebuildTests(Servers servers)
{
    [Fact]
    public async Task Open_alerts_are_rebuilt_from_the_last_state_per_alert_id()
    {
        var database = "rebuild_" + Guid.NewGuid().ToString("N")[..8];
        await servers.Influx.CreateDatabaseAsync(database);
        var t0 = DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeMilliseconds();
        string Row(string id, string state, long at, string device = TestDevices.AirLive) =>
            $"alerts,domain=air,site=tien-son,device={device},rule=air.pm25.1h,state={state},severity=critical " +
            $"alert_id=\"{id}\",rule_kind=\"threshold\",field=\"pm25\",value=120.5,limit=45,unit=\"µg/m³\",standard=\"QCVN 05:2023/BTNMT\"," +
            $"message=\"PM2.5 over\",message_vi=\"PM2.5 vượt\",acknowledged_by=\"{(state == "acknowledged" ? "minh" : "")}\",raised_at={t0}i {at.ToString(CultureInfo.InvariantCulture)}";
        await servers.WriteAsync(database,
        [
            Row("closed-1", "raised", t0), Row("closed-1", "acknowledged", t0 + 60_000), Row("closed-1", "cleared", t0 + 120_000),
            Row("open-ack-2", "raised", t0 + 1_000, TestDevices.AirSecond), Row("open-ack-2", "acknowledged", t0 + 90_000, TestDevices.AirSecond),
            Row("open-3", "raised", t0 + 2_000),
        ]);

        await using var app = new DashboardApp(servers, database);
        app.Start();
        using var env = await app.SignInAsync("environment");
        using var open = await env.Http.GetFromJsonAsync<JsonDocument>("api/alerts", TestContext.Current.CancellationToken);
        var alerts = open!.RootElement.EnumerateArray().ToDictionary(a => a.GetProperty("alertId").GetString()!);

        Assert.Equal(["open-3", "open-ack-2"], alerts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("acknowledged", alerts["open-ack-2"].GetProperty("state").GetString());
        Assert.Equal("minh", alerts["open-ack-2"].GetProperty("acknowledgedBy").GetString());
        Assert.Equal("raised", alerts["open-3"].GetProperty("state").GetString());
        Assert.Equal(120.5, alerts["open-3"].GetProperty("value").GetDouble());

        // Energy staff see none of them.
        using var energy = await app.SignInAsync("energy");
        using var none = await energy.Http.GetFromJsonAsync<JsonDocument>("api/alerts", TestContext.Current.CancellationToken);
        Assert.Empty(none!.RootElement.EnumerateArray());
    }
}
