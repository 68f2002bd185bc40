namespace DeviceSim.Fleet;

/// <summary>
/// The Bắc Ninh places the simulator knows. Coordinates are the approximate centre of each zone, river reach or ward
/// (WGS 84, read off public maps); devices are scattered up to about 1.5 km around them.
/// </summary>
public static class SiteCatalog
{
    public static IReadOnlyList<Site> All { get; } =
    [
        // Industrial zones (khu công nghiệp).
        new("yen-phong", "yp", "KCN Yên Phong", "Yên Phong", SiteKind.IndustrialZone, 21.2065, 105.9585, 1.30, 0.35),
        new("que-vo", "qv", "KCN Quế Võ", "Quế Võ", SiteKind.IndustrialZone, 21.1525, 106.1290, 1.35, 0.40),
        new("vsip", "vsip", "VSIP Bắc Ninh", "Từ Sơn", SiteKind.IndustrialZone, 21.0885, 105.9960, 1.15, 0.25),
        new("tien-son", "ts", "KCN Tiên Sơn", "Tiên Du", SiteKind.IndustrialZone, 21.1195, 106.0005, 1.25, 0.35),

        // Rivers: the Cầu at Đáp Cầu (upstream, cleaner), the Đuống at cầu Hồ, and the Ngũ Huyện Khê below the
        // Phong Khê paper and Đa Hội steel craft villages (the province's worst reaches).
        new("song-cau", "cau", "Sông Cầu – Đáp Cầu", "TP Bắc Ninh", SiteKind.River, 21.2075, 106.0875, 1.0, 0.12),
        new("song-duong", "duong", "Sông Đuống – cầu Hồ", "Thuận Thành", SiteKind.River, 21.0660, 106.0990, 1.0, 0.20),
        new("nhk-phong-khe", "pk", "Ngũ Huyện Khê – Phong Khê", "TP Bắc Ninh", SiteKind.River, 21.1930, 106.0330, 1.0, 0.85),
        new("nhk-da-hoi", "dh", "Ngũ Huyện Khê – Đa Hội", "Từ Sơn", SiteKind.River, 21.1335, 105.9365, 1.0, 0.80),

        // City wards (phường) of Bắc Ninh city and Từ Sơn.
        new("ninh-xa", "nx", "Phường Ninh Xá", "TP Bắc Ninh", SiteKind.Ward, 21.1800, 106.0605, 1.05, 0),
        new("suoi-hoa", "sh", "Phường Suối Hoa", "TP Bắc Ninh", SiteKind.Ward, 21.1835, 106.0725, 1.00, 0),
        new("vu-ninh", "vn", "Phường Vũ Ninh", "TP Bắc Ninh", SiteKind.Ward, 21.1965, 106.0790, 1.00, 0),
        new("dai-phuc", "dp", "Phường Đại Phúc", "TP Bắc Ninh", SiteKind.Ward, 21.1680, 106.0720, 1.05, 0),
        new("dong-ngan", "dn", "Phường Đông Ngàn", "Từ Sơn", SiteKind.Ward, 21.1185, 105.9650, 1.10, 0),
    ];

    public static Site? Find(string id) =>
        All.FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>The named sites, or all of them when <paramref name="ids"/> is empty; unknown names throw with the list of valid ones.</summary>
    public static IReadOnlyList<Site> Select(IReadOnlyCollection<string> ids)
    {
        if (ids.Count == 0)
        {
            return All;
        }

        var result = new List<Site>(ids.Count);
        foreach (var id in ids)
        {
            var site = Find(id) ?? throw new ArgumentException(
                $"unknown site '{id}'; known sites: {string.Join(", ", All.Select(s => s.Id))}", nameof(ids));
            if (!result.Contains(site))
            {
                result.Add(site);
            }
        }

        return result;
    }
}
