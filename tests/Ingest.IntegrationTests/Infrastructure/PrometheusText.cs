using System.Globalization;
using System.Text.RegularExpressions;

namespace Ingest.IntegrationTests.Infrastructure;

/// <summary>Reads samples out of a Prometheus text exposition (what <c>/metrics</c> serves).</summary>
public static partial class PrometheusText
{
    /// <summary>The value of a sample (summed over series when labels are not narrowed); 0 when absent.</summary>
    public static double Value(string metrics, string name, string? label = null) =>
        Sample().Matches(metrics)
            .Where(m => m.Groups["name"].Value == name && (label is null || m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+|NaN)( \d+)?$", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
