namespace Ingest.Contracts;

/// <summary>
/// The device kinds of the registry's <c>kind</c> column that the simulator writes and the dashboard names in words; a
/// registry may hold others, which are shown as written.
/// </summary>
public static class DeviceKinds
{
    public const string LowCostRoadside = "lcs-roadside";
    public const string LowCostSchool = "lcs-school";
    public const string LowCostFence = "lcs-fence";
    public const string RiverStation = "river-station";
    public const string Outfall = "outfall";
    public const string Household = "household";
    public const string HouseholdSolar = "household-solar";
    public const string Commercial = "commercial";
    public const string Submeter = "submeter";
}
