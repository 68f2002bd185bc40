using System.Globalization;
using Ingest.Contracts;

namespace DeviceSim.Fleet;

/// <summary>
/// Turns a <see cref="FleetPlan"/> into devices. Placement is deterministic: devices go round-robin over the sites that
/// host their domain, ids count per site (<c>air-yp-0001</c>, <c>water-cau-0003</c>, <c>meter-nx-0012</c>,
/// <c>gw-vsip-01</c>), and each device's position is scattered around its site by a hash of its id, so the same plan
/// always gives the same map.
/// </summary>
public static class FleetBuilder
{
    private const double ScatterKm = 1.5;

    public static IReadOnlyList<DeviceSpec> Build(FleetPlan plan)
    {
        plan.Validate();
        var sites = SiteCatalog.Select(plan.Sites ?? []);
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        var devices = new List<DeviceSpec>(plan.Publishers);

        Place(plan.Air, Domains.Air, sites.Where(s => s.HostsAir).ToList(), "--air");
        Place(plan.Water, Domains.Water, sites.Where(s => s.HostsWater).ToList(), "--water");
        Place(plan.Meters, Domains.Meter, sites.Where(s => s.HostsMeters).ToList(), "--meters");

        var gatewaySites = sites.Where(s => s.HostsGateways).ToList();
        RequireSites(plan.Gateways, gatewaySites, "--gateways");
        for (var i = 0; i < plan.Gateways; i++)
        {
            var site = gatewaySites[i % gatewaySites.Count];
            var number = Next(counters, $"gw/{site.Code}");
            var id = $"{plan.IdPrefix}gw-{site.Code}-{number.ToString("00", CultureInfo.InvariantCulture)}";
            var (lat, lon) = Scatter(site, id);
            var children = new List<DeviceSpec>(plan.ChildrenPerGateway);
            for (var c = 1; c <= plan.ChildrenPerGateway; c++)
            {
                // Industrial gateways mostly forward sub-meters; every fifth child is a fence air sensor.
                var domain = c % 5 == 0 ? Domains.Air : Domains.Meter;
                var childId = $"{plan.IdPrefix}{domain}-{site.Code}-{number.ToString("00", CultureInfo.InvariantCulture)}{c.ToString("000", CultureInfo.InvariantCulture)}";
                var (clat, clon) = Scatter(site, childId);
                children.Add(new DeviceSpec(-1, childId, domain, site, domain == Domains.Air ? DeviceKinds.LowCostFence : DeviceKinds.Submeter, clat, clon, []));
            }

            devices.Add(new DeviceSpec(devices.Count, id, Domains.Gateway, site, "gateway", lat, lon, children));
        }

        return devices;

        void Place(int count, string domain, List<Site> eligible, string option)
        {
            RequireSites(count, eligible, option);
            for (var i = 0; i < count; i++)
            {
                var site = eligible[i % eligible.Count];
                var number = Next(counters, $"{domain}/{site.Code}");
                var id = $"{plan.IdPrefix}{domain}-{site.Code}-{number.ToString("0000", CultureInfo.InvariantCulture)}";
                var (lat, lon) = Scatter(site, id);
                devices.Add(new DeviceSpec(devices.Count, id, domain, site, KindFor(domain, site, number), lat, lon, []));
            }
        }
    }

    /// <summary>Every device the registry must list: publishers and gateway children.</summary>
    public static IEnumerable<DeviceSpec> WithChildren(IEnumerable<DeviceSpec> devices) =>
        devices.SelectMany(d => d.Children.Count == 0 ? [d] : d.Children.Prepend(d));

    private static string KindFor(string domain, Site site, int number) => (domain, site.Kind) switch
    {
        (Domains.Air, SiteKind.IndustrialZone) => DeviceKinds.LowCostFence,
        (Domains.Air, _) => number % 4 == 0 ? DeviceKinds.LowCostSchool : DeviceKinds.LowCostRoadside,
        (Domains.Water, SiteKind.IndustrialZone) => DeviceKinds.Outfall,
        (Domains.Water, _) => DeviceKinds.RiverStation,
        (Domains.Meter, SiteKind.IndustrialZone) => DeviceKinds.Commercial,
        (Domains.Meter, _) => number % 10 == 0 ? DeviceKinds.HouseholdSolar : DeviceKinds.Household,
        _ => domain,
    };

    private static void RequireSites(int count, List<Site> eligible, string option)
    {
        if (count > 0 && eligible.Count == 0)
        {
            throw new ArgumentException($"{option}: none of the chosen sites can host this kind of device; add a suitable site to --sites");
        }
    }

    private static int Next(Dictionary<string, int> counters, string key)
    {
        counters.TryGetValue(key, out var n);
        counters[key] = ++n;
        return n;
    }

    private static (double Lat, double Lon) Scatter(Site site, string id)
    {
        var random = new Random(StableHash.Seed(0, id));
        var distanceKm = ScatterKm * Math.Sqrt(random.NextDouble());
        var bearing = 2 * Math.PI * random.NextDouble();
        var dLat = distanceKm * Math.Cos(bearing) / 111.32;
        var dLon = distanceKm * Math.Sin(bearing) / (111.32 * Math.Cos(site.Lat * Math.PI / 180));
        return (Math.Round(site.Lat + dLat, 5), Math.Round(site.Lon + dLon, 5));
    }
}
