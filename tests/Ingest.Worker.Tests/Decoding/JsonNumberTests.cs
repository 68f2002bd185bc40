using System.Globalization;
using System.Text;
using System.Text.Json;
using Ingest.Worker.Decoding;

namespace Ingest.Worker.Tests.Decoding;

public sealed class JsonNumberTests
{
    [Fact]
    public void TryGetDouble_ManyNumberTexts_BitForBitWhatTheReaderReturns()
    {
        var random = new Random(2611);
        string[] edges = ["0", "-0", "0.0", "-0.0", "1", "-1", "0.1", "0.29", "2.675", "1.005", "123456789012345", "1234567890123456",
            "999999999999999", "-999999999999999", "0.000000000000001", "0.0000000000000001", "9007199254740993", "1e5", "1E-3",
            "-2.5e-3", "512.4", "21.3", "35.20", "100.00", "1.7976931348623157e308", "5e-324", "123.456789012345", "12345678.1234567"];
        IEnumerable<string> Texts()
        {
            foreach (var edge in edges)
            {
                yield return edge;
            }

            for (var i = 0; i < 200_000; i++)
            {
                var number = (random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-6, 17));
                yield return random.Next(4) switch
                {
                    0 => number.ToString("R", CultureInfo.InvariantCulture),
                    1 => number.ToString("F" + random.Next(0, 16), CultureInfo.InvariantCulture),
                    2 => random.NextInt64(-999_999_999_999_999, 999_999_999_999_999).ToString(CultureInfo.InvariantCulture),
                    _ => number.ToString("E" + random.Next(0, 16), CultureInfo.InvariantCulture),
                };
            }
        }

        foreach (var text in Texts())
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
            Assert.True(reader.Read(), text);
            Assert.Equal(reader.TryGetDouble(out var expected), JsonNumber.TryGetDouble(ref reader, out var actual));
            Assert.True(
                BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
                $"{text}: the reader reads {expected:R}, the fast path {actual:R}");
        }
    }

    [Theory]
    [InlineData("512.4", true, 512.4)]
    [InlineData("-0.05", true, -0.05)]
    [InlineData("123456789012345", true, 123456789012345d)]
    [InlineData("1234567890123456", false, 0)]
    [InlineData("1e3", false, 0)]
    [InlineData("-", false, 0)]
    [InlineData("5.", false, 0)]
    public void TryParseShort_TakesOnlyPlainDecimalsOfFifteenDigits(string text, bool taken, double value)
    {
        Assert.Equal(taken, JsonNumber.TryParseShort(Encoding.UTF8.GetBytes(text), out var parsed));
        Assert.Equal(value, parsed);
    }
}
