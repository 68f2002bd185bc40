using System.Globalization;
using System.Text;
using Ingest.Contracts;

namespace DeviceSim.Fleet;

/// <summary>
/// Writes the fleet as the registry CSV the worker and the dashboard read, its columns in <see cref="RegistryColumns.Header"/>'s
/// order (the dashboard shows a site by its <c>site_name</c>), gateways and their children included. The file is written to
/// a temporary name and moved into place, so a worker polling it never reads half a file.
/// </summary>
public static class RegistryWriter
{
    public static string ToCsv(IEnumerable<DeviceSpec> devices)
    {
        var text = new StringBuilder(RegistryColumns.Header).Append('\n');
        foreach (var d in FleetBuilder.WithChildren(devices))
        {
            text.Append(d.Id).Append(',').Append(d.Domain).Append(',').Append(d.Site.Id).Append(',')
                .Append(Clean(d.Site.Zone)).Append(',').Append(d.Kind).Append(',')
                .Append(d.Lat.ToString("0.00000", CultureInfo.InvariantCulture)).Append(',')
                .Append(d.Lon.ToString("0.00000", CultureInfo.InvariantCulture)).Append(',')
                .Append(Clean(d.Site.Name)).Append('\n');
        }

        return text.ToString();
    }

    public static async Task WriteAsync(string path, IEnumerable<DeviceSpec> devices, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var temp = full + ".tmp";
        await File.WriteAllTextAsync(temp, ToCsv(devices), new UTF8Encoding(false), cancellationToken);
        File.Move(temp, full, overwrite: true);
    }

    // The worker's CSV reader splits on commas and does not unquote.
    private static string Clean(string value) => value.Replace(',', ' ');
}
