using System.ComponentModel.DataAnnotations;

namespace Ingest.Dashboard.Access;

/// <summary>Who may sign in (section <c>Access</c>).</summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>Users with a password hash made by ASP.NET Core's <c>PasswordHasher</c> (<c>Ingest.Dashboard hash-password PW</c>).</summary>
    public List<ConfiguredUser> Users { get; set; } = [];

    /// <summary>When set, the users <c>environment</c>, <c>energy</c> and <c>admin</c> are created with this password (local runs only).</summary>
    public string? DemoPassword { get; set; }

    /// <summary>How long a sign-in lasts without activity.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    public OpenIdConnectSettings OpenIdConnect { get; set; } = new();
}

public sealed class ConfiguredUser
{
    [Required]
    public string Name { get; set; } = "";

    [Required]
    public string Role { get; set; } = "";

    [Required]
    public string PasswordHash { get; set; } = "";
}

/// <summary>An external OpenID Connect provider (switched off by default).</summary>
public sealed class OpenIdConnectSettings
{
    public bool Enabled { get; set; }

    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>The claim in the ID token holding the dashboard role (<c>environment</c>, <c>energy</c> or <c>admin</c>).</summary>
    public string RoleClaim { get; set; } = "roles";
}
