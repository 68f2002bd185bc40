using System.Net;
using System.Text.RegularExpressions;
using Ingest.Dashboard.Access;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Dashboard.Tests.Infrastructure;

/// <summary>
/// The dashboard's real Program on a Kestrel loopback port (so SignalR and the browser use real sockets), configured
/// against the test servers, with the demo users (password <see cref="Password"/>) and one configured, hashed user.
/// </summary>
public sealed partial class DashboardApp(Servers servers, string database, IReadOnlyDictionary<string, string>? settings = null)
    : WebApplicationFactory<Program>
{
    public const string Password = "demo-Pa55";
    public const string OperatorName = "ops";
    public const string OperatorPassword = "ops-secret-1";

    public Uri BaseUri { get; private set; } = null!;

    public void Start()
    {
        UseKestrel(0);
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Mqtt:Host", servers.Mqtt.Host);
        builder.UseSetting("Mqtt:Port", servers.Mqtt.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Mqtt:ReconnectInterval", "00:00:00.500");
        builder.UseSetting("Mqtt:ReadingInterval", "00:00:00");
        builder.UseSetting("Influx:Url", servers.Influx.BaseUri.ToString());
        builder.UseSetting("Influx:Database", database);
        builder.UseSetting("Registry:Path", servers.RegistryPath);
        builder.UseSetting("Access:DemoPassword", Password);
        builder.UseSetting("Access:Users:0:Name", OperatorName);
        builder.UseSetting("Access:Users:0:Role", DashboardRoles.Admin);
        builder.UseSetting("Access:Users:0:PasswordHash", UserDirectory.Hash(OperatorPassword));
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Waits until the live feed is subscribed to the broker.</summary>
    public async Task WaitForLiveFeedAsync()
    {
        var feed = Services.GetRequiredService<Ingest.Dashboard.Live.LiveFeed>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!feed.IsReady && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.True(feed.IsReady, "the live feed did not connect to mosquitto and subscribe");
    }

    /// <summary>A cookie-keeping HTTP client signed in as <paramref name="user"/> (no redirects followed).</summary>
    public async Task<SignedInClient> SignInAsync(string user, string? password = null)
    {
        var cookies = new CookieContainer();
        var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = BaseUri };
        var token = await FormTokenAsync(http, "login");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = user,
            ["Password"] = password ?? Password,
            ["__RequestVerificationToken"] = token,
        });
        using var response = await http.PostAsync(new Uri("login", UriKind.Relative), form, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return new SignedInClient(http, cookies, await MetaTokenAsync(http));
    }

    public HttpClient Anonymous() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseUri };

    internal static async Task<string> FormTokenAsync(HttpClient http, string path)
    {
        var html = await http.GetStringAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        return FormToken().Match(html).Groups[1].Value;
    }

    private static async Task<string> MetaTokenAsync(HttpClient http)
    {
        var html = await http.GetStringAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        var match = MetaToken().Match(html);
        Assert.True(match.Success, "the overview page carries the anti-forgery token");
        return match.Groups[1].Value;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex MetaToken();
}

/// <summary>A signed-in user's HTTP client, cookie jar and anti-forgery request token.</summary>
public sealed record SignedInClient(HttpClient Http, CookieContainer Cookies, string CsrfToken) : IDisposable
{
    public void Dispose() => Http.Dispose();
}
