using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace Ingest.Dashboard.Localization;

public static class LocalizationExtensions
{
    public static readonly CultureInfo Vietnamese = new("vi-VN");
    public static readonly CultureInfo English = new("en-GB");

    /// <summary>Vietnamese unless the language cookie (set by the toggle) asks for English.</summary>
    public static IServiceCollection AddDashboardLocalization(this IServiceCollection services)
    {
        services.AddSingleton<Texts>();
        // Vietnamese letters stay readable in the HTML source; encoding of markup characters is unchanged.
        services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture(Vietnamese);
            o.SupportedCultures = [Vietnamese, English];
            o.SupportedUICultures = [Vietnamese, English];
            o.RequestCultureProviders = [new CookieRequestCultureProvider()];
        });
        return services;
    }

    /// <summary>POST /language (anti-forgery checked): stores the choice in the culture cookie and goes back.</summary>
    public static WebApplication MapLanguageSwitch(this WebApplication app)
    {
        app.MapPost("/language", async (HttpContext http, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery, TimeProvider time) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.BadRequest();
            }

            var form = await http.Request.ReadFormAsync();
            var culture = form["culture"] == "en" ? English : Vietnamese;
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Expires = time.GetUtcNow().AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true });
            var back = form["returnUrl"].ToString();
            return Results.LocalRedirect(string.IsNullOrEmpty(back) || !back.StartsWith('/') || back.StartsWith("//", StringComparison.Ordinal) || back.StartsWith("/\\", StringComparison.Ordinal) ? "/" : back);
        }).AllowAnonymous().DisableAntiforgery();
        return app;
    }
}
