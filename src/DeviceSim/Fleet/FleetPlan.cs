namespace DeviceSim.Fleet;

/// <summary>How many devices of each kind to simulate and where. Sites empty means every known site.</summary>
public sealed record FleetPlan(
    int Air,
    int Water,
    int Meters,
    int Gateways = 0,
    int ChildrenPerGateway = 100,
    IReadOnlyList<string>? Sites = null,
    string IdPrefix = "")
{
    public const int MaxPublishers = 100_000;
    public const int MinChildren = 1;
    public const int MaxChildren = 1_000;

    public int Publishers => Air + Water + Meters + Gateways;

    /// <summary>Throws with a message a tester can act on when the plan cannot be built.</summary>
    public void Validate()
    {
        if (Air < 0 || Water < 0 || Meters < 0 || Gateways < 0)
        {
            throw new ArgumentException("device counts cannot be negative");
        }

        if (Publishers == 0)
        {
            throw new ArgumentException("the fleet is empty: give at least one of --air, --water, --meters or --gateways");
        }

        if (Publishers > MaxPublishers)
        {
            throw new ArgumentException($"at most {MaxPublishers} publishing devices per run (asked for {Publishers})");
        }

        if (Gateways > 0 && ChildrenPerGateway is < MinChildren or > MaxChildren)
        {
            throw new ArgumentException($"--children must be between {MinChildren} and {MaxChildren}");
        }
    }
}
