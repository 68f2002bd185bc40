using Ingest.Dashboard.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ingest.Dashboard.Pages;

/// <summary>Password sign-in against <see cref="UserDirectory"/>; anti-forgery is checked by Razor Pages on POST.</summary>
[AllowAnonymous]
public sealed class LoginModel(UserDirectory users, IServiceProvider services) : PageModel
{
    [BindProperty]
    public string? UserName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public bool Failed { get; private set; }

    public bool ExternalEnabled => services.IsOpenIdConnectEnabled();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (users.Verify(UserName ?? "", Password ?? "") is not { } user)
        {
            Failed = true;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, AccessExtensions.PrincipalFor(user));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
