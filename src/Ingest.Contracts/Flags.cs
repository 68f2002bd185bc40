namespace Ingest.Contracts;

/// <summary>State words a device may send in its document's <c>flags</c> list (DESIGN.md §3).</summary>
public static class Flags
{
    public const string Tamper = "tamper";
    public const string Outage = "outage";
    public const string Maintenance = "maintenance";
    public const string LowBattery = "low_battery";
}
