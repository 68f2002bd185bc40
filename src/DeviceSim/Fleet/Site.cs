namespace DeviceSim.Fleet;

/// <summary>What a site is, which decides the devices placed there and how polluted its readings are.</summary>
public enum SiteKind
{
    /// <summary>An industrial zone (khu công nghiệp): fence air sensors, treated-wastewater outfalls, gateways.</summary>
    IndustrialZone,

    /// <summary>A river monitoring station.</summary>
    River,

    /// <summary>A city ward (phường): roadside and school air sensors, household meters.</summary>
    Ward,
}

/// <summary>
/// A real place in Bắc Ninh province. <paramref name="Id"/> is the ASCII slug used in topics, <paramref name="Code"/> the
/// short code used in device ids (<c>air-yp-0001</c>). <paramref name="AirLoad"/> scales PM and gases (1 = city background),
/// <paramref name="WaterLoad"/> is the pollution load of a river reach or outfall (0 clean … 1 untreated craft-village
/// wastewater).
/// </summary>
public sealed record Site(
    string Id,
    string Code,
    string Name,
    string Zone,
    SiteKind Kind,
    double Lat,
    double Lon,
    double AirLoad,
    double WaterLoad)
{
    public bool HostsAir => Kind is SiteKind.IndustrialZone or SiteKind.Ward;

    public bool HostsWater => Kind is SiteKind.River or SiteKind.IndustrialZone;

    public bool HostsMeters => Kind is SiteKind.Ward or SiteKind.IndustrialZone;

    public bool HostsGateways => Kind is SiteKind.IndustrialZone;
}
