namespace Ingest.Dashboard.Live;

/// <summary>
/// Scale-out of the dashboard (section <c>SignalR</c>). With <see cref="Redis"/> set, every instance joins the SignalR
/// Redis backplane, and live events reach the browsers through it: each MQTT message is relayed by exactly one instance
/// (an MQTT shared subscription in <see cref="RelayGroup"/>) to the clients of all instances. Every instance still reads
/// the whole stream for its own state (open alerts, devices, AQI), so any instance answers any page.
/// </summary>
public sealed class BackplaneOptions
{
    public const string Section = "SignalR";

    /// <summary>StackExchange.Redis configuration string (<c>host:6379,password=…</c>); empty: a single instance.</summary>
    public string? Redis { get; set; }

    /// <summary>Shared-subscription group of the instances' relays; one group per dashboard deployment.</summary>
    public string RelayGroup { get; set; } = "bn-dashboard";

    public bool Enabled => !string.IsNullOrWhiteSpace(Redis);
}
