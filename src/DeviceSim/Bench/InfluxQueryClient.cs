using System.Globalization;
using System.Text.Json;

namespace DeviceSim.Bench;

/// <summary>One series of an InfluxQL answer: its tags and rows (first column is time in epoch ms).</summary>
public sealed record InfluxSeries(string Name, IReadOnlyDictionary<string, string> Tags, IReadOnlyList<string> Columns, IReadOnlyList<JsonElement[]> Rows);

/// <summary>
/// InfluxQL over HTTP (<c>GET /query?db=…&amp;epoch=ms&amp;q=…</c>), which InfluxDB 1.x, 2.x (v1 compatibility) and 3.x
/// all answer; InfluxDB.Client has no InfluxQL API. Returns the series of the first statement; throws
/// <see cref="InvalidOperationException"/> with the server's message when the query fails.
/// </summary>
public sealed class InfluxQueryClient(HttpClient http, Uri baseUrl, string database)
{
    public async Task<IReadOnlyList<InfluxSeries>> QueryAsync(string influxQl, CancellationToken cancellationToken)
    {
        var uri = new Uri(baseUrl, $"query?db={Uri.EscapeDataString(database)}&epoch=ms&q={Uri.EscapeDataString(influxQl)}");
        using var response = await http.GetAsync(uri, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"InfluxDB answered {(int)response.StatusCode}: {body}");
        }

        return Parse(body);
    }

    /// <summary>Parses a 1.x JSON answer: <c>{"results":[{"series":[{"name","tags","columns","values"}]}]}</c>.</summary>
    public static IReadOnlyList<InfluxSeries> Parse(string body)
    {
        using var document = JsonDocument.Parse(body);
        var results = document.RootElement.GetProperty("results");
        if (results.GetArrayLength() == 0)
        {
            return [];
        }

        var first = results[0];
        if (first.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"InfluxDB query error: {error.GetString()}");
        }

        if (!first.TryGetProperty("series", out var series))
        {
            return [];
        }

        var list = new List<InfluxSeries>(series.GetArrayLength());
        foreach (var s in series.EnumerateArray())
        {
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            if (s.TryGetProperty("tags", out var t))
            {
                foreach (var tag in t.EnumerateObject())
                {
                    tags[tag.Name] = tag.Value.GetString() ?? "";
                }
            }

            var columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString() ?? "").ToList();
            var rows = s.TryGetProperty("values", out var values)
                ? values.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.Clone()).ToArray()).ToList()
                : [];
            list.Add(new InfluxSeries(s.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "", tags, columns, rows));
        }

        return list;
    }

    /// <summary>An InfluxQL time literal (RFC 3339, UTC).</summary>
    public static string Time(DateTimeOffset at) =>
        "'" + at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + "'";

    /// <summary>Escapes a string for an InfluxQL single-quoted literal.</summary>
    public static string Literal(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
