using DeviceSim.Replay;

namespace DeviceSim.Tests.Replay;

public sealed class ReplayPlanTests
{
    private const string Csv = """
        # comment lines and blank lines are skipped

        device,time,field,value
        air-yp-0001,2026-11-24T00:30:00Z,pm25,56.9
        water-pk-0001,2026-11-24T00:30:20Z,nh4,9.6
        air-yp-0001,2026-11-24T00:30:00Z,pm10,88.3
        air-yp-0001,2026-11-24T00:31:00Z,pm25,60.1
        meter-nx-0001,2026-11-24T07:30:40+07:00,voltage,219.5
        air-yp-0001,1763944200000,rh,84
        """;

    private static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, 500, TimeSpan.Zero);

    private static ReplayPlan Plan(ReplaySpeed speed, ReplayTimestamps timestamps = ReplayTimestamps.Original) =>
        ReplayPlan.Build(ReplayCsv.Parse(new StringReader(Csv)), new DeviceResolver(), speed, timestamps, Start);

    [Fact]
    public void Build_RowsOfOneDeviceAndTime_BecomeOneMessage_InTimeOrder()
    {
        var plan = Plan(ReplaySpeed.Original);

        Assert.Equal(6, plan.Rows);
        Assert.Equal(["air-yp-0001", "water-pk-0001", "meter-nx-0001"], plan.Devices);

        // 1763944200000 ms is 2025-11-24T00:30:00Z: a year earlier, so that reading goes first, on its own.
        Assert.Equal(
            ["air-yp-0001@2025-11-24T00:30:00 rh", "air-yp-0001@2026-11-24T00:30:00 pm25,pm10", "water-pk-0001@2026-11-24T00:30:20 nh4",
             "meter-nx-0001@2026-11-24T00:30:40 voltage", "air-yp-0001@2026-11-24T00:31:00 pm25"],
            plan.Messages.Select(m => $"{m.Device}@{m.RecordedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss} {string.Join(',', m.Values.Select(v => v.Key))}"));
        Assert.Equal([1L, 2L, 1L, 1L, 3L], plan.Messages.Select(m => m.Sequence));
        Assert.Equal([0, 0, 1, 2, 0], plan.Messages.Select(m => m.Publisher));
        Assert.Equal(6, plan.Points);
    }

    [Fact]
    public void Build_OffsetTimes_AreTheSameInstantsAsUtc()
    {
        var plan = Plan(ReplaySpeed.Original);

        // 07:30:40+07:00 is 00:30:40Z.
        Assert.Contains(plan.Messages, m => m.Device == "meter-nx-0001" && m.RecordedAt == new DateTimeOffset(2026, 11, 24, 0, 30, 40, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 0, 30, 40, TimeSpan.Zero), plan.Messages.Single(m => m.Device == "meter-nx-0001").Timestamp);
    }

    [Theory]
    [InlineData(1, 80)]
    [InlineData(10, 8)]
    [InlineData(0.5, 160)]
    public void Due_IsTheRecordedSpacingDividedByTheSpeed(double speed, double lastDueSeconds)
    {
        const string csv = "device,time,field,value\nair-yp-0001,2026-11-24T00:00:00Z,pm25,1\nair-yp-0001,2026-11-24T00:00:20Z,pm25,2\nwater-pk-0001,2026-11-24T00:01:20Z,ph,7\n";
        var plan = ReplayPlan.Build(ReplayCsv.Parse(new StringReader(csv)), new DeviceResolver(), new ReplaySpeed(speed), ReplayTimestamps.Original, Start);

        Assert.Equal(TimeSpan.Zero, plan.Messages[0].Due);
        Assert.Equal(TimeSpan.FromSeconds(20 / speed), plan.Messages[1].Due);
        Assert.Equal(TimeSpan.FromSeconds(lastDueSeconds), plan.Messages[2].Due);
    }

    [Fact]
    public void SpeedMax_SendsEverythingAtOnce_InOrder()
    {
        var plan = Plan(ReplaySpeed.Max);

        Assert.All(plan.Messages, m => Assert.Equal(TimeSpan.Zero, m.Due));
        Assert.Equal(plan.Messages.OrderBy(m => m.RecordedAt).Select(m => m.RecordedAt), plan.Messages.Select(m => m.RecordedAt));
    }

    [Fact]
    public void Shift_MovesTheLastReadingToTheStart_KeepingSpacingAndNothingInTheFuture()
    {
        var plan = Plan(ReplaySpeed.Original, ReplayTimestamps.Shift);

        Assert.True(plan.Messages.Max(m => m.Timestamp) <= Start);
        Assert.True(Start - plan.Messages.Max(m => m.Timestamp) < TimeSpan.FromSeconds(1));
        Assert.Equal(0, plan.Shift.Ticks % TimeSpan.TicksPerSecond);
        Assert.All(plan.Messages, m => Assert.Equal(plan.Shift, m.Timestamp - m.RecordedAt));
    }

    [Fact]
    public void Now_StampsEachMessageWithItsDueTime()
    {
        var plan = Plan(new ReplaySpeed(60), ReplayTimestamps.Now);

        Assert.All(plan.Messages, m => Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds((Start + m.Due).ToUnixTimeMilliseconds()), m.Timestamp));
    }

    [Fact]
    public void Resolver_UsesColumnsThenRegistryThenTheIdNaming()
    {
        var registry = DeviceResolver.ReadRegistry("id,domain,site,zone,kind,lat,lon\nstation-7,water,song-duong,Thuận Thành,river-station,21.06,106.09\n");
        var resolver = new DeviceResolver(registry);

        Assert.Equal(("air", "yen-phong"), resolver.Resolve(new ReplayRow(2, "air-yp-0001", Start, "pm25", 1, null, null)));
        Assert.Equal(("water", "song-duong"), resolver.Resolve(new ReplayRow(3, "station-7", Start, "ph", 7, null, null)));
        Assert.Equal(("meter", "lab"), resolver.Resolve(new ReplayRow(4, "m1", Start, "voltage", 220, "meter", "lab")));
        var error = Assert.Throws<FormatException>(() => resolver.Resolve(new ReplayRow(5, "mystery", Start, "x", 1, null, null)));
        Assert.Contains("line 5", error.Message);
    }

    [Theory]
    [InlineData("device,time,value\nair-yp-0001,2026-11-24T00:00:00Z,1\n", "header lacks field")]
    [InlineData("device,time,field,value\nair-yp-0001,2026-11-24 00:00:00,pm25,1\n", "line 2: time")]
    [InlineData("device,time,field,value\nair-yp-0001,2026-11-24T00:00:00Z,pm25,high\n", "line 2: value 'high'")]
    [InlineData("device,time,field,value\n,2026-11-24T00:00:00Z,pm25,1\n", "line 2: no device")]
    [InlineData("", "empty")]
    public void Parse_BadFile_SaysWhichLineAndWhy(string csv, string expected)
    {
        var error = Assert.Throws<FormatException>(() => ReplayCsv.Parse(new StringReader(csv)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("10", 10)]
    [InlineData("0.5", 0.5)]
    [InlineData("60x", 60)]
    [InlineData("max", double.PositiveInfinity)]
    [InlineData("MAX", double.PositiveInfinity)]
    public void Speed_Parses(string text, double factor)
    {
        Assert.True(ReplaySpeed.TryParse(text, out var speed));
        Assert.Equal(factor, speed.Factor);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("fast")]
    [InlineData("")]
    public void Speed_RefusesNonsense(string text) => Assert.False(ReplaySpeed.TryParse(text, out _));

    [Fact]
    public void ShippedSample_GroupsIntoThirtyMessagesOfFourFields()
    {
        var sample = Path.Combine(AppContext.BaseDirectory, "Samples", "replay-sample.csv");
        var plan = ReplayPlan.Build(ReplayCsv.ParseFile(sample), new DeviceResolver(), ReplaySpeed.Original, ReplayTimestamps.Original, Start);

        Assert.Equal(120, plan.Rows);
        Assert.Equal(30, plan.Messages.Count);
        Assert.All(plan.Messages, m => Assert.Equal(4, m.Values.Count));
        Assert.Equal(["air", "water", "meter"], plan.Messages.Select(m => m.Domain).Distinct());
    }
}
