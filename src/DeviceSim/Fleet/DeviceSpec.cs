using Ingest.Contracts;

namespace DeviceSim.Fleet;

/// <summary>
/// One simulated device. A gateway (<see cref="Domains.Gateway"/>) carries its child devices in <see cref="Children"/>
/// and publishes them as batches; every other device publishes its own telemetry. <see cref="Index"/> is the device's
/// position among the publishers of its fleet (children share their gateway's connection and have index -1).
/// </summary>
public sealed record DeviceSpec(
    int Index,
    string Id,
    string Domain,
    Site Site,
    string Kind,
    double Lat,
    double Lon,
    IReadOnlyList<DeviceSpec> Children)
{
    public bool IsGateway => Domain == Domains.Gateway;

    /// <summary>The device's telemetry topic, or the gateway's batch topic.</summary>
    public string DataTopic(Topics topics) =>
        IsGateway ? topics.GatewayBatch(Site.Id, Id) : topics.Telemetry(Domain, Site.Id, Id);

    public string StatusTopic(Topics topics) => topics.Status(Domain, Site.Id, Id);
}
