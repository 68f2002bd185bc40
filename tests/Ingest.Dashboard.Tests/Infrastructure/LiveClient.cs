using System.Collections.Concurrent;
using Ingest.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace Ingest.Dashboard.Tests.Infrastructure;

/// <summary>A .NET SignalR client of <c>/hubs/live</c> with a signed-in user's cookie; records what the server pushes.</summary>
public sealed class LiveClient : IAsyncDisposable
{
    private LiveClient(HubConnection connection) => Connection = connection;

    public HubConnection Connection { get; }

    public ConcurrentQueue<AlertEvent> Alerts { get; } = new();

    public static async Task<LiveClient> ConnectAsync(DashboardApp app, SignedInClient user)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(app.BaseUri, "hubs/live"), o => o.Cookies = user.Cookies)
            .Build();
        var client = new LiveClient(connection);
        connection.On<AlertEvent>("AlertChanged", a => client.Alerts.Enqueue(a));
        await connection.StartAsync(TestContext.Current.CancellationToken);

        // Like the browser, fetch the open alerts once connected: the server answers only after the hub's
        // OnConnectedAsync has joined the groups (with Redis, subscribed to them), which StartAsync does not wait for.
        await connection.InvokeAsync<IReadOnlyList<AlertEvent>>("GetOpenAlerts", TestContext.Current.CancellationToken);
        return client;
    }

    /// <summary>Waits for an alert event matching <paramref name="match"/>; null when none came within <paramref name="timeout"/>.</summary>
    public async Task<AlertEvent?> WaitForAsync(Func<AlertEvent, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Alerts.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return Alerts.FirstOrDefault(match);
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
