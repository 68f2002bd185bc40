using System.Security.Claims;
using Ingest.Contracts;
using Ingest.Dashboard.Access;
using Ingest.Dashboard.History;
using Ingest.Dashboard.Live;
using Ingest.Dashboard.Registry;
using Ingest.Dashboard.Standards;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;

namespace Ingest.Dashboard.Api;

/// <summary>
/// The JSON API under <c>/api</c>. Every endpoint needs a signed-in user (fallback policy) and answers only about the
/// domains that user's roles allow: another domain's device is 403, an unknown one 404. The one state-changing call
/// (acknowledge) also needs the anti-forgery token in the <c>X-CSRF-TOKEN</c> header.
/// </summary>
public static class DashboardApi
{
    public static WebApplication MapDashboardApi(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/me", (ClaimsPrincipal user) => new
        {
            name = user.Identity?.Name,
            roles = user.FindAll(ClaimTypes.Role).Select(c => c.Value),
            domains = user.VisibleDomains().Order(StringComparer.Ordinal),
        });
        api.MapGet("/alerts", (ClaimsPrincipal user, AlertBoard alerts) => alerts.Open(user.VisibleDomains()));
        api.MapPost("/alerts/{alertId}/ack", AcknowledgeAsync);
        api.MapGet("/devices", (ClaimsPrincipal user, DeviceBoard devices) => devices.Devices(user.VisibleDomains()));
        api.MapGet("/devices/{id}", (string id, string? domain, ClaimsPrincipal user, DeviceResolver resolver) =>
            resolver.Resolve(id, domain, user, out var problem) is { } d ? Results.Ok(d) : problem!);
        api.MapGet("/devices/{id}/fields", async (string id, string? domain, ClaimsPrincipal user, DeviceResolver resolver, HistoryReader history, CancellationToken ct) =>
            resolver.Resolve(id, domain, user, out var problem) is { } d ? Results.Ok(await history.FieldsAsync(d.Domain, ct)) : problem!);
        api.MapGet("/devices/{id}/history", HistoryAsync);
        api.MapGet("/devices/{id}/export.csv", (string id, string? domain, string? range, DateTimeOffset? from, DateTimeOffset? to, HttpContext http) =>
            ExportAsync(id, domain, range, from, to, csv: true, http));
        api.MapGet("/devices/{id}/export.json", (string id, string? domain, string? range, DateTimeOffset? from, DateTimeOffset? to, HttpContext http) =>
            ExportAsync(id, domain, range, from, to, csv: false, http));
        api.MapGet("/devices/{id}/alerts", AlertHistoryAsync);
        api.MapGet("/aqi", (ClaimsPrincipal user, AqiBoard aqi) => user.CanSee(Domains.Air) ? Results.Ok(aqi.All()) : Results.Forbid());
        api.MapGet("/limits", (ClaimsPrincipal user) => new Dictionary<string, IReadOnlyList<Limit>>
        {
            ["air"] = user.CanSee(Domains.Air) ? Limits.Air : [],
            ["river"] = user.CanSee(Domains.Water) ? Limits.RiverWater : [],
            ["outfall"] = user.CanSee(Domains.Water) ? Limits.Outfall : [],
            ["meter"] = user.CanSee(Domains.Meter) ? Limits.Meter : [],
        });
        api.MapGet("/energy/today", async (ClaimsPrincipal user, HistoryReader history, TimeProvider time, CancellationToken ct) =>
            user.CanSee(Domains.Meter) ? Results.Ok(await history.EnergyTodayAsync(time.GetUtcNow(), ct)) : Results.Forbid());
        api.MapGet("/energy/load", async (string site, string? range, ClaimsPrincipal user, HistoryReader history, TimeProvider time, CancellationToken ct) =>
        {
            if (!user.CanSee(Domains.Meter))
            {
                return Results.Forbid();
            }

            var r = HistoryRange.Parse(range, null, null, time.GetUtcNow(), out var error);
            return r is null ? Results.BadRequest(new { error }) : Results.Ok(await history.SiteLoadAsync(site, r, ct));
        });
        return app;
    }

    private static async Task<IResult> AcknowledgeAsync(string alertId, ClaimsPrincipal user, HttpContext http, IAntiforgery antiforgery,
        AlertBoard alerts, LiveFeed feed, TimeProvider time, [FromBody] AcknowledgeRequest? body, CancellationToken ct)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.BadRequest(new { error = "missing or invalid anti-forgery token" });
        }

        if (alerts.Find(alertId) is not { } open)
        {
            return Results.NotFound();
        }

        if (!user.CanSee(open.Domain))
        {
            return Results.Forbid();
        }

        var who = user.Identity?.Name ?? "?";
        var at = time.GetUtcNow();
        try
        {
            await feed.PublishAcknowledgementAsync(new AlertAcknowledgement { AlertId = alertId, AcknowledgedBy = who, AcknowledgedAt = at, Note = body?.Note }, ct);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException)
        {
            return Results.Problem("the MQTT broker is not reachable; try again", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var acknowledged = alerts.Acknowledge(alertId, who, at);
        if (acknowledged is null)
        {
            return Results.NotFound();
        }

        await feed.BroadcastAsync(acknowledged);
        return Results.Ok(acknowledged);
    }

    private static async Task<IResult> HistoryAsync(string id, string field, string? domain, string? range, DateTimeOffset? from, DateTimeOffset? to,
        ClaimsPrincipal user, DeviceResolver resolver, HistoryReader history, TimeProvider time, CancellationToken ct)
    {
        if (resolver.Resolve(id, domain, user, out var problem) is not { } device)
        {
            return problem!;
        }

        if (!InfluxQl.IsPlainName(field))
        {
            return Results.BadRequest(new { error = "field must be a plain field name" });
        }

        var r = HistoryRange.Parse(range, from, to, time.GetUtcNow(), out var error);
        return r is null ? Results.BadRequest(new { error }) : Results.Ok(await history.SeriesAsync(device.Domain, device.Id, field, r, ct));
    }

    private static async Task<IResult> ExportAsync(string id, string? domain, string? range, DateTimeOffset? from, DateTimeOffset? to, bool csv, HttpContext http)
    {
        var services = http.RequestServices;
        if (services.GetRequiredService<DeviceResolver>().Resolve(id, domain, http.User, out var problem) is not { } device)
        {
            return problem!;
        }

        var r = HistoryRange.Parse(range, from, to, services.GetRequiredService<TimeProvider>().GetUtcNow(), out var error);
        if (r is null)
        {
            return Results.BadRequest(new { error });
        }

        var table = await services.GetRequiredService<HistoryReader>().ExportAsync(device.Domain, device.Id, r, http.RequestAborted);
        var name = string.Concat(device.Id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
        var stamp = r.From.UtcDateTime.ToString("yyyyMMddTHHmm", System.Globalization.CultureInfo.InvariantCulture);
        if (table.Truncated)
        {
            http.Response.Headers["X-Export-Truncated"] = HistoryReader.MaxExportRows.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return csv
            ? Results.File(System.Text.Encoding.UTF8.GetBytes(CsvExport.Write(table)), "text/csv; charset=utf-8", $"{name}-{stamp}.csv")
            : Results.Json(new { device = device.Id, domain = device.Domain, from = r.From, to = r.To, truncated = table.Truncated, rows = CsvExport.Objects(table) });
    }

    private static async Task<IResult> AlertHistoryAsync(string id, string? domain, string? range, ClaimsPrincipal user, DeviceResolver resolver,
        HistoryReader history, TimeProvider time, CancellationToken ct)
    {
        if (resolver.Resolve(id, domain, user, out var problem) is not { } device)
        {
            return problem!;
        }

        var r = HistoryRange.Parse(range ?? "30d", null, null, time.GetUtcNow(), out var error);
        return r is null ? Results.BadRequest(new { error }) : Results.Ok(await history.AlertHistoryAsync(device.Id, r, 200, ct));
    }
}

public sealed record AcknowledgeRequest(string? Note);

/// <summary>A device as the API knows it: id, domain (its measurement), site, and what the live board holds.</summary>
public sealed record DeviceInfo(string Id, string Domain, string Site, string? Zone, string? Kind, double? Lat, double? Lon, DeviceSnapshot? Live);

/// <summary>Finds a device's domain (registry, then live board, then the caller's hint) and applies the role check.</summary>
public sealed class DeviceResolver(DeviceRegistry registry, DeviceBoard devices)
{
    public DeviceInfo? Resolve(string id, string? domainHint, ClaimsPrincipal user, out IResult? problem)
    {
        problem = null;
        var live = devices.Find(id);
        var registered = registry.Find(id);
        var domain = registered?.Domain ?? live?.Domain ?? domainHint;
        if (domain is null || !Domains.IsTelemetryDomain(domain))
        {
            problem = Results.NotFound();
            return null;
        }

        if (!user.CanSee(domain))
        {
            problem = Results.Forbid();
            return null;
        }

        return new DeviceInfo(id, domain, registered?.Site ?? live?.Site ?? "", registered?.Zone ?? live?.Zone, registered?.Kind ?? live?.Kind,
            registered?.Lat ?? live?.Lat, registered?.Lon ?? live?.Lon, live);
    }
}
