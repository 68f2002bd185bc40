using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Dashboard.Tests.Infrastructure;

namespace Ingest.Dashboard.Tests.Api;

/// <summary>Sign-in, roles and anti-forgery: every API answers only for the caller's domains.</summary>
public sealed class AccessTests(Servers servers)
{
    [Theory]
    [InlineData("api/alerts")]
    [InlineData("api/devices")]
    [InlineData($"api/devices/{TestDevices.AirHistory}/history?field=pm25&range=1h")]
    [InlineData($"api/devices/{TestDevices.AirHistory}/export.csv?range=1h")]
    [InlineData("api/energy/today")]
    public async Task Anonymous_api_calls_get_401_not_a_redirect(string path)
    {
        using var http = servers.App.Anonymous();
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_hub_refuses_anonymous_connections()
    {
        using var http = servers.App.Anonymous();
        using var response = await http.PostAsync(new Uri("hubs/live/negotiate?negotiateVersion=1", UriKind.Relative), null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Anonymous_pages_redirect_to_login_and_health_stays_open()
    {
        await servers.App.WaitForLiveFeedAsync();
        using var http = servers.App.Anonymous();
        using var page = await http.GetAsync(new Uri("/air", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        using var health = await http.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Theory]
    [InlineData("energy", $"api/devices/{TestDevices.AirHistory}/history?field=pm25&range=1h")]
    [InlineData("energy", $"api/devices/{TestDevices.AirHistory}/export.csv?range=1h")]
    [InlineData("energy", $"api/devices/{TestDevices.Water}/alerts")]
    [InlineData("energy", "api/aqi")]
    [InlineData("environment", $"api/devices/{TestDevices.Meter}/history?field=power&range=1h")]
    [InlineData("environment", "api/energy/today")]
    [InlineData("environment", "api/energy/load?site=ninh-xa")]
    public async Task The_wrong_role_gets_403(string user, string path)
    {
        using var client = await servers.App.SignInAsync(user);
        using var response = await client.Http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("energy", "/air")]
    [InlineData("energy", "/water")]
    [InlineData("environment", "/energy")]
    public async Task The_wrong_role_gets_403_for_a_view(string user, string path)
    {
        using var client = await servers.App.SignInAsync(user);
        using var response = await client.Http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("environment", new[] { "air", "gw", "water" })]
    [InlineData("energy", new[] { "gw", "meter" })]
    [InlineData("admin", new[] { "air", "gw", "meter", "water" })]
    public async Task Each_role_sees_its_domains_and_devices(string user, string[] domains)
    {
        using var client = await servers.App.SignInAsync(user);
        using var me = await client.Http.GetFromJsonAsync<JsonDocument>("api/me", TestContext.Current.CancellationToken);
        Assert.Equal(domains, me!.RootElement.GetProperty("domains").EnumerateArray().Select(d => d.GetString()!));
        using var devices = await client.Http.GetFromJsonAsync<JsonDocument>("api/devices", TestContext.Current.CancellationToken);
        var seen = devices!.RootElement.EnumerateArray().Select(d => d.GetProperty("domain").GetString()!).Distinct().ToList();
        Assert.NotEmpty(seen);
        Assert.All(seen, d => Assert.Contains(d, domains));
    }

    [Fact]
    public async Task Wrong_password_is_refused_and_a_configured_hashed_user_signs_in()
    {
        using var http = servers.App.Anonymous();
        var token = await DashboardApp.FormTokenAsync(http, "login");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = "environment", ["Password"] = "not-the-password", ["__RequestVerificationToken"] = token,
        });
        using var refused = await http.PostAsync(new Uri("login", UriKind.Relative), form, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var ops = await servers.App.SignInAsync(DashboardApp.OperatorName, DashboardApp.OperatorPassword);
        using var energy = await ops.Http.GetAsync(new Uri("api/energy/today", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, energy.StatusCode);
    }

    [Fact]
    public async Task Login_without_the_anti_forgery_token_is_rejected()
    {
        using var http = servers.App.Anonymous();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["UserName"] = "admin", ["Password"] = DashboardApp.Password });
        using var response = await http.PostAsync(new Uri("login", UriKind.Relative), form, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
