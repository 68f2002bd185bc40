using DeviceSim.Fleet;
using DeviceSim.Generators;
using Ingest.Contracts;

namespace DeviceSim.Tests.Generators;

/// <summary>The patterns the issue asks for, checked on fleet averages over simulated weeks (deterministic for the seed).</summary>
public sealed class RealismTests
{
    private const int Seed = 5;

    private static List<TelemetryDocument> Week(IReadOnlyList<DeviceSpec> devices, DateTimeOffset start, TimeSpan step) =>
        devices.SelectMany(d => Simulation.Run(GeneratorFactory.Create(d, Seed), start, step, (int)(TimeSpan.FromDays(7) / step))).ToList();

    [Fact]
    public void Sites_AreRealBacNinhPlacesWithCoordinatesInTheProvince()
    {
        foreach (var id in new[] { "yen-phong", "que-vo", "vsip", "tien-son", "song-cau", "song-duong", "nhk-phong-khe", "nhk-da-hoi", "ninh-xa" })
        {
            Assert.NotNull(SiteCatalog.Find(id));
        }

        foreach (var device in FleetBuilder.Build(new FleetPlan(50, 30, 50, 2, 50)))
        {
            // Bắc Ninh province: about 20.95–21.30 N, 105.90–106.35 E.
            Assert.InRange(device.Lat, 20.95, 21.30);
            Assert.InRange(device.Lon, 105.90, 106.35);
        }
    }

    [Fact]
    public void Pm25_RushHoursAboveAfternoon_NightInversionAboveAfternoon_WinterAboveSummer()
    {
        var wards = Simulation.Fleet(12, 0, 0, "ninh-xa", "suoi-hoa", "dong-ngan");
        var winter = Week(wards, Simulation.WinterDay, TimeSpan.FromMinutes(10));
        var summer = Week(wards, Simulation.SummerDay, TimeSpan.FromMinutes(10));

        var morningRush = Simulation.MeanAtHour(winter, Fields.Pm25, 7.5);
        var eveningRush = Simulation.MeanAtHour(winter, Fields.Pm25, 18.5);
        var afternoon = Simulation.MeanAtHour(winter, Fields.Pm25, 14);
        var night = Simulation.MeanAtHour(winter, Fields.Pm25, 2);
        Assert.True(morningRush > 1.2 * afternoon, $"07:30 {morningRush:F1} vs 14:00 {afternoon:F1}");
        Assert.True(eveningRush > 1.2 * afternoon, $"18:30 {eveningRush:F1} vs 14:00 {afternoon:F1}");
        Assert.True(night > 1.2 * afternoon, $"02:00 {night:F1} vs 14:00 {afternoon:F1}");
        var winterMean = winter.Average(r => Simulation.Value(r, Fields.Pm25));
        var summerMean = summer.Average(r => Simulation.Value(r, Fields.Pm25));
        Assert.True(winterMean > 2 * summerMean, $"winter {winterMean:F1} vs summer {summerMean:F1}");
    }

    [Fact]
    public void Pm25_IndustrialZones_HaveEpisodesAndHigherLevelsThanWards()
    {
        var industrial = Simulation.Fleet(8, 0, 0, "yen-phong", "que-vo");
        var wards = Simulation.Fleet(8, 0, 0, "suoi-hoa", "vu-ninh");
        var start = Simulation.WinterDay;
        var step = TimeSpan.FromMinutes(15);

        var zone = industrial.Select(d => Simulation.Run(GeneratorFactory.Create(d, Seed), start, step, 4 * 24 * 30).ToList()).ToList();
        var ward = Week(wards, start, step);
        Assert.True(zone.SelectMany(r => r).Average(r => Simulation.Value(r, Fields.Pm25)) > ward.Average(r => Simulation.Value(r, Fields.Pm25)));

        // An episode: SO2 (industry only) at least 1.6× the device's median for an hour or more.
        var withEpisode = zone.Count(readings =>
        {
            var so2 = readings.Select(r => Simulation.Value(r, Fields.So2)).ToList();
            var median = so2.Order().ElementAt(so2.Count / 2);
            var longest = 0;
            var run = 0;
            foreach (var value in so2)
            {
                run = value > 1.6 * median ? run + 1 : 0;
                longest = Math.Max(longest, run);
            }

            return longest >= 4;
        });
        Assert.True(withEpisode >= zone.Count / 2, $"{withEpisode} of {zone.Count} industrial sensors had an episode in 30 days");
    }

    [Fact]
    public void WaterDissolvedOxygen_HigherAfternoonThanBeforeDawn_AndCraftVillageReachesFarWorseThanTheCau()
    {
        var cau = Simulation.Fleet(0, 4, 0, "song-cau");
        var phongKhe = Simulation.Fleet(0, 4, 0, "nhk-phong-khe");
        var cauWeek = Week(cau, Simulation.SummerDay, TimeSpan.FromMinutes(20));
        var pkWeek = Week(phongKhe, Simulation.SummerDay, TimeSpan.FromMinutes(20));

        var afternoon = Simulation.MeanAtHour(cauWeek, Fields.DissolvedOxygen, 15);
        var dawn = Simulation.MeanAtHour(cauWeek, Fields.DissolvedOxygen, 5);
        Assert.True(afternoon > dawn + 1, $"DO 15:00 {afternoon:F2} vs 05:00 {dawn:F2}");

        double Mean(List<TelemetryDocument> r, string f) => r.Average(x => Simulation.Value(x, f));
        Assert.True(Mean(pkWeek, Fields.Nh4) > 10 * Mean(cauWeek, Fields.Nh4), $"NH4 {Mean(pkWeek, Fields.Nh4):F2} vs {Mean(cauWeek, Fields.Nh4):F2}");
        Assert.True(Mean(pkWeek, Fields.Cod) > 4 * Mean(cauWeek, Fields.Cod), $"COD {Mean(pkWeek, Fields.Cod):F1} vs {Mean(cauWeek, Fields.Cod):F1}");
        // QCVN 08-MT:2015 column B1 allows NH4+ 0.9 mg/L and COD 30 mg/L: the Ngũ Huyện Khê exceeds both, the Cầu does not on average.
        Assert.True(Mean(pkWeek, Fields.Nh4) > 0.9 && Mean(pkWeek, Fields.Cod) > 30);
        Assert.True(Mean(cauWeek, Fields.Nh4) < 0.9 && Mean(cauWeek, Fields.Cod) < 30);
    }

    [Fact]
    public void HouseholdMeters_MorningAndEveningPeaks_VoltageSagsAtPeak()
    {
        var meters = Simulation.Fleet(0, 0, 20, "ninh-xa", "dai-phuc").Where(d => d.Kind == "household").ToList();
        var readings = Week(meters, Simulation.SummerDay, TimeSpan.FromMinutes(10)).Where(r => r.Flags is null).ToList();

        var night = Simulation.MeanAtHour(readings, Fields.Power, 3);
        var morning = Simulation.MeanAtHour(readings, Fields.Power, 6.5);
        var midday = Simulation.MeanAtHour(readings, Fields.Power, 10);
        var evening = Simulation.MeanAtHour(readings, Fields.Power, 19.5);
        Assert.True(morning > 1.5 * night && morning > midday, $"06:30 {morning:F2} kW vs 03:00 {night:F2}, 10:00 {midday:F2}");
        Assert.True(evening > morning && evening > 2.5 * night, $"19:30 {evening:F2} kW vs 06:30 {morning:F2}, 03:00 {night:F2}");
        var voltageNight = Simulation.MeanAtHour(readings, Fields.Voltage, 3);
        var voltagePeak = Simulation.MeanAtHour(readings, Fields.Voltage, 19.5);
        Assert.True(voltageNight - voltagePeak > 8, $"voltage 03:00 {voltageNight:F1} V vs 19:30 {voltagePeak:F1} V");
    }

    [Fact]
    public void Meters_HaveOccasionalOutages_ReadingNearZeroVolts()
    {
        var meters = Simulation.Fleet(0, 0, 30, "ninh-xa", "vsip");
        var readings = meters.SelectMany(d => Simulation.Run(GeneratorFactory.Create(d, Seed), Simulation.WinterDay, TimeSpan.FromMinutes(5), 12 * 24 * 90)).ToList();

        var outages = readings.Where(r => r.Flags?.Contains(Flags.Outage) == true).ToList();
        var share = (double)outages.Count / readings.Count;
        // About one outage per meter every 25 days, 5–90 minutes long: a fraction of a percent of the time, but present.
        Assert.InRange(share, 0.0002, 0.02);
        Assert.All(outages, r => Assert.True(Simulation.Value(r, Fields.Voltage) < 2 && Simulation.Value(r, Fields.Power) == 0));
    }

    [Theory]
    [InlineData(50)]
    [InlineData(500)]
    public void Gateway_ForwardsOneReadingPerChildInEachBatch(int children)
    {
        var gateway = FleetBuilder.Build(new FleetPlan(0, 0, 0, Gateways: 1, ChildrenPerGateway: children))[0];
        var generator = GeneratorFactory.CreateGateway(gateway, Seed);

        for (var i = 0; i < 3; i++)
        {
            var batch = generator.Next(Simulation.WinterDay + TimeSpan.FromMinutes(i));
            Assert.Equal(gateway.Id, batch.GatewayId);
            Assert.Equal(children, batch.Readings.Count);
            Assert.Equal(children, batch.Readings.Select(r => r.Id).Distinct().Count());
            Assert.All(batch.Readings, r => Assert.Equal(i + 1, r.Sequence));
        }

        var registry = RegistryWriter.ToCsv([gateway]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(children + 2, registry.Length);
        // Every row names its site as people call it, for the dashboard (the worker reads only the columns it knows).
        Assert.Equal("id,domain,site,zone,kind,lat,lon,site_name", registry[0]);
        Assert.All(registry.Skip(1), row => Assert.EndsWith("," + gateway.Site.Name, row, StringComparison.Ordinal));
    }
}
