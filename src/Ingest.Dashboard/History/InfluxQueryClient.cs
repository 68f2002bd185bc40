using System.Text.Json;
using Ingest.Dashboard.Health;
using Microsoft.Extensions.Options;

namespace Ingest.Dashboard.History;

/// <summary>One series of an InfluxQL answer.</summary>
public sealed record QuerySeries(string Name, IReadOnlyDictionary<string, string> Tags, IReadOnlyList<string> Columns, IReadOnlyList<JsonElement[]> Rows)
{
    public int Column(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>InfluxDB answered with an error (bad query, unknown database).</summary>
public sealed class InfluxQueryException(string message) : Exception(message);

/// <summary>
/// InfluxQL over HTTP GET <c>/query</c> (InfluxDB 1.x API, answered by 1.6 to 3.x); times come back as epoch milliseconds.
/// The C# InfluxDB client has no InfluxQL API, so this is plain <see cref="HttpClient"/>. Thread-safe.
/// </summary>
public sealed class InfluxQueryClient(HttpClient http, IOptions<InfluxReadOptions> options)
{
    public async Task<IReadOnlyList<QuerySeries>> QueryAsync(string influxQl, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var uri = new Uri(o.Url, $"query?db={Uri.EscapeDataString(o.Database)}&epoch=ms&q={Uri.EscapeDataString(influxQl)}");
        using var response = await http.GetAsync(uri, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        if (document.RootElement.TryGetProperty("error", out var topError))
        {
            throw new InfluxQueryException(topError.GetString() ?? "error");
        }

        response.EnsureSuccessStatusCode();
        var result = document.RootElement.GetProperty("results")[0];
        if (result.TryGetProperty("error", out var error))
        {
            throw new InfluxQueryException(error.GetString() ?? "error");
        }

        if (!result.TryGetProperty("series", out var series))
        {
            return [];
        }

        return [.. series.EnumerateArray().Select(s => new QuerySeries(
            s.GetProperty("name").GetString() ?? "",
            s.TryGetProperty("tags", out var tags) ? tags.EnumerateObject().ToDictionary(t => t.Name, t => t.Value.GetString() ?? "") : new Dictionary<string, string>(),
            [.. s.GetProperty("columns").EnumerateArray().Select(c => c.GetString() ?? "")],
            s.TryGetProperty("values", out var values) ? [.. values.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.Clone()).ToArray())] : []))];
    }
}
