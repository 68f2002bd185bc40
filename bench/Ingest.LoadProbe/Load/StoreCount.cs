using System.Text.Json;

namespace Ingest.LoadProbe;

/// <summary>InfluxQL over HTTP (1.x <c>/query</c>, epoch ms): counts of a site's stored points, in all or per time bucket.</summary>
public static class StoreCount
{
    /// <summary>Stored points of a site with a device time at or after <paramref name="sinceMs"/> (epoch ms; 0 for all).</summary>
    public static async Task<long> CountAsync(HttpClient http, Uri baseUrl, string db, string measurement, string site, long sinceMs, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            http, baseUrl, db, $"SELECT count(\"pm25\") FROM \"{measurement}\" WHERE site = '{site}' AND time >= {sinceMs}ms", cancellationToken);
        return rows.Count == 0 ? 0 : rows[0].Count;
    }

    /// <summary>Stored points per <paramref name="bucketMs"/> bucket of device time, from <paramref name="fromMs"/> (epoch ms) on.</summary>
    public static Task<List<(long Time, long Count)>> BucketsAsync(
        HttpClient http, Uri baseUrl, string db, string measurement, string site, long fromMs, int bucketMs, CancellationToken cancellationToken) =>
        QueryAsync(http, baseUrl, db,
            $"SELECT count(\"pm25\") FROM \"{measurement}\" WHERE site = '{site}' AND time >= {fromMs}ms GROUP BY time({bucketMs}ms) fill(none)",
            cancellationToken);

    private static async Task<List<(long Time, long Count)>> QueryAsync(HttpClient http, Uri baseUrl, string db, string q, CancellationToken cancellationToken)
    {
        var uri = new Uri(baseUrl, $"query?db={Uri.EscapeDataString(db)}&epoch=ms&q={Uri.EscapeDataString(q)}");
        using var response = await http.GetAsync(uri, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(body);
        var list = new List<(long, long)>();
        var results = doc.RootElement.GetProperty("results");
        if (results.GetArrayLength() == 0 || !results[0].TryGetProperty("series", out var series))
        {
            if (results.GetArrayLength() > 0 && results[0].TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"InfluxDB query error: {error.GetString()}");
            }

            return list;
        }

        foreach (var s in series.EnumerateArray())
        {
            foreach (var row in s.GetProperty("values").EnumerateArray())
            {
                list.Add((row[0].GetInt64(), row[1].GetInt64()));
            }
        }

        return list;
    }
}
