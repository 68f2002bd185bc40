using System.Globalization;
using System.Text;

namespace Ingest.Dashboard.History;

/// <summary>
/// Building blocks for InfluxQL text. Identifiers are double-quoted and string literals single-quoted with backslash
/// escapes, so a device id or field name can never end the literal and inject a clause; times are integers.
/// </summary>
public static class InfluxQl
{
    /// <summary><c>"name"</c> with <c>\</c> and <c>"</c> escaped.</summary>
    public static string Identifier(string name) => "\"" + Escape(name, '"') + "\"";

    /// <summary><c>'text'</c> with <c>\</c> and <c>'</c> escaped; newlines become spaces (InfluxQL literals are single-line).</summary>
    public static string Literal(string text) => "'" + Escape(text.ReplaceLineEndings(" "), '\'') + "'";

    /// <summary>A time bound in milliseconds since the epoch (<c>1700000000000ms</c>).</summary>
    public static string Time(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + "ms";

    /// <summary>A duration literal for <c>GROUP BY time()</c> (<c>300s</c>).</summary>
    public static string Duration(TimeSpan span) => ((long)span.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";

    /// <summary>Field and measurement names the dashboard asks for: letters, digits, <c>_</c>, <c>-</c>, <c>.</c>, at most 64.</summary>
    public static bool IsPlainName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    private static string Escape(string text, char quote)
    {
        var builder = new StringBuilder(text.Length + 2);
        foreach (var c in text)
        {
            if (c == '\\' || c == quote)
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
