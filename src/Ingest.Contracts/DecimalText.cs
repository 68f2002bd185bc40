using System.Globalization;
using System.Numerics;

namespace Ingest.Contracts;

/// <summary>
/// A double as <c>double.ToString(CultureInfo.InvariantCulture)</c> writes it — the shortest text that reads back as the
/// same double, which is also what the JSON writer and InfluxDB.Client write — in UTF-16 or UTF-8. Measurements are
/// mostly values of at most two decimals, written here from integer digits: when the nearest double to <c>m / 100</c> is
/// the value, that decimal reads back as it and, having at most 15 significant digits, is the only such decimal of 15
/// digits or fewer, so it is the shortest. Anything else (more decimals, 1e13 or more, zero and its sign) takes the
/// general formatter, which took 40 % of the worker's line-writing time and a quarter of the load probe's CPU.
/// </summary>
public static class DecimalText
{
    /// <summary>Room enough for any double's text.</summary>
    public const int MaxLength = 32;

    public static int Format(double value, Span<char> output)
    {
        if (TryHundredths(value, out var hundredths))
        {
            return WriteHundredths(hundredths, output);
        }

        value.TryFormat(output, out var written, default, CultureInfo.InvariantCulture);
        return written;
    }

    public static int Format(double value, Span<byte> output)
    {
        if (TryHundredths(value, out var hundredths))
        {
            return WriteHundredths(hundredths, output);
        }

        value.TryFormat(output, out var written, default, CultureInfo.InvariantCulture);
        return written;
    }

    private static bool TryHundredths(double value, out long hundredths)
    {
        hundredths = 0;
        if (value == 0 || !(Math.Abs(value) < 1e13))
        {
            return false;
        }

        var rounded = Math.Round(value * 100);
        if (rounded / 100 != value)
        {
            return false;
        }

        hundredths = (long)rounded;
        return true;
    }

    /// <summary>The decimal <paramref name="hundredths"/> / 100, trailing zeros of the fraction left out ("-21.4", "0.05", "20").</summary>
    private static int WriteHundredths<TChar>(long hundredths, Span<TChar> output)
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        // Right to left into a scratch span: under 1e15, so at most 16 digits, a point and a sign.
        Span<TChar> text = stackalloc TChar[20];
        var at = text.Length;
        var magnitude = Math.Abs(hundredths);
        var (whole, fraction) = Math.DivRem(magnitude, 100);
        if (fraction != 0)
        {
            if (fraction % 10 != 0)
            {
                text[--at] = Char<TChar>('0' + (fraction % 10));
            }

            text[--at] = Char<TChar>('0' + (fraction / 10));
            text[--at] = Char<TChar>('.');
        }

        do
        {
            text[--at] = Char<TChar>('0' + (whole % 10));
            whole /= 10;
        }
        while (whole > 0);

        if (hundredths < 0)
        {
            text[--at] = Char<TChar>('-');
        }

        text[at..].CopyTo(output);
        return text.Length - at;
    }

    private static TChar Char<TChar>(long ascii)
        where TChar : unmanaged, IBinaryInteger<TChar> => TChar.CreateTruncating(ascii);
}
