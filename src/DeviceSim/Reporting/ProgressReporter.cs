using System.Globalization;

namespace DeviceSim.Reporting;

/// <summary>
/// Prints the run's progress: on a terminal one line rewritten in place every second; when the output is redirected
/// (a log file, CI) a plain line every <c>plainInterval</c>. Rates are over the last report interval.
/// </summary>
public sealed class ProgressReporter(RunStats stats, TextWriter output, bool isTerminal, TimeSpan plainInterval, TimeProvider time, int connectionCount, Func<int> inFlight)
{
    private readonly long _started = time.GetTimestamp();
    private long _lastPublished;
    private long _lastTimestamp = time.GetTimestamp();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(isTerminal ? TimeSpan.FromSeconds(1) : plainInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Write();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        if (isTerminal)
        {
            Write();
            await output.WriteLineAsync();
        }
    }

    /// <summary>The progress line as of now (also what the plain mode prints).</summary>
    public string Line()
    {
        var now = time.GetTimestamp();
        var published = stats.Published;
        var seconds = time.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
        var rate = seconds > 0 ? (published - _lastPublished) / seconds : 0;
        _lastPublished = published;
        _lastTimestamp = now;
        var elapsed = time.GetElapsedTime(_started, now);
        return string.Create(CultureInfo.InvariantCulture,
            $"[{elapsed:hh\\:mm\\:ss}] connected {stats.Connected}/{connectionCount}  sent {published:N0} ({rate:N0}/s)  readings {stats.Readings:N0}  acked {stats.Acked:N0}  in-flight {inFlight()}  errors {stats.Failed:N0}  offline {stats.Offline:N0}  disconnects {stats.Disconnects:N0}");
    }

    private void Write()
    {
        var line = Line();
        if (isTerminal)
        {
            output.Write('\r' + line.PadRight(Math.Max(line.Length, 140)));
        }
        else
        {
            output.WriteLine(line);
        }

        output.Flush();
    }
}
