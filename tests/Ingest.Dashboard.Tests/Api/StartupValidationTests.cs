using Ingest.Dashboard.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Ingest.Dashboard.Tests.Api;

/// <summary>A configuration that cannot work stops the dashboard at start-up with a message naming the key.</summary>
public sealed class StartupValidationTests(Servers servers)
{
    [Theory]
    [InlineData("Access:OpenIdConnect:Enabled", "true", "Access:OpenIdConnect:Enabled requires Authority and ClientId")]
    [InlineData("Access:Users:0:Role", "superuser", "has role 'superuser'")]
    [InlineData("Mqtt:Port", "0", "Port")]
    public async Task Bad_configuration_stops_the_start(string key, string value, string message)
    {
        await using var app = new DashboardApp(servers, Servers.Database, new Dictionary<string, string> { [key] = value });
        var error = Assert.ThrowsAny<Exception>(app.Start);
        var validation = error as OptionsValidationException ?? error.InnerException as OptionsValidationException;
        Assert.NotNull(validation);
        Assert.Contains(message, validation.Message, StringComparison.Ordinal);
    }
}
