using System.Text.Json;
using Ingest.Contracts;

namespace Ingest.Dashboard.History;

/// <summary>One bucket of an aggregated series (<c>GROUP BY time()</c>): mean, min and max of the field in it.</summary>
public sealed record SeriesPoint(DateTimeOffset T, double? Mean, double? Min, double? Max);

/// <summary>An aggregated series for a chart.</summary>
public sealed record HistorySeries(string Device, string Field, DateTimeOffset From, DateTimeOffset To, string Step, IReadOnlyList<SeriesPoint> Points);

/// <summary>Raw rows of a device's measurement over a range (open-data export).</summary>
public sealed record ExportTable(IReadOnlyList<string> Columns, IReadOnlyList<JsonElement[]> Rows, bool Truncated);

/// <summary>
/// One meter's day since local midnight: energy from its cumulative import counter, and how many outage and tamper
/// alerts were raised for it (alert rules whose id names an outage or tamper, e.g. <c>meter.outage</c>, <c>meter.tamper</c>).
/// </summary>
public sealed record MeterEnergy(string Device, string Site, double Kwh, int Outages, int Tampers);

/// <summary>
/// The InfluxQL the dashboard asks. Every identifier and literal goes through <see cref="InfluxQl"/>; ranges are bounded
/// (<see cref="HistoryRange.Longest"/>), aggregates by <see cref="HistoryRange.Step"/>, exports by <see cref="MaxExportRows"/>.
/// </summary>
public sealed class HistoryReader(InfluxQueryClient influx)
{
    public const int MaxExportRows = 100_000;

    /// <summary>Vietnam is UTC+7 all year: "today" for energy starts at local midnight.</summary>
    public static readonly TimeSpan LocalOffset = TimeSpan.FromHours(7);

    public async Task<HistorySeries> SeriesAsync(string measurement, string device, string field, HistoryRange range, CancellationToken cancellationToken)
    {
        var f = InfluxQl.Identifier(field);
        var q = $"SELECT mean({f}) AS \"mean\", min({f}) AS \"min\", max({f}) AS \"max\" FROM {InfluxQl.Identifier(measurement)} " +
                $"WHERE \"device\" = {InfluxQl.Literal(device)} AND time >= {InfluxQl.Time(range.From)} AND time < {InfluxQl.Time(range.To)} " +
                $"GROUP BY time({InfluxQl.Duration(range.Step)}) fill(none)";
        var series = await influx.QueryAsync(q, cancellationToken);
        var points = series.Count == 0 ? [] : series[0].Rows.Select(r => new SeriesPoint(
            DateTimeOffset.FromUnixTimeMilliseconds(r[0].GetInt64()), Number(r[1]), Number(r[2]), Number(r[3]))).ToList();
        return new HistorySeries(device, field, range.From, range.To, InfluxQl.Duration(range.Step), points);
    }

    /// <summary>Mean power per step summed over the meters of a site (the site's load curve).</summary>
    public async Task<HistorySeries> SiteLoadAsync(string site, HistoryRange range, CancellationToken cancellationToken)
    {
        var step = InfluxQl.Duration(range.Step);
        var where = $"time >= {InfluxQl.Time(range.From)} AND time < {InfluxQl.Time(range.To)}";
        var q = $"SELECT sum(\"p\") AS \"mean\" FROM (SELECT mean(\"power\") AS \"p\" FROM \"meter\" WHERE \"site\" = {InfluxQl.Literal(site)} AND {where} " +
                $"GROUP BY time({step}), \"device\" fill(none)) WHERE {where} GROUP BY time({step}) fill(none)";
        var series = await influx.QueryAsync(q, cancellationToken);
        var points = series.Count == 0 ? [] : series[0].Rows.Select(r => new SeriesPoint(
            DateTimeOffset.FromUnixTimeMilliseconds(r[0].GetInt64()), Number(r[1]), null, null)).ToList();
        return new HistorySeries(site, Fields.Power, range.From, range.To, step, points);
    }

    public async Task<ExportTable> ExportAsync(string measurement, string device, HistoryRange range, CancellationToken cancellationToken)
    {
        var q = $"SELECT * FROM {InfluxQl.Identifier(measurement)} WHERE \"device\" = {InfluxQl.Literal(device)} " +
                $"AND time >= {InfluxQl.Time(range.From)} AND time < {InfluxQl.Time(range.To)} ORDER BY time ASC LIMIT {MaxExportRows + 1}";
        var series = await influx.QueryAsync(q, cancellationToken);
        if (series.Count == 0)
        {
            return new ExportTable(["time"], [], false);
        }

        var rows = series[0].Rows;
        return new ExportTable(series[0].Columns, rows.Count > MaxExportRows ? [.. rows.Take(MaxExportRows)] : rows, rows.Count > MaxExportRows);
    }

    /// <summary>The field names of a measurement.</summary>
    public async Task<IReadOnlyList<string>> FieldsAsync(string measurement, CancellationToken cancellationToken)
    {
        var series = await influx.QueryAsync($"SHOW FIELD KEYS FROM {InfluxQl.Identifier(measurement)}", cancellationToken);
        return series.Count == 0 ? [] : [.. series[0].Rows.Select(r => r[0].GetString() ?? "").Where(n => n.Length > 0)];
    }

    /// <summary>A device's alert events, newest first.</summary>
    public async Task<IReadOnlyList<AlertEvent>> AlertHistoryAsync(string device, HistoryRange range, int limit, CancellationToken cancellationToken)
    {
        var q = $"SELECT * FROM \"alerts\" WHERE \"device\" = {InfluxQl.Literal(device)} AND time >= {InfluxQl.Time(range.From)} " +
                $"AND time < {InfluxQl.Time(range.To)} ORDER BY time DESC LIMIT {limit}";
        var series = await influx.QueryAsync(q, cancellationToken);
        return series.Count == 0 ? [] : [.. AlertRows.Read(series[0])];
    }

    /// <summary>Every alert event since <paramref name="since"/> (for rebuilding the open alerts at start-up).</summary>
    public async Task<IReadOnlyList<AlertEvent>> AlertsSinceAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        var q = $"SELECT * FROM \"alerts\" WHERE time >= {InfluxQl.Time(since)} ORDER BY time ASC LIMIT {limit}";
        var series = await influx.QueryAsync(q, cancellationToken);
        return series.Count == 0 ? [] : [.. AlertRows.Read(series[0])];
    }

    /// <summary>Today's energy per meter (spread of the cumulative import counter since local midnight) and its outage/tamper alerts.</summary>
    public async Task<IReadOnlyList<MeterEnergy>> EnergyTodayAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var local = now.ToOffset(LocalOffset);
        var midnight = InfluxQl.Time(new DateTimeOffset(local.Date, LocalOffset));
        var energy = await influx.QueryAsync(
            $"SELECT spread(\"energy_import\") AS \"kwh\" FROM \"meter\" WHERE time >= {midnight} GROUP BY \"device\", \"site\"", cancellationToken);
        var events = await influx.QueryAsync(
            $"SELECT count(\"alert_id\") AS \"n\" FROM \"alerts\" WHERE \"domain\" = 'meter' AND \"state\" = 'raised' AND \"rule\" =~ /outage|tamper/ " +
            $"AND time >= {midnight} GROUP BY \"device\", \"site\", \"rule\"", cancellationToken);

        var days = new Dictionary<string, MeterEnergy>(StringComparer.Ordinal);
        foreach (var s in energy.Where(s => s.Rows.Count > 0))
        {
            var device = s.Tags.GetValueOrDefault("device") ?? "";
            days[device] = new MeterEnergy(device, s.Tags.GetValueOrDefault("site") ?? "", Number(s.Rows[0][1]) ?? 0, 0, 0);
        }

        foreach (var s in events.Where(s => s.Rows.Count > 0))
        {
            var device = s.Tags.GetValueOrDefault("device") ?? "";
            var rule = s.Tags.GetValueOrDefault("rule") ?? "";
            var count = (int)(Number(s.Rows[0][1]) ?? 0);
            var day = days.GetValueOrDefault(device) ?? new MeterEnergy(device, s.Tags.GetValueOrDefault("site") ?? "", 0, 0, 0);
            days[device] = rule.Contains("outage", StringComparison.Ordinal) ? day with { Outages = day.Outages + count } : day with { Tampers = day.Tampers + count };
        }

        return [.. days.Values.OrderBy(d => d.Device, StringComparer.Ordinal)];
    }

    /// <summary>The latest value of every field per device of a measurement over the last day (seeds the live boards).</summary>
    /// <remarks>With several selectors InfluxQL returns the range start as the time, so no "last seen" comes from here.</remarks>
    public async Task<IReadOnlyList<(string Device, string Site, IReadOnlyDictionary<string, double> Values)>> LatestAsync(
        string measurement, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var q = $"SELECT last(*) FROM {InfluxQl.Identifier(measurement)} WHERE time >= {InfluxQl.Time(now.AddDays(-1))} GROUP BY \"device\", \"site\"";
        var series = await influx.QueryAsync(q, cancellationToken);
        var latest = new List<(string, string, IReadOnlyDictionary<string, double>)>();
        foreach (var s in series.Where(s => s.Rows.Count > 0))
        {
            var row = s.Rows[0];
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            for (var i = 1; i < s.Columns.Count; i++)
            {
                if (Number(row[i]) is { } v && s.Columns[i].StartsWith("last_", StringComparison.Ordinal))
                {
                    values[s.Columns[i]["last_".Length..]] = v;
                }
            }

            latest.Add((s.Tags.GetValueOrDefault("device") ?? "", s.Tags.GetValueOrDefault("site") ?? "", values));
        }

        return latest;
    }

    private static double? Number(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : null;
}
