using Microsoft.Playwright;

namespace Ingest.Dashboard.Tests.Browser;

/// <summary>
/// Debian's chromium (<c>/usr/bin/chromium</c>, installed by deploy/local/test.sh) driven headless by Playwright; Playwright's
/// own browser download is never used. The driver is the node runtime shipped inside the Playwright package.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing; deploy/local/test.sh installs Debian's chromium");

        // The whole suite shares two cores with the browser, the servers and the dashboards: a view's first fetches can
        // take longer than Playwright's default 5 s there. Checks of a latency promise pass their own, shorter timeout.
        Assertions.SetDefaultExpectTimeout(15_000);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
    }
}
