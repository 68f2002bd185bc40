using System.Diagnostics;
using System.Globalization;
using Ingest.Contracts;
using Ingest.Dashboard.Tests.Infrastructure;
using Ingest.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace Ingest.Dashboard.Tests.Browser;

/// <summary>
/// The dashboard in a real browser: live alerts within 2 s, acknowledgement seen by another open browser, the language
/// toggle, device text rendered as text, and a screenshot of every view (docs/screenshots, referenced by the README).
/// </summary>
public sealed class DashboardBrowserTests(Servers servers, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly string ScreenshotFolder = Path.Combine(RepoPaths.Root, "docs", "screenshots");

    private async Task<(IBrowserContext Context, IPage Page)> SignInAsync(string user, string? culture = null, DashboardApp? app = null)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = (app ?? servers.App).BaseUri.ToString(),
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
            TimezoneId = "Asia/Ho_Chi_Minh",
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", DashboardApp.Password);
        await page.ClickAsync("#login");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        if (culture == "en")
        {
            await page.ClickAsync("#language");
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        }

        await Assertions.Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        return (context, page);
    }

    [Fact]
    public async Task An_alert_appears_within_two_seconds_and_an_acknowledgement_reaches_the_other_browser()
    {
        await servers.App.WaitForLiveFeedAsync();
        var (contextA, pageA) = await SignInAsync("environment");
        var (contextB, pageB) = await SignInAsync("environment");
        await using var mqtt = await TestMqtt.ConnectAsync(servers);

        // The over-limit reading, and the alert event the worker's engine publishes for it.
        var now = DateTimeOffset.UtcNow;
        await mqtt.PublishTelemetryAsync(Domains.Air, "tien-son", TestDevices.AirLive, now, [new("pm25", 182.4), new("pm10", 240)]);
        var alert = TestMqtt.AirAlert(TestDevices.AirLive, "tien-son", now);
        var watch = Stopwatch.StartNew();
        await mqtt.PublishAlertAsync(alert);
        var rowA = pageA.Locator($"#alerts tr[data-alert-id='{alert.AlertId}']");
        await Assertions.Expect(rowA).ToBeVisibleAsync(new() { Timeout = 2000 });
        TestContext.Current.SendDiagnosticMessage($"alert published → visible on the overview: {watch.ElapsedMilliseconds} ms");
        await Assertions.Expect(rowA).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("sev-critical"));
        await Assertions.Expect(rowA.Locator("td.state")).ToHaveTextAsync("Mới");

        var rowB = pageB.Locator($"#alerts tr[data-alert-id='{alert.AlertId}']");
        await Assertions.Expect(rowB).ToBeVisibleAsync(new() { Timeout = 2000 });
        watch.Restart();
        await rowA.Locator("button.ack").ClickAsync();
        await Assertions.Expect(rowB.Locator("td.state")).ToHaveTextAsync("Đã xác nhận", new() { Timeout = 2000 });
        TestContext.Current.SendDiagnosticMessage($"acknowledged in one browser → shown in the other: {watch.ElapsedMilliseconds} ms");
        await Assertions.Expect(rowB).ToContainTextAsync("bởi environment");
        await Assertions.Expect(rowB.Locator("button.ack")).ToHaveCountAsync(0);

        // The filter hides it when another severity is chosen.
        await pageB.SelectOptionAsync("#f-severity", "info");
        await Assertions.Expect(rowB).ToHaveCountAsync(0);

        await contextA.DisposeAsync();
        await contextB.DisposeAsync();
    }

    [Fact]
    public async Task A_dropped_connection_is_shown_reconnects_by_itself_and_catches_up()
    {
        await servers.App.WaitForLiveFeedAsync();
        var (context, page) = await SignInAsync("environment");
        await using var mqtt = await TestMqtt.ConnectAsync(servers);

        await page.EvaluateAsync("window.bn.connection.stop()");
        await Assertions.Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "lost");
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("Mất kết nối — đang kết nối lại…");

        // Raised while this page was away: it must still show up once the page is back.
        var missed = TestMqtt.AirAlert(TestDevices.AirSecond, "yen-phong", DateTimeOffset.UtcNow, 77.7, AlertSeverity.Warning);
        await mqtt.PublishAlertAsync(missed);
        await Assertions.Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator($"#alerts tr[data-alert-id='{missed.AlertId}']")).ToBeVisibleAsync();
        await context.DisposeAsync();
    }

    [Fact]
    public async Task Switching_to_english_changes_the_labels_and_back()
    {
        var (context, page) = await SignInAsync("environment");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Cảnh báo đang mở");
        await Assertions.Expect(page.Locator("nav a[data-nav='overview']")).ToHaveTextAsync("Tổng quan");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "vi");

        await page.ClickAsync("#language");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Open alerts");
        await Assertions.Expect(page.Locator("nav a[data-nav='overview']")).ToHaveTextAsync("Overview");
        await Assertions.Expect(page.Locator("nav a[data-nav='air']")).ToHaveTextAsync("Air");
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("Live");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");

        // The choice is kept across pages.
        await page.GotoAsync("/air");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Air quality");

        await page.ClickAsync("#language");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Chất lượng không khí");
        await context.DisposeAsync();
    }

    [Fact]
    public async Task A_page_whose_script_arrives_after_the_connection_still_lists_its_devices()
    {
        await servers.App.WaitForLiveFeedAsync();
        await using (var mqtt = await TestMqtt.ConnectAsync(servers))
        {
            await mqtt.PublishStatusAsync(Domains.Meter, "ninh-xa", TestDevices.Meter, online: true);
            await mqtt.PublishTelemetryAsync(Domains.Meter, "ninh-xa", TestDevices.Meter, DateTimeOffset.UtcNow, [new("voltage", 221.3), new("power", 1.2)]);
        }

        var (context, page) = await SignInAsync("energy");
        // The live connection is up well before the energy page's own script has even arrived.
        await page.RouteAsync("**/js/energy.js*", async route =>
        {
            await Task.Delay(1500);
            await route.ContinueAsync();
        });
        await page.GotoAsync("/energy");

        await Assertions.Expect(page.Locator($"#meters tr[data-device='{TestDevices.Meter}']")).ToBeVisibleAsync();
        await context.DisposeAsync();
    }

    [Fact]
    public async Task Markup_in_device_text_is_shown_as_text_and_never_runs()
    {
        await servers.App.WaitForLiveFeedAsync();
        var (context, page) = await SignInAsync("environment");
        var dialogs = 0;
        page.Dialog += async (_, dialog) =>
        {
            dialogs++;
            await dialog.DismissAsync();
        };
        await using var mqtt = await TestMqtt.ConnectAsync(servers);

        // Topic levels cannot hold '/', so the tag stays unclosed; the img's onerror is what would run if it were parsed.
        const string scriptId = "air-<script>window.__pwned=1;alert(1)";
        const string imgId = "air-<img src=x onerror=window.__pwned=2>";
        var alert = TestMqtt.AirAlert(scriptId, "tien-son", DateTimeOffset.UtcNow) with
        {
            Message = "<b>bold</b><img src=x onerror=alert(2)>",
            MessageVi = "<b>đậm</b><img src=x onerror=alert(2)>",
        };
        await mqtt.PublishAlertAsync(alert);
        await mqtt.PublishStatusAsync(Domains.Air, "tien-son", imgId, online: true);
        await mqtt.PublishTelemetryAsync(Domains.Air, "tien-son", imgId, DateTimeOffset.UtcNow, [new("pm25", 12)]);

        var row = page.Locator($"#alerts tr[data-alert-id='{alert.AlertId}']");
        await Assertions.Expect(row.Locator("a.device")).ToHaveTextAsync(scriptId);
        await Assertions.Expect(row.Locator("td.message")).ToContainTextAsync("<b>đậm</b><img src=x onerror=alert(2)>");
        Assert.Equal(0, await page.Locator("#alerts img, #alerts b, #alerts script").CountAsync());

        await page.GotoAsync("/air");
        var link = page.Locator($"#stations tr[data-device='{imgId.Replace("'", "\\'", StringComparison.Ordinal)}'] a.device");
        await Assertions.Expect(link).ToHaveTextAsync(imgId, new() { Timeout = 10_000 });
        Assert.Equal(0, await page.Locator("#stations img").CountAsync());

        await page.GotoAsync("/device/" + Uri.EscapeDataString(imgId));
        await Assertions.Expect(page.Locator("#device-id")).ToHaveTextAsync(imgId);
        await Assertions.Expect(page.Locator("#facts dd[data-k='site']")).ToHaveTextAsync("KCN Tiên Sơn"); // the registry's name for its site
        await page.GotoAsync("/device/" + Uri.EscapeDataString(scriptId));
        await Assertions.Expect(page.Locator("#device-id")).ToHaveTextAsync(scriptId);
        Assert.Equal(0, await page.Locator("main img, main b").CountAsync());

        Assert.Equal("undefined", await page.EvaluateAsync<string>("typeof window.__pwned"));
        Assert.Equal(0, dialogs);
        await context.DisposeAsync();

        // Take the hostile device's retained status off the broker again.
        await mqtt.PublishAsync(mqtt.Topics.Status(Domains.Air, "tien-son", imgId), [], retain: true);
    }

    [Fact]
    public async Task Every_view_shows_live_data_and_is_saved_as_a_screenshot()
    {
        // A dashboard of its own (fresh database, no other test's alerts), so the screenshots show a plain fleet.
        var database = "shots_" + Guid.NewGuid().ToString("N")[..8];
        await servers.Influx.CreateDatabaseAsync(database);
        await using var app = new DashboardApp(servers, database);
        app.Start();
        await app.WaitForLiveFeedAsync();
        await SeedFleetAsync(database);
        Directory.CreateDirectory(ScreenshotFolder);
        var (context, page) = await SignInAsync("admin", app: app);

        await Assertions.Expect(page.Locator("#alerts tbody tr").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".card[data-domain='air'] .n-online")).Not.ToHaveTextAsync("0");
        // Sites as the registry's site_name calls them, in the table and the filter; the filter still selects by id.
        await Assertions.Expect(page.Locator("#alerts tbody")).ToContainTextAsync("KCN Tiên Sơn");
        await Assertions.Expect(page.Locator("#f-site option[value='tien-son']")).ToHaveTextAsync("KCN Tiên Sơn");
        await SaveAsync(page, "overview");

        await page.GotoAsync("/air");
        var station = page.Locator($"#stations tr[data-device='{TestDevices.AirSecond}']");
        await Assertions.Expect(station.Locator("td.aqi")).ToHaveTextAsync("158");
        await Assertions.Expect(station).ToContainTextAsync("Xấu");
        await Assertions.Expect(station).ToContainTextAsync("KCN Yên Phong");
        await Assertions.Expect(station.Locator("td").Nth(4)).ToHaveTextAsync("PM2.5"); // the dominant pollutant, named as its column
        await Assertions.Expect(station.Locator("td.over").First).ToBeVisibleAsync();
        await SaveAsync(page, "air");

        await page.GotoAsync("/water");
        await Assertions.Expect(page.Locator($"#stations tr[data-device='{TestDevices.Outfall}']")).ToContainTextAsync("QCVN 40");
        await Assertions.Expect(page.Locator($"#stations tr[data-device='{TestDevices.Outfall}'] td.over").First).ToBeVisibleAsync();
        await SaveAsync(page, "water");

        await page.GotoAsync("/energy");
        await Assertions.Expect(page.Locator($"#meters tr[data-device='{TestDevices.Meter}'] td.events")).ToContainTextAsync("can thiệp hôm nay × 1");
        await Assertions.Expect(page.Locator($"#meters tr[data-device='{TestDevices.Meter}'] td.events")).ToContainTextAsync("hiện tại: can thiệp ·");
        await Assertions.Expect(page.Locator("#load-chart canvas")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#load-site option[value='ninh-xa']")).ToHaveTextAsync("Phường Ninh Xá");
        await SaveAsync(page, "energy");

        await page.GotoAsync("/map");
        await Assertions.Expect(page.Locator("#map circle")).Not.ToHaveCountAsync(0);
        await SaveAsync(page, "map");

        await page.GotoAsync("/device/" + TestDevices.AirLive);
        await Assertions.Expect(page.Locator("#series-info")).ToContainTextAsync("mỗi điểm 5 phút");
        await Assertions.Expect(page.Locator("#field option:checked")).ToHaveTextAsync("PM2.5 (µg/m³)");
        await Assertions.Expect(page.Locator("#facts")).ToContainTextAsync("Cảm biến giá rẻ – hàng rào KCN");
        await Assertions.Expect(page.Locator("#facts")).ToContainTextAsync("KCN Tiên Sơn");
        await Assertions.Expect(page.Locator("#alert-history tbody tr")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("#chart canvas")).ToBeVisibleAsync();
        await SaveAsync(page, "device");

        await page.GotoAsync("/");
        await page.ClickAsync("#language");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Open alerts");
        await Assertions.Expect(page.Locator("#alerts tbody tr").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".card[data-domain='meter'] div").First).ToHaveTextAsync("1 open alert");
        await Assertions.Expect(page.Locator(".card[data-domain='air'] div").First).ToHaveTextAsync("2 open alerts");
        await SaveAsync(page, "overview-en");
        await context.DisposeAsync();

        var login = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = app.BaseUri.ToString() });
        await login.GotoAsync("/login");
        await SaveAsync(login, "login");
        await login.CloseAsync();
    }

    private static async Task SaveAsync(IPage page, string name)
    {
        await page.WaitForTimeoutAsync(300);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
    }

    /// <summary>What the devices and the worker would have sent: status, readings, AQI, alerts, and a day of history.</summary>
    private async Task SeedFleetAsync(string database)
    {
        await using var mqtt = await TestMqtt.ConnectAsync(servers);
        var now = DateTimeOffset.UtcNow;
        foreach (var row in TestDevices.RegistryCsv.Skip(1))
        {
            var cells = row.Split(',');
            await mqtt.PublishStatusAsync(cells[1], cells[2], cells[0], online: cells[0] != TestDevices.MeterSecond);
        }

        await mqtt.PublishTelemetryAsync(Domains.Air, "tien-son", TestDevices.AirLive, now, [new("pm25", 38.2), new("pm10", 71), new("co", 1450), new("no2", 42), new("so2", 18), new("o3", 64)]);
        await mqtt.PublishTelemetryAsync(Domains.Air, "yen-phong", TestDevices.AirSecond, now, [new("pm25", 96.5), new("pm10", 151), new("co", 2300), new("no2", 88), new("so2", 31), new("o3", 40)]);
        await mqtt.PublishTelemetryAsync(Domains.Water, "song-cau", TestDevices.Water, now, [new("ph", 7.4), new("do", 5.6), new("tss", 31), new("cod", 12), new("bod5", 5.1), new("nh4", 0.42), new("turbidity", 18), new("temp", 24.5)]);
        await mqtt.PublishTelemetryAsync(Domains.Water, "que-vo", TestDevices.Outfall, now, [new("ph", 6.8), new("tss", 84), new("cod", 171), new("bod5", 46), new("nh4", 7.5), new("temp", 33)]);
        await mqtt.PublishTelemetryAsync(Domains.Meter, "ninh-xa", TestDevices.Meter, now, [new("voltage", 204.1), new("current", 7.2), new("power", 1.47), new("energy_import", 1532.4), new("pf", 0.93), new("freq", 50.01)], ["tamper"]);
        await mqtt.PublishTelemetryAsync(Domains.Meter, "ninh-xa", TestDevices.MeterSecond, now, [new("voltage", 221.6), new("current", 18.3), new("power", 3.9), new("energy_import", 48211.9), new("pf", 0.88), new("freq", 49.98)]);
        await mqtt.PublishAqiAsync(Aqi(TestDevices.AirLive, "tien-son", now, 72, 2, "Trung bình", "Moderate", "#FFFF00", "pm25"));
        await mqtt.PublishAqiAsync(Aqi(TestDevices.AirSecond, "yen-phong", now, 158, 4, "Xấu", "Unhealthy", "#FF0000", "pm25"));
        var alerts = new[]
        {
            TestMqtt.AirAlert(TestDevices.AirSecond, "yen-phong", now.AddMinutes(-12), 96.5),
            TestMqtt.MeterAlert(TestDevices.Meter, "ninh-xa", now.AddMinutes(-3)),
            TestMqtt.AirAlert(TestDevices.AirLive, "tien-son", now.AddMinutes(-40), 52, AlertSeverity.Warning),
        };
        foreach (var alert in alerts)
        {
            await mqtt.PublishAlertAsync(alert);
        }

        // What the worker stores: an earlier alert of the station, raised, acknowledged and cleared, and the open one.
        var lines = new List<string>();
        var earlier = TestMqtt.AirAlert(TestDevices.AirLive, "tien-son", now.AddHours(-20), 61.2);
        lines.Add(AlertLine(earlier, "raised", earlier.RaisedAt, null));
        lines.Add(AlertLine(earlier, "acknowledged", earlier.RaisedAt.AddMinutes(7), "environment"));
        lines.Add(AlertLine(earlier, "cleared", earlier.RaisedAt.AddMinutes(55), "environment"));
        lines.Add(AlertLine(alerts[2], "raised", alerts[2].RaisedAt, null));
        // "Tamper today" counts from local midnight (UTC+7): in the first two minutes of a local day, two minutes ago was
        // yesterday, so the event is then stamped now.
        var todayStart = new DateTimeOffset(now.ToOffset(TimeSpan.FromHours(7)).Date, TimeSpan.FromHours(7));
        var tamperAt = now.AddMinutes(-2) < todayStart ? now : now.AddMinutes(-2);
        var tamper = TestMqtt.MeterAlert(TestDevices.Meter, "ninh-xa", tamperAt) with { RuleId = "meter.tamper", Field = null, Value = null, Limit = null, Unit = null };
        lines.Add(AlertLine(tamper, "raised", tamper.RaisedAt, null).Replace("field=\"\",value=,limit=,unit=\"\",", "", StringComparison.Ordinal));

        // A day of readings every 5 minutes: the device chart and the site load curve.
        for (var at = now.AddDays(-1); at < now; at = at.AddMinutes(5))
        {
            var hour = at.ToOffset(TimeSpan.FromHours(7)).TimeOfDay.TotalHours;
            var pm = 30 + (25 * Math.Exp(-Math.Pow(hour - 8, 2) / 4)) + (20 * Math.Exp(-Math.Pow(hour - 19, 2) / 6));
            var ms = at.ToUnixTimeMilliseconds();
            lines.Add(FormattableString.Invariant($"air,device={TestDevices.AirLive},site=tien-son pm25={pm:0.0},pm10={pm * 1.7:0.0} {ms}"));
            var load = 0.4 + (1.2 * Math.Exp(-Math.Pow(hour - 19.5, 2) / 5)) + (0.5 * Math.Exp(-Math.Pow(hour - 7, 2) / 3));
            lines.Add(FormattableString.Invariant($"meter,device={TestDevices.Meter},site=ninh-xa power={load:0.000},voltage={222 - (8 * load):0.0},energy_import={1500 + (at - now.AddDays(-1)).TotalHours * 1.3:0.00} {ms}"));
            lines.Add(FormattableString.Invariant($"meter,device={TestDevices.MeterSecond},site=ninh-xa power={2 * load + 1:0.000},voltage={220 - (4 * load):0.0},energy_import={48000 + (at - now.AddDays(-1)).TotalHours * 8.8:0.00} {ms}"));
        }

        await servers.WriteAsync(database, lines);
    }

    private static string AlertLine(AlertEvent a, string state, DateTimeOffset at, string? by) => FormattableString.Invariant(
        $"alerts,domain={a.Domain},site={a.Site},device={a.DeviceId},rule={a.RuleId},state={state},severity={a.Severity.ToString().ToLowerInvariant()} ") +
        FormattableString.Invariant($"alert_id=\"{a.AlertId}\",rule_kind=\"{a.RuleKind}\",field=\"{a.Field}\",value={a.Value},limit={a.Limit},unit=\"{a.Unit}\",") +
        FormattableString.Invariant($"standard=\"{a.Standard}\",message=\"{a.Message}\",message_vi=\"{a.MessageVi}\",acknowledged_by=\"{by}\",raised_at={a.RaisedAt.ToUnixTimeMilliseconds()}i {at.ToUnixTimeMilliseconds()}");

    private static AqiUpdate Aqi(string device, string site, DateTimeOffset now, int aqi, int band, string vi, string en, string colour, string dominant) => new()
    {
        DeviceId = device,
        Site = site,
        Hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero),
        Aqi = aqi,
        Band = band,
        BandNameVi = vi,
        BandNameEn = en,
        Colour = colour,
        Dominant = dominant,
        SubIndices = new Dictionary<string, int> { [dominant] = aqi, ["pm10"] = aqi - 20 },
    };
}
