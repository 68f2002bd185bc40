using DeviceSim.Fleet;
using Ingest.Contracts;

namespace DeviceSim.Replay;

/// <summary>
/// Finds the domain and site of a replayed device (its topic is <c>bn/{domain}/{site}/{device}/telemetry</c>): from the
/// row's own <c>domain</c>/<c>site</c> columns, else from a registry CSV (<c>id,domain,site,…</c>), else from the id
/// itself when it follows the simulator's naming (<c>air-yp-0001</c>: domain <c>air</c>, site code <c>yp</c> = yen-phong).
/// </summary>
public sealed class DeviceResolver(IReadOnlyDictionary<string, (string Domain, string Site)>? registry = null)
{
    /// <summary>Reads the domain and site columns of a registry CSV (the worker's Registry:Path format).</summary>
    public static Dictionary<string, (string Domain, string Site)> ReadRegistry(string text)
    {
        var result = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        RegistryColumns? columns = null;
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (columns is not { } c)
            {
                columns = RegistryColumns.Parse(line);
                continue;
            }

            var cells = line.Split(',', StringSplitOptions.TrimEntries);
            if (cells.Length <= Math.Max(c.Id, Math.Max(c.Domain, c.Site)))
            {
                throw new FormatException($"registry line {lineNumber}: too few columns");
            }

            result[cells[c.Id]] = (cells[c.Domain], cells[c.Site]);
        }

        return result;
    }

    /// <summary>The device's domain and site, or an exception that says how to supply them.</summary>
    public (string Domain, string Site) Resolve(ReplayRow row)
    {
        if (row.Domain is { } domain && row.Site is { } site)
        {
            return Check(row, domain, site);
        }

        if (registry is not null && registry.TryGetValue(row.Device, out var known))
        {
            return Check(row, row.Domain ?? known.Domain, row.Site ?? known.Site);
        }

        var parts = row.Device.Split('-');
        if (parts.Length >= 3 && Domains.IsTelemetryDomain(parts[0]))
        {
            var byCode = SiteCatalog.All.FirstOrDefault(s => s.Code.Equals(parts[1], StringComparison.OrdinalIgnoreCase));
            if ((row.Site ?? byCode?.Id) is { } inferred)
            {
                return Check(row, row.Domain ?? parts[0], inferred);
            }
        }

        throw new FormatException(
            $"line {row.Line}: cannot tell the domain and site of device '{row.Device}'; add 'domain' and 'site' columns, "
            + "pass --registry with the fleet's registry CSV, or use ids like air-yp-0001");
    }

    private static (string, string) Check(ReplayRow row, string domain, string site)
    {
        if (!Domains.IsTelemetryDomain(domain))
        {
            throw new FormatException($"line {row.Line}: domain '{domain}' of device '{row.Device}' is not air, water or meter");
        }

        if (site.Length == 0 || site.Contains('/', StringComparison.Ordinal) || site.Contains('+', StringComparison.Ordinal) || site.Contains('#', StringComparison.Ordinal))
        {
            throw new FormatException($"line {row.Line}: site '{site}' cannot be a topic level");
        }

        return (domain, site);
    }
}
