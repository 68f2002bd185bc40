using System.Globalization;
using Ingest.Worker.Alerting.Aqi;

namespace Ingest.Worker.Tests.Alerting.Aqi;

/// <summary>Every case in <c>vn-aqi-cases.csv</c>, each with its expected value worked by hand from Decision 1459/QĐ-TCMT.</summary>
public sealed class VnAqiTests
{
    private static readonly string CasesFile = Path.Combine(AppContext.BaseDirectory, "Alerting", "Aqi", "vn-aqi-cases.csv");

    public static TheoryData<string, string, string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string, string, string>();
        foreach (var line in File.ReadLines(CasesFile))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var cells = line.Split(',', 5);
            data.Add(cells[0], cells[1], cells[2], cells[3], cells[4]);
        }

        return data;
    }

    [Fact]
    public void CasesFile_HasAtLeastFortyCases() => Assert.True(Cases().Count >= 40);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_MatchesHandWorkedValue(string kind, string pollutant, string input, string expected, string why)
    {
        switch (kind)
        {
            case "sub":
                var sub = VnAqi.SubIndex(Enum.Parse<AqiPollutant>(pollutant), Number(input));
                Assert.Equal(Expected(expected), sub is { } s ? VnAqi.Round(s) : null);
                break;
            case "nowcast":
                var nowCast = VnAqi.NowCast(Hours(input, ';'));
                Assert.Equal(expected == "none" ? (double?)null : Number(expected), nowCast is { } n ? Math.Round(n, 2) : null);
                break;
            case "hourly":
                var h = Pairs(input);
                var hourly = VnAqi.Hourly(
                    h.TryGetValue("pm25h", out var p25) ? Hours(p25, '|') : null,
                    h.TryGetValue("pm10h", out var p10) ? Hours(p10, '|') : null,
                    Get(h, "o3"), Get(h, "co"), Get(h, "so2"), Get(h, "no2"));
                Assert.Equal(Expected(expected), hourly?.Value);
                break;
            case "daily":
                var d = Pairs(input);
                var daily = VnAqi.Daily(
                    Get(d, "pm25"), Get(d, "pm10"), Get(d, "o3max1h"), Get(d, "o3max8h"), Get(d, "co"), Get(d, "so2"), Get(d, "no2max"));
                Assert.Equal(Expected(expected), daily?.Value);
                break;
            default:
                Assert.Fail($"unknown case kind '{kind}' ({why})");
                break;
        }
    }

    [Theory]
    [InlineData(0, 1, "Tốt")]
    [InlineData(50, 1, "Tốt")]
    [InlineData(51, 2, "Trung bình")]
    [InlineData(100, 2, "Trung bình")]
    [InlineData(101, 3, "Kém")]
    [InlineData(151, 4, "Xấu")]
    [InlineData(201, 5, "Rất xấu")]
    [InlineData(300, 5, "Rất xấu")]
    [InlineData(301, 6, "Nguy hại")]
    [InlineData(500, 6, "Nguy hại")]
    public void Band_Of_OfficialBandsAndNames(int aqi, int level, string name)
    {
        var band = AqiBand.Of(aqi);

        Assert.Equal(level, band.Level);
        Assert.Equal(name, band.NameVi);
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static int? Expected(string text) => text == "none" ? null : int.Parse(text, CultureInfo.InvariantCulture);

    private static double? Get(Dictionary<string, string> pairs, string key) => pairs.TryGetValue(key, out var v) ? Number(v) : null;

    private static List<double?> Hours(string text, char separator) =>
        [.. text.Split(separator).Select(c => c == "-" ? (double?)null : Number(c))];

    private static Dictionary<string, string> Pairs(string text) =>
        text.Split(';').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
}
