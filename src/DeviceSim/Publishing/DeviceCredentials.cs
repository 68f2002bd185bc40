using System.Globalization;

namespace DeviceSim.Publishing;

/// <summary>A device's MQTT user name and password.</summary>
public sealed record DeviceCredentials(string Username, string Password)
{
    /// <summary>
    /// Reads a credentials CSV: <c>id,username,password</c> per line, an optional header line starting with <c>id,</c>,
    /// blank lines and <c>#</c> comments ignored. Passwords may contain commas (everything after the second comma).
    /// </summary>
    public static Dictionary<string, DeviceCredentials> Parse(string text)
    {
        var result = new Dictionary<string, DeviceCredentials>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#')
                || (lineNumber == 1 && line.StartsWith("id,", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var cells = line.Split(',', 3);
            if (cells.Length < 3 || cells[0].Trim().Length == 0 || cells[1].Trim().Length == 0)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                    $"credentials line {lineNumber}: expected id,username,password"));
            }

            result[cells[0].Trim()] = new DeviceCredentials(cells[1].Trim(), cells[2]);
        }

        return result;
    }
}
