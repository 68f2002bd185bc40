using System.Text.Json;

namespace Ingest.Worker.Decoding;

/// <summary>
/// Reads a JSON number token as a double, with a fast path for the numbers devices send: an optional minus, at most 15
/// digits, an optional fraction, no exponent. Such a number is an integer m of at most 15 digits (exact in a double)
/// divided by an exact power of ten, and IEEE division rounds that quotient correctly — the same double a correct
/// parser returns (Clinger's fast path). Everything else goes to <see cref="Utf8JsonReader.TryGetDouble"/>.
/// </summary>
internal static class JsonNumber
{
    private const int MaxDigits = 15;

    private static readonly double[] PowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    public static bool TryGetDouble(ref Utf8JsonReader reader, out double value)
    {
        if (!reader.HasValueSequence && TryParseShort(reader.ValueSpan, out value))
        {
            return true;
        }

        return reader.TryGetDouble(out value);
    }

    /// <summary>The fast path alone: false (and nothing decided) for any text outside its form.</summary>
    internal static bool TryParseShort(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var i = 0;
        var negative = text.Length > 0 && text[0] == (byte)'-';
        if (negative)
        {
            i++;
        }

        long mantissa = 0;
        var digits = 0;
        var fractionDigits = -1;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == (byte)'.' && fractionDigits < 0)
            {
                fractionDigits = 0;
                continue;
            }

            var digit = (uint)(c - '0');
            if (digit > 9 || ++digits > MaxDigits)
            {
                return false;
            }

            mantissa = (mantissa * 10) + digit;
            if (fractionDigits >= 0)
            {
                fractionDigits++;
            }
        }

        if (digits == 0 || fractionDigits == 0)
        {
            return false;
        }

        var magnitude = fractionDigits > 0 ? mantissa / PowersOfTen[fractionDigits] : mantissa;
        value = negative ? -magnitude : magnitude;
        return true;
    }
}
