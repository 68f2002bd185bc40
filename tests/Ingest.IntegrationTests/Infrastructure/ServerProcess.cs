using System.Diagnostics;
using System.Net.Sockets;

namespace Ingest.IntegrationTests.Infrastructure;

/// <summary>
/// A server process this test run started: output to a log file, stopped by its own PID only (SIGTERM, then SIGKILL),
/// and restartable with the same arguments (same port, same data) for outage tests.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly string _fileName;
    private readonly string[] _arguments;
    private Process? _process;

    public ServerProcess(string fileName, string logFile, params string[] arguments)
    {
        _fileName = fileName;
        _arguments = arguments;
        LogFile = logFile;
    }

    /// <summary>Environment variables set for the process (configuration of a .NET host, for instance).</summary>
    public Dictionary<string, string> Environment { get; } = [];

    public string LogFile { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>CPU time the running server has used so far (user and kernel).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process?.Refresh();
            return _process is { HasExited: false } p ? p.TotalProcessorTime : TimeSpan.Zero;
        }
    }

    public void Start()
    {
        if (!File.Exists(_fileName))
        {
            throw new InvalidOperationException($"{_fileName} is not installed; deploy/local/test.sh installs it");
        }

        var info = new ProcessStartInfo(_fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in _arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in Environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {_fileName}");
        var log = new StreamWriter(new FileStream(LogFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => log.Dispose();
        _process = process;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>SIGTERM and wait; SIGKILL if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        _ = Kill(process.Id, "TERM");
        using var timeout = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>SIGKILL: no chance to flush or say goodbye.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public async Task WaitForTcpAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"{_fileName} exited with {_process.ExitCode}; see {LogFile}: {Tail()}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public string Tail()
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var lines = reader.ReadToEnd().Split('\n');
            return string.Join('\n', lines.TakeLast(10));
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static bool Kill(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        kill?.WaitForExit();
        return kill?.ExitCode == 0;
    }

    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.FromSeconds(5));
}
