using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Ingest.Dashboard.Access;

public static class AccessExtensions
{
    /// <summary>
    /// Cookie sign-in for configured users, an optional OpenID Connect provider, and a fallback policy that requires a
    /// signed-in user everywhere except where a page says otherwise. APIs and the hub answer 401/403 instead of redirecting.
    /// </summary>
    public static IServiceCollection AddDashboardAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>();
        services.AddSingleton<UserDirectory>();

        var oidc = configuration.GetSection(AccessOptions.Section).Get<AccessOptions>()?.OpenIdConnect ?? new OpenIdConnectSettings();
        var authentication = services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/login";
                o.AccessDeniedPath = "/login";
                o.Cookie.Name = "bn.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = ctx => Refuse(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => Refuse(ctx, StatusCodes.Status403Forbidden);
            });
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<AccessOptions>>((cookie, access) => cookie.ExpireTimeSpan = access.Value.SessionLifetime);

        if (oidc.Enabled)
        {
            authentication.AddOpenIdConnect(OpenIdConnectDefaults.AuthenticationScheme, o =>
            {
                o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.Authority = oidc.Authority;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = oidc.ClientSecret;
                o.ResponseType = "code";
                o.SaveTokens = false;
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = "name";
                o.TokenValidationParameters.RoleClaimType = ClaimTypes.Role;
                o.Events.OnTokenValidated = ctx =>
                {
                    // The provider's role claim becomes the dashboard role; unknown values grant nothing.
                    if (ctx.Principal?.Identity is ClaimsIdentity identity)
                    {
                        foreach (var claim in identity.FindAll(oidc.RoleClaim).Where(c => DashboardRoles.IsKnown(c.Value)).ToList())
                        {
                            identity.AddClaim(new Claim(ClaimTypes.Role, claim.Value));
                        }
                    }

                    return Task.CompletedTask;
                };
            });
        }

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return services;
    }

    /// <summary>The identity of a password user, as the cookie carries it.</summary>
    public static ClaimsPrincipal PrincipalFor(DashboardUser user) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role)],
        CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role));

    public static bool IsOpenIdConnectEnabled(this IServiceProvider services) =>
        services.GetRequiredService<IOptions<AccessOptions>>().Value.OpenIdConnect.Enabled;

    /// <summary>Starts the external sign-in (GET /login/external), when OpenID Connect is switched on.</summary>
    public static WebApplication MapExternalLogin(this WebApplication app)
    {
        if (app.Services.IsOpenIdConnectEnabled())
        {
            app.MapGet("/login/external", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, [OpenIdConnectDefaults.AuthenticationScheme]))
                .AllowAnonymous();
        }

        return app;
    }

    private static Task Refuse(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        var path = ctx.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}

/// <summary>Clear start-up messages for a configuration that cannot work.</summary>
internal sealed class AccessOptionsValidator : IValidateOptions<AccessOptions>
{
    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        var failures = new List<string>();
        foreach (var user in options.Users)
        {
            if (!DashboardRoles.IsKnown(user.Role))
            {
                failures.Add($"Access:Users: user '{user.Name}' has role '{user.Role}'; use one of {string.Join(", ", DashboardRoles.All)}");
            }

            if (string.IsNullOrWhiteSpace(user.PasswordHash))
            {
                failures.Add($"Access:Users: user '{user.Name}' has no PasswordHash (make one with: Ingest.Dashboard hash-password <password>)");
            }
        }

        if (options.OpenIdConnect.Enabled && (string.IsNullOrWhiteSpace(options.OpenIdConnect.Authority) || string.IsNullOrWhiteSpace(options.OpenIdConnect.ClientId)))
        {
            failures.Add("Access:OpenIdConnect:Enabled requires Authority and ClientId");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
