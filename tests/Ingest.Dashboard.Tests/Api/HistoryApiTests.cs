using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Dashboard.Tests.Infrastructure;

namespace Ingest.Dashboard.Tests.Api;

/// <summary>
/// History and export against a real influxd: 30 days of one station every 10 minutes plus the last hour every 5 s,
/// written as the worker writes them (measurement air, tags device/site, float fields, device time).
/// </summary>
public sealed class HistoryApiTests(Servers servers) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly List<(DateTimeOffset At, double Pm25)> Points = [];
    private static bool _seeded;

    public async ValueTask InitializeAsync()
    {
        if (_seeded)
        {
            return;
        }

        var start = Now.AddDays(-30);
        for (var at = start; at < Now.AddHours(-1); at = at.AddMinutes(10))
        {
            Points.Add((at, Value(at)));
        }

        for (var at = Now.AddHours(-1).AddSeconds(5); at < Now; at = at.AddSeconds(5))
        {
            Points.Add((at, Value(at)));
        }

        // The site tag holds a comma and a quote so the CSV has to quote it.
        await servers.WriteAsync(Servers.Database, Points.Select(p =>
            $"air,device={TestDevices.AirHistory},site=vsip\\,\"east\" pm25={p.Pm25.ToString(CultureInfo.InvariantCulture)},pm10={(p.Pm25 * 1.8).ToString(CultureInfo.InvariantCulture)} {p.At.ToUnixTimeMilliseconds()}"));
        _seeded = true;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static double Value(DateTimeOffset at) => Math.Round(30 + (20 * Math.Sin(at.ToUnixTimeSeconds() / 5400.0)), 3);

    [Theory]
    [InlineData("1h", 10, 360)]
    [InlineData("24h", 300, 288)]
    [InlineData("7d", 1800, 336)]
    [InlineData("30d", 7200, 360)]
    public async Task History_is_aggregated_with_a_step_that_bounds_the_point_count(string range, int stepSeconds, int maxBuckets)
    {
        using var env = await servers.App.SignInAsync("environment");
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var document = await env.Http.GetFromJsonAsync<JsonDocument>(
            $"api/devices/{TestDevices.AirHistory}/history?field=pm25&range={range}", TestContext.Current.CancellationToken);
        var root = document!.RootElement;
        var points = root.GetProperty("points").EnumerateArray().ToList();
        TestContext.Current.SendDiagnosticMessage($"history {range}: {points.Count} points, step {root.GetProperty("step").GetString()}, {started.ElapsedMilliseconds} ms");

        Assert.Equal($"{stepSeconds}s", root.GetProperty("step").GetString());
        Assert.InRange(points.Count, maxBuckets / 2, maxBuckets + 1);
        Assert.True(points.Count <= 500);

        // Each bucket's mean, min and max are those of the points written into it.
        var from = root.GetProperty("from").GetDateTimeOffset();
        var to = root.GetProperty("to").GetDateTimeOffset();
        foreach (var point in points)
        {
            var bucket = point.GetProperty("t").GetDateTimeOffset();
            var inside = Points.Where(p => p.At >= bucket && p.At < bucket.AddSeconds(stepSeconds) && p.At >= from && p.At < to).Select(p => p.Pm25).ToList();
            Assert.NotEmpty(inside);
            Assert.Equal(inside.Average(), point.GetProperty("mean").GetDouble(), 6);
            Assert.Equal(inside.Min(), point.GetProperty("min").GetDouble(), 6);
            Assert.Equal(inside.Max(), point.GetProperty("max").GetDouble(), 6);
        }
    }

    [Fact]
    public async Task Export_csv_is_valid_rfc4180_with_every_point_of_the_range()
    {
        using var env = await servers.App.SignInAsync("environment");
        using var response = await env.Http.GetAsync(new Uri($"api/devices/{TestDevices.AirHistory}/export.csv?range=6h", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var rows = Csv.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var header = rows[0];
        Assert.Equal("time", header[0]);
        Assert.Contains("pm25", header);
        Assert.Contains("device", header);
        var expected = Points.Where(p => p.At >= Now.AddHours(-6).AddSeconds(-30)).ToList();
        Assert.InRange(rows.Count - 1, expected.Count - 2, expected.Count);
        Assert.All(rows, r => Assert.Equal(header.Count, r.Count));

        var site = header.IndexOf("site");
        var pm25 = header.IndexOf("pm25");
        var byTime = Points.ToDictionary(p => p.At.ToUnixTimeMilliseconds(), p => p.Pm25);
        foreach (var row in rows.Skip(1))
        {
            Assert.Equal("vsip,\"east\"", row[site]);
            var at = DateTimeOffset.Parse(row[0], CultureInfo.InvariantCulture);
            Assert.Equal(byTime[at.ToUnixTimeMilliseconds()], double.Parse(row[pm25], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Export_json_has_the_same_rows()
    {
        using var env = await servers.App.SignInAsync("admin");
        using var document = await env.Http.GetFromJsonAsync<JsonDocument>($"api/devices/{TestDevices.AirHistory}/export.json?range=1h", TestContext.Current.CancellationToken);
        var rows = document!.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.InRange(rows.Count, 700, 720);
        Assert.All(rows, r => Assert.Equal(TestDevices.AirHistory, r.GetProperty("device").GetString()));
        Assert.All(rows, r => Assert.True(r.GetProperty("pm25").GetDouble() is > 9 and < 51));
    }

    [Fact]
    public async Task Quotes_in_a_device_id_or_field_cannot_change_the_query()
    {
        using var env = await servers.App.SignInAsync("environment");
        // A literal that would match every device if it were pasted into the query unescaped.
        var hostile = Uri.EscapeDataString("x' OR device != 'y");
        using var document = await env.Http.GetFromJsonAsync<JsonDocument>($"api/devices/{hostile}/history?domain=air&field=pm25&range=24h", TestContext.Current.CancellationToken);
        Assert.Empty(document!.RootElement.GetProperty("points").EnumerateArray());

        using var badField = await env.Http.GetAsync(new Uri($"api/devices/{TestDevices.AirHistory}/history?field={Uri.EscapeDataString("pm25\") FROM \"air")}&range=1h", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, badField.StatusCode);

        using var tooLong = await env.Http.GetAsync(new Uri($"api/devices/{TestDevices.AirHistory}/history?field=pm25&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }
}

/// <summary>A strict RFC 4180 reader for the test: quoted fields, doubled quotes, CRLF rows.</summary>
internal static class Csv
{
    public static List<List<string>> Parse(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                Assert.True(field.Length == 0, $"a quote inside an unquoted field at {i}");
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                Assert.False(c is '\r' or '\n', $"a bare line break at {i}");
                field.Append(c);
            }
        }

        Assert.False(quoted, "unterminated quoted field");
        Assert.True(field.Length == 0 && row.Count == 0, "the last row must end with CRLF");
        return rows;
    }
}
