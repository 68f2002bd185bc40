using Ingest.Dashboard.Access;
using Ingest.Dashboard.Api;
using Ingest.Dashboard.Health;
using Ingest.Dashboard.Live;
using Ingest.Dashboard.Localization;

if (args is ["hash-password", var password])
{
    // Makes a PasswordHash for Access:Users in configuration.
    Console.WriteLine(UserDirectory.Hash(password));
    return;
}

// Content root is the app's folder, so appsettings.json is found whatever the working directory is; wwwroot comes from
// the published folder, or (Development, after a build) from the project through the static web assets manifest.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddDashboardHealth();
builder.Services.AddDashboardMetrics();
builder.Services.AddDashboardAccess(builder.Configuration);
builder.Services.AddDashboardLocalization();
builder.Services.AddHistory();
builder.Services.AddLiveFeed(builder.Configuration);
builder.Services.AddAntiforgery(o => o.HeaderName = "X-CSRF-TOKEN");
builder.Services.AddRazorPages();

var app = builder.Build();

app.MapDashboardMetrics();
app.UseStaticFiles();
app.UseRequestLocalization();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapDashboardHealth();
app.MapExternalLogin();
app.MapLanguageSwitch();
app.MapDashboardApi();
app.MapLiveHub();
app.MapRazorPages();

await app.RunAsync();
