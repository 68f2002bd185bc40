using System.Security.Claims;
using Ingest.Contracts;

namespace Ingest.Dashboard.Access;

/// <summary>
/// The three roles of the dashboard and the device domains each may see: <c>environment</c> air and water,
/// <c>energy</c> meters, <c>admin</c> everything. Gateways carry both kinds of devices, so both staff roles see them.
/// Every API and the hub ask this class, never the role names directly.
/// </summary>
public static class DashboardRoles
{
    public const string Environment = "environment";
    public const string Energy = "energy";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Environment, Energy, Admin];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);

    /// <summary>The domains a role may see.</summary>
    public static IReadOnlyList<string> DomainsOf(string role) => role switch
    {
        Environment => [Domains.Air, Domains.Water, Domains.Gateway],
        Energy => [Domains.Meter, Domains.Gateway],
        Admin => [Domains.Air, Domains.Water, Domains.Meter, Domains.Gateway],
        _ => [],
    };

    /// <summary>The domains the signed-in user may see, over all of their roles.</summary>
    public static IReadOnlySet<string> VisibleDomains(this ClaimsPrincipal user) =>
        user.FindAll(ClaimTypes.Role).SelectMany(c => DomainsOf(c.Value)).ToHashSet(StringComparer.Ordinal);

    public static bool CanSee(this ClaimsPrincipal user, string domain) => user.VisibleDomains().Contains(domain);
}
