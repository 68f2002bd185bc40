using System.Globalization;
using System.Text;
using Ingest.Contracts;

namespace Ingest.Worker.Tests.Contracts;

public sealed class DecimalTextTests
{
    [Fact]
    public void Format_ManyValues_AsDoubleToStringWritesThem_InUtf16AndUtf8()
    {
        var random = new Random(2611);
        double[] edges = [0, -0.0, 0.01, -0.01, 0.05, 0.1, 0.29, 0.5, 1, -1, 10, 99.99, 100, 1e12, 9_999_999_999_999.99, 1e13, -1e13, 1e15, 1e-5, 1e-7,
            123.456, 0.001, 5e-324, double.MaxValue, double.MinValue, double.Epsilon, 1 / 3.0, 2.675, 1.005, 0.1 + 0.2];
        IEnumerable<double> Values()
        {
            foreach (var edge in edges)
            {
                yield return edge;
            }

            for (var i = 0; i < 200_000; i++)
            {
                var scale = Math.Pow(10, random.Next(-3, 14));
                yield return random.Next(4) switch
                {
                    0 => Math.Round(random.NextDouble() * scale, 1) * (random.Next(2) == 0 ? 1 : -1),
                    1 => Math.Round(random.NextDouble() * scale, 2) * (random.Next(2) == 0 ? 1 : -1),
                    2 => double.Parse((random.NextInt64(-10_000_000, 10_000_000) / 100m).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                    _ => (random.NextDouble() - 0.5) * scale,
                };
            }
        }

        Span<char> chars = stackalloc char[DecimalText.MaxLength];
        Span<byte> bytes = stackalloc byte[DecimalText.MaxLength];
        foreach (var value in Values())
        {
            var expected = value.ToString(CultureInfo.InvariantCulture);
            Assert.Equal(expected, new string(chars[..DecimalText.Format(value, chars)]));
            Assert.Equal(expected, Encoding.UTF8.GetString(bytes[..DecimalText.Format(value, bytes)]));
        }
    }
}
