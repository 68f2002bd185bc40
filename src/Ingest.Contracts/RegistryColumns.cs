namespace Ingest.Contracts;

/// <summary>
/// Where each column of a device registry CSV is. The first line names the columns, in any order: <c>id</c>,
/// <c>domain</c> and <c>site</c> are required; <c>zone</c>, <c>kind</c>, <c>lat</c>, <c>lon</c> and <c>site_name</c> (the site
/// as people call it, for the dashboard) are optional, -1 when absent. The simulator writes <see cref="Header"/>; the
/// worker, the dashboard and the simulator's replay read the header this way.
/// </summary>
public readonly record struct RegistryColumns(int Id, int Domain, int Site, int Zone, int Kind, int Lat, int Lon, int SiteName)
{
    /// <summary>Every column, in the order the simulator writes them.</summary>
    public const string Header = "id,domain,site,zone,kind,lat,lon,site_name";

    /// <summary>The columns a header line names; a <see cref="FormatException"/> when it lacks id, domain or site.</summary>
    public static RegistryColumns Parse(string headerLine)
    {
        var header = headerLine.Split(',', StringSplitOptions.TrimEntries);
        int Column(string name) => Array.FindIndex(header, h => h.Equals(name, StringComparison.OrdinalIgnoreCase));
        var columns = new RegistryColumns(
            Column("id"), Column("domain"), Column("site"), Column("zone"), Column("kind"), Column("lat"), Column("lon"), Column("site_name"));
        if (columns.Id < 0 || columns.Domain < 0 || columns.Site < 0)
        {
            throw new FormatException($"the registry CSV header must name at least id, domain and site (e.g. '{Header}')");
        }

        return columns;
    }

    /// <summary>A row's cell in <paramref name="column"/>, trimmed; null when the column is absent, the row short or the cell empty.</summary>
    public static string? Cell(string[] cells, int column) =>
        column >= 0 && column < cells.Length && cells[column].Trim() is { Length: > 0 } cell ? cell : null;
}
