using System.Globalization;
using DeviceSim.Faults;

namespace DeviceSim.Reporting;

/// <summary>The end-of-run summary: what was sent, acknowledged, lost on the device side, and the faults injected.</summary>
public static class RunSummary
{
    public static void Write(TextWriter output, RunStats stats, TimeSpan elapsed, bool drained, FaultInjector? faults = null)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        var c = CultureInfo.InvariantCulture;
        output.WriteLine("── Tóm tắt / Summary ─────────────────────────────────────────────");
        output.WriteLine(string.Create(c, $"  elapsed            {elapsed:hh\\:mm\\:ss\\.fff}"));
        output.WriteLine(string.Create(c, $"  messages sent      {stats.Published:N0}  ({stats.Published / seconds:N0} msg/s)"));
        output.WriteLine(string.Create(c, $"  readings sent      {stats.Readings:N0}  ({stats.Readings / seconds:N0} readings/s)"));
        output.WriteLine(string.Create(c, $"  bytes sent         {stats.Bytes:N0}"));
        output.WriteLine(string.Create(c, $"  acknowledged       {stats.Acked:N0}{(drained ? "" : "  (some acknowledgements still outstanding at the drain deadline)")}"));
        output.WriteLine(string.Create(c, $"  publish errors     {stats.Failed:N0}"));
        output.WriteLine(string.Create(c, $"  not sent (offline) {stats.Offline:N0}"));
        output.WriteLine(string.Create(c, $"  connects           {stats.Connects:N0}  (failed attempts {stats.ConnectFailures:N0}, lost {stats.Disconnects:N0}, cut on purpose {stats.Drops:N0})"));
        if (stats.AckLatency.Count > 0)
        {
            output.WriteLine(string.Create(c,
                $"  publish→ack (ms)   p50 {stats.AckLatency.PercentileMs(50):N1}  p95 {stats.AckLatency.PercentileMs(95):N1}  p99 {stats.AckLatency.PercentileMs(99):N1}  max {stats.AckLatency.MaxMs:N1}"));
        }

        if (faults is not null)
        {
            output.WriteLine("  faults injected (count / readings eligible = observed rate, configured rate):");
            foreach (var kind in Enum.GetValues<FaultKind>())
            {
                if (faults.Plan[kind] == 0 && faults.Count(kind) == 0)
                {
                    continue;
                }

                var opportunities = faults.Opportunities(kind);
                var observed = opportunities == 0 ? 0 : (double)faults.Count(kind) / opportunities;
                output.WriteLine(string.Create(c,
                    $"    {FaultGroups.OptionName(kind),-18} {faults.Count(kind),8:N0} / {opportunities,-10:N0} = {observed:0.#####}  (configured {faults.Plan[kind]:0.#####})"));
            }
        }

        output.WriteLine("──────────────────────────────────────────────────────────────────");
    }
}
