using System.Globalization;
using System.Text;
using Ingest.Worker.Decoding;

namespace Ingest.Worker.Tests.Decoding;

/// <summary>The byte-level reading of the common timestamp form agrees with the general parser, or leaves the text to it.</summary>
public sealed class Rfc3339Tests
{
    [Theory]
    [InlineData("2026-11-24T11:00:00Z")]
    [InlineData("2026-11-24T11:00:00.1Z")]
    [InlineData("2026-11-24T11:00:00.123Z")]
    [InlineData("2026-11-24T11:00:00.1234567Z")]
    [InlineData("2026-11-24T18:00:00+07:00")]
    [InlineData("2026-11-24T00:30:00.5-03:30")]
    [InlineData("2024-02-29T23:59:59.9999999+00:00")]
    [InlineData("2026-01-01T00:00:00+13:59")]
    public void CommonForm_ReadFromBytes_SameValueAsTheGeneralParser(string text)
    {
        Assert.True(Rfc3339.TryParseCommon(Encoding.UTF8.GetBytes(text), out var fast));
        Assert.True(Rfc3339.TryParse(text, out var general));
        Assert.Equal(general, fast);
        Assert.Equal(TimeSpan.Zero, fast.Offset);
    }

    [Theory]
    [InlineData("2026-11-24T11:00:00.12345678Z")] // more than 7 fraction digits
    [InlineData("2026-11-24t11:00:00Z")]
    [InlineData("2026-11-24 11:00:00Z")]
    [InlineData("2026-11-24T11:00:00z")]
    [InlineData("2026-11-24T24:00:00Z")]
    [InlineData("2026-11-24T23:59:60Z")]
    [InlineData("2025-02-29T10:00:00Z")]
    [InlineData("2026-13-01T10:00:00Z")]
    [InlineData("2026-11-24T11:00:00+14:00")]
    [InlineData("2026-11-24T11:00:00.Z")]
    [InlineData("2026-11-24T11:00:00")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("2026-11-24T11:00:00+0700")]
    [InlineData("２０２６-11-24T11:00:00Z")]
    public void OtherForms_LeftToTheGeneralParser(string text)
    {
        Assert.False(Rfc3339.TryParseCommon(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void RandomTimestampsOfTheCommonForm_AgreeWithTheGeneralParser()
    {
        var random = new Random(3339);
        for (var n = 0; n < 20_000; n++)
        {
            var instant = new DateTime(2000, 1, 1).AddTicks(random.NextInt64(0, TimeSpan.TicksPerDay * 365 * 60));
            var offset = TimeSpan.FromMinutes(random.Next(-13 * 60, 13 * 60 + 1));
            var digits = random.Next(0, 8);
            var fraction = digits == 0 ? "" : "." + instant.ToString("fffffff", CultureInfo.InvariantCulture)[..digits];
            var zone = offset == TimeSpan.Zero && random.Next(2) == 0
                ? "Z"
                : (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
            var text = instant.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + fraction + zone;

            Assert.True(Rfc3339.TryParseCommon(Encoding.UTF8.GetBytes(text), out var fast), text);
            Assert.True(Rfc3339.TryParse(text, out var general), text);
            Assert.True(general == fast && general.Offset == fast.Offset, $"{text}: {fast:O} against {general:O}");
        }
    }
}
