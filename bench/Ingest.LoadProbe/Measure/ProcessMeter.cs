using System.Diagnostics;
using System.Globalization;

namespace Ingest.LoadProbe.Measure;

/// <summary>
/// CPU time and peak resident memory of one process (the system under test), from /proc. <see cref="Start"/> resets the
/// kernel's peak RSS mark (<c>/proc/PID/clear_refs</c> ← 5) so the peak read at <see cref="Stop"/> belongs to the interval.
/// </summary>
public sealed class ProcessMeter(int pid)
{
    private TimeSpan _cpuAtStart;

    public bool PeakWasReset { get; private set; }

    public void Start()
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            PeakWasReset = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            PeakWasReset = false; // the peak is then the process's lifetime peak
        }

        _cpuAtStart = CpuTime();
    }

    /// <summary>CPU seconds used since <see cref="Start"/>, and the peak RSS in MiB.</summary>
    public (double CpuSeconds, double PeakRssMiB) Stop() => ((CpuTime() - _cpuAtStart).TotalSeconds, PeakRssMiB());

    private TimeSpan CpuTime()
    {
        using var process = Process.GetProcessById(pid);
        return process.TotalProcessorTime;
    }

    private double PeakRssMiB()
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line["VmHWM:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
                return Math.Round(kb / 1024.0, 1);
            }
        }

        return double.NaN;
    }
}
