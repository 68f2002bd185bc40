using System.Globalization;

namespace DeviceSim.Replay;

/// <summary>
/// Reads a replay CSV. The first line is a header naming at least <c>device,time,field,value</c> (any order, any case);
/// <c>domain</c> and <c>site</c> columns are optional, other columns are ignored. <c>time</c> is RFC 3339 with an offset
/// (<c>2026-11-24T07:30:00Z</c>, <c>2026-11-24T14:30:00+07:00</c>) or Unix epoch milliseconds; <c>value</c> uses a
/// decimal point. Blank lines and lines starting with <c>#</c> are skipped; cells are trimmed and not quoted. Any bad
/// line throws a <see cref="FormatException"/> naming the line.
/// </summary>
public static class ReplayCsv
{
    public static IReadOnlyList<ReplayRow> Parse(TextReader reader)
    {
        var rows = new List<ReplayRow>();
        Dictionary<string, int>? columns = null;
        var lineNumber = 0;
        while (reader.ReadLine() is { } raw)
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var cells = line.Split(',', StringSplitOptions.TrimEntries);
            if (columns is null)
            {
                columns = Header(cells, lineNumber);
                continue;
            }

            rows.Add(Row(cells, columns, lineNumber));
        }

        if (columns is null)
        {
            throw new FormatException("the replay file is empty (expected a header line 'device,time,field,value')");
        }

        return rows;
    }

    public static IReadOnlyList<ReplayRow> ParseFile(string path)
    {
        using var reader = new StreamReader(path);
        return Parse(reader);
    }

    /// <summary>RFC 3339 with an offset, or Unix epoch milliseconds.</summary>
    public static bool TryParseTime(string text, out DateTimeOffset time)
    {
        if (text.Length > 0 && text.All(char.IsAsciiDigit) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            time = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            return true;
        }

        // An offset (Z or ±hh:mm) is required: a bare local time would silently depend on the machine's zone.
        var hasOffset = text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (!hasOffset)
        {
            time = default;
            return false;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    private static Dictionary<string, int> Header(string[] cells, int lineNumber)
    {
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < cells.Length; i++)
        {
            columns.TryAdd(cells[i], i);
        }

        var missing = new[] { "device", "time", "field", "value" }.Where(c => !columns.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                $"line {lineNumber}: the header lacks {string.Join(", ", missing)} (expected at least 'device,time,field,value'; optional 'domain,site')"));
        }

        return columns;
    }

    private static ReplayRow Row(string[] cells, Dictionary<string, int> columns, int lineNumber)
    {
        string Cell(string name) => columns.TryGetValue(name, out var i) && i < cells.Length ? cells[i] : "";

        var device = Cell("device");
        if (device.Length == 0)
        {
            throw Error("no device id");
        }

        if (!TryParseTime(Cell("time"), out var time))
        {
            throw Error($"time '{Cell("time")}' is neither RFC 3339 with an offset nor epoch milliseconds");
        }

        var field = Cell("field");
        if (field.Length == 0)
        {
            throw Error("no field name");
        }

        if (!double.TryParse(Cell("value"), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw Error($"value '{Cell("value")}' is not a finite number");
        }

        return new ReplayRow(lineNumber, device, time, field, value, Optional("domain"), Optional("site"));

        string? Optional(string name) => Cell(name) is { Length: > 0 } text ? text : null;

        FormatException Error(string message) => new(string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}: {message}"));
    }
}
