using Ingest.Dashboard.Access;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ingest.Dashboard.Pages;

/// <summary>A view of one domain: 403 for a user whose roles do not include it.</summary>
public abstract class DomainPageModel(string domain) : PageModel
{
    public IActionResult OnGet() => User.CanSee(domain) ? Page() : StatusCode(StatusCodes.Status403Forbidden);
}

public sealed class AirModel() : DomainPageModel("air");

public sealed class WaterModel() : DomainPageModel("water");

public sealed class EnergyModel() : DomainPageModel("meter");
