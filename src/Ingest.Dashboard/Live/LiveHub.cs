using Ingest.Contracts;
using Ingest.Dashboard.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Ingest.Dashboard.Live;

/// <summary>
/// <c>/hubs/live</c>. A connection joins the group of every domain its user's roles allow, and may watch sites of those
/// domains for readings; nothing of another domain is ever sent to it. The open alerts are fetched on (re)connect so a
/// browser catches up on what it missed while disconnected.
/// </summary>
[Authorize]
public sealed class LiveHub(AlertBoard alerts, DeviceBoard devices, AqiBoard aqi, Health.DashboardMetrics metrics) : Hub<ILiveClient>
{
    public override async Task OnConnectedAsync()
    {
        foreach (var domain in Context.User!.VisibleDomains())
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, LiveGroups.Domain(domain), Context.ConnectionAborted);
        }

        metrics.Connected();
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        metrics.Disconnected();
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>The open alerts this user may see, newest first.</summary>
    public IReadOnlyList<AlertEvent> GetOpenAlerts() => alerts.Open(Context.User!.VisibleDomains());

    /// <summary>Every device this user may see, with state and latest values.</summary>
    public IReadOnlyList<DeviceSnapshot> GetDevices() => devices.Devices(Context.User!.VisibleDomains());

    /// <summary>The current AQI of every air station (empty without the air domain).</summary>
    public IReadOnlyList<AqiUpdate> GetAqi() => Context.User!.CanSee(Domains.Air) ? aqi.All() : [];

    /// <summary>Receive the readings of one site; refused (false) for a domain the user may not see.</summary>
    public async Task<bool> WatchSite(string domain, string site)
    {
        if (!Context.User!.CanSee(domain) || string.IsNullOrEmpty(site) || site.Length > 128)
        {
            return false;
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, LiveGroups.Site(domain, site), Context.ConnectionAborted);
        return true;
    }

    public Task UnwatchSite(string domain, string site) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, LiveGroups.Site(domain, site), Context.ConnectionAborted);
}
