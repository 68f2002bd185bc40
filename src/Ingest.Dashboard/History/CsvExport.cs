using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ingest.Dashboard.History;

/// <summary>
/// RFC 4180 CSV of an export table: header row, times as ISO 8601 UTC, numbers invariant, text quoted when it holds a
/// comma, quote or line break; text that a spreadsheet would run as a formula gets a leading apostrophe.
/// </summary>
public static class CsvExport
{
    public static string Write(ExportTable table)
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', table.Columns.Select(Cell)).Append("\r\n");
        var time = Column(table, "time");
        foreach (var row in table.Rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0)
                {
                    csv.Append(',');
                }

                csv.Append(i == time && row[i].ValueKind == JsonValueKind.Number
                    ? DateTimeOffset.FromUnixTimeMilliseconds(row[i].GetInt64()).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)
                    : Value(row[i]));
            }

            csv.Append("\r\n");
        }

        return csv.ToString();
    }

    /// <summary>The rows as objects keyed by column (nulls left out), times as ISO 8601.</summary>
    public static IReadOnlyList<Dictionary<string, object>> Objects(ExportTable table)
    {
        var time = Column(table, "time");
        return [.. table.Rows.Select(row =>
        {
            var item = new Dictionary<string, object>(StringComparer.Ordinal);
            for (var i = 0; i < row.Length && i < table.Columns.Count; i++)
            {
                object? value = row[i].ValueKind switch
                {
                    JsonValueKind.Number when i == time => DateTimeOffset.FromUnixTimeMilliseconds(row[i].GetInt64()),
                    JsonValueKind.Number => row[i].GetDouble(),
                    JsonValueKind.String => row[i].GetString(),
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => null,
                };
                if (value is not null)
                {
                    item[table.Columns[i]] = value;
                }
            }

            return item;
        })];
    }

    private static int Column(ExportTable table, string name)
    {
        for (var i = 0; i < table.Columns.Count; i++)
        {
            if (table.Columns[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.String => Cell(value.GetString() ?? ""),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "",
    };

    internal static string Cell(string text)
    {
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            text = "'" + text;
        }

        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
