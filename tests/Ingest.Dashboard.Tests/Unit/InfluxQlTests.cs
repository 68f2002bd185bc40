using Ingest.Dashboard.History;

namespace Ingest.Dashboard.Tests.Unit;

public sealed class InfluxQlTests
{
    [Theory]
    [InlineData("air-ts-0001", "'air-ts-0001'")]
    [InlineData("x' OR device != 'y", @"'x\' OR device != \'y'")]
    [InlineData(@"back\slash", @"'back\\slash'")]
    [InlineData("line\nbreak", "'line break'")]
    public void String_literals_are_quoted_and_escaped(string text, string expected) => Assert.Equal(expected, InfluxQl.Literal(text));

    [Theory]
    [InlineData("pm25", "\"pm25\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData(@"a\", "\"a\\\\\"")]
    public void Identifiers_are_quoted_and_escaped(string name, string expected) => Assert.Equal(expected, InfluxQl.Identifier(name));

    [Theory]
    [InlineData("pm25", true)]
    [InlineData("energy_import", true)]
    [InlineData("pm25\") FROM \"x", false)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    public void Plain_names(string name, bool plain) => Assert.Equal(plain, InfluxQl.IsPlainName(name));

    [Fact]
    public void Times_are_integer_milliseconds() =>
        Assert.Equal("1764000000000ms", InfluxQl.Time(DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_000)));
}

public sealed class HistoryRangeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("1h", 10)]
    [InlineData("6h", 60)]
    [InlineData("24h", 300)]
    [InlineData("7d", 1800)]
    [InlineData("30d", 7200)]
    public void Named_ranges_get_the_smallest_step_under_the_point_limit(string range, int stepSeconds)
    {
        var r = HistoryRange.Parse(range, null, null, Now, out var error)!;
        Assert.Null(error);
        Assert.Equal(TimeSpan.FromSeconds(stepSeconds), r.Step);
        Assert.True(r.Length / r.Step < HistoryRange.MaxPoints);
        Assert.Equal(Now, r.To);
    }

    [Fact]
    public void Explicit_ranges_are_bounded()
    {
        Assert.NotNull(HistoryRange.Parse(null, Now.AddDays(-31), Now, Now, out _));
        Assert.Null(HistoryRange.Parse(null, Now.AddDays(-32), Now, Now, out var tooLong));
        Assert.NotNull(tooLong);
        Assert.Null(HistoryRange.Parse(null, Now, Now.AddHours(-1), Now, out _));
        Assert.Null(HistoryRange.Parse("2y", null, null, Now, out var unknown));
        Assert.Contains("30d", unknown, StringComparison.Ordinal);
    }
}

public sealed class CsvCellTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("-1+1", "'-1+1")]
    public void Cells_are_quoted_and_formulas_defused(string text, string expected) => Assert.Equal(expected, CsvExport.Cell(text));
}
