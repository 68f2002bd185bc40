using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Dashboard.Tests.Infrastructure;

namespace Ingest.Dashboard.Tests.Api;

/// <summary>Today's energy per meter (since local midnight, UTC+7) and its outage/tamper alerts, and a site's load curve.</summary>
public sealed class EnergyApiTests(Servers servers)
{
    [Fact]
    public async Task Today_is_the_import_counter_spread_since_local_midnight_with_outage_and_tamper_counts()
    {
        var database = "energy_" + Guid.NewGuid().ToString("N")[..8];
        await servers.Influx.CreateDatabaseAsync(database);
        var now = DateTimeOffset.UtcNow;
        var local = now.ToOffset(TimeSpan.FromHours(7));
        var midnight = new DateTimeOffset(local.Date, TimeSpan.FromHours(7));
        var step = (now - midnight - TimeSpan.FromSeconds(2)) / 10;
        var lines = new List<string>
        {
            // Yesterday's reading must not count.
            FormattableString.Invariant($"meter,device={TestDevices.Meter},site=ninh-xa energy_import=900,power=1 {midnight.AddMinutes(-30).ToUnixTimeMilliseconds()}"),
        };
        for (var i = 0; i <= 10; i++)
        {
            var at = midnight.AddSeconds(1) + (step * i);
            lines.Add(FormattableString.Invariant($"meter,device={TestDevices.Meter},site=ninh-xa energy_import={1000 + (i * 1.25)},power={1 + (i % 3)} {at.ToUnixTimeMilliseconds()}"));
            lines.Add(FormattableString.Invariant($"meter,device={TestDevices.MeterSecond},site=ninh-xa energy_import={5000 + (i * 4)},power={3 + (i % 2)} {at.ToUnixTimeMilliseconds()}"));
        }

        string Alert(string rule, string state, int n) => FormattableString.Invariant(
            $"alerts,domain=meter,site=ninh-xa,device={TestDevices.Meter},rule={rule},state={state},severity=critical alert_id=\"{rule}-{n}\",raised_at=1i {(midnight.AddSeconds(5) + (step * n)).ToUnixTimeMilliseconds()}");
        lines.AddRange([Alert("meter.outage", "raised", 1), Alert("meter.outage", "cleared", 2), Alert("meter.outage", "raised", 3), Alert("meter.tamper", "raised", 4)]);
        await servers.WriteAsync(database, lines);

        await using var app = new DashboardApp(servers, database);
        app.Start();
        using var energy = await app.SignInAsync("energy");
        using var today = await energy.Http.GetFromJsonAsync<JsonDocument>("api/energy/today", TestContext.Current.CancellationToken);
        var meters = today!.RootElement.EnumerateArray().ToDictionary(m => m.GetProperty("device").GetString()!);

        Assert.Equal(12.5, meters[TestDevices.Meter].GetProperty("kwh").GetDouble(), 6);
        Assert.Equal(2, meters[TestDevices.Meter].GetProperty("outages").GetInt32());
        Assert.Equal(1, meters[TestDevices.Meter].GetProperty("tampers").GetInt32());
        Assert.Equal(40, meters[TestDevices.MeterSecond].GetProperty("kwh").GetDouble(), 6);
        Assert.Equal(0, meters[TestDevices.MeterSecond].GetProperty("outages").GetInt32());

        // The site's load curve sums the meters' mean power per step.
        using var load = await energy.Http.GetFromJsonAsync<JsonDocument>("api/energy/load?site=ninh-xa&range=24h", TestContext.Current.CancellationToken);
        var points = load!.RootElement.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal("300s", load.RootElement.GetProperty("step").GetString());
        Assert.NotEmpty(points);
        Assert.All(points, p => Assert.InRange(p.GetProperty("mean").GetDouble(), 1, 7));
    }
}
