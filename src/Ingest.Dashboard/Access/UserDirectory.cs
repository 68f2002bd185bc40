using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Ingest.Dashboard.Access;

/// <summary>A user who may sign in with a password; only the hash is kept.</summary>
public sealed record DashboardUser(string Name, string Role, string PasswordHash);

/// <summary>
/// The users from configuration (and the demo users of a local run), checked with <see cref="PasswordHasher{TUser}"/>.
/// Thread-safe: built once at start-up, read-only afterwards.
/// </summary>
public sealed class UserDirectory
{
    private readonly Dictionary<string, DashboardUser> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly PasswordHasher<DashboardUser> _hasher = new();

    public UserDirectory(IOptions<AccessOptions> options)
    {
        foreach (var user in options.Value.Users)
        {
            _users[user.Name] = new DashboardUser(user.Name, user.Role, user.PasswordHash);
        }

        if (!string.IsNullOrEmpty(options.Value.DemoPassword))
        {
            foreach (var role in DashboardRoles.All)
            {
                var demo = new DashboardUser(role, role, "");
                _users.TryAdd(role, demo with { PasswordHash = _hasher.HashPassword(demo, options.Value.DemoPassword) });
            }
        }
    }

    public IReadOnlyCollection<DashboardUser> Users => _users.Values;

    /// <summary>The user when the password matches its hash; null otherwise (unknown name or wrong password).</summary>
    public DashboardUser? Verify(string name, string password)
    {
        if (!_users.TryGetValue(name, out var user))
        {
            return null;
        }

        return _hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed ? null : user;
    }

    /// <summary>A hash to put in configuration for <paramref name="password"/>.</summary>
    public static string Hash(string password) => new PasswordHasher<DashboardUser>().HashPassword(new DashboardUser("", "", ""), password);
}
