namespace Ingest.IntegrationTests.Infrastructure;

/// <summary>
/// The worker as its own process (<c>dotnet Ingest.Worker.dll</c> from the test's build output), configured through
/// environment variables, so a test can SIGKILL it mid-stream and start it again on the same data folder.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly ServerProcess _process;

    public WorkerProcess(IReadOnlyDictionary<string, string?> settings, string logFile)
    {
        var dotnet = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : FindDotnet();
        _process = new ServerProcess(dotnet, logFile, Path.Combine(AppContext.BaseDirectory, "Ingest.Worker.dll"));
        foreach (var (key, value) in settings)
        {
            _process.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? "";
        }

        _process.Environment["DOTNET_ENVIRONMENT"] = "Test";
        // Its own operations port (metrics, health), so worker processes of tests running side by side never collide.
        OperationsUrl = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        _process.Environment["Urls"] = OperationsUrl.ToString().TrimEnd('/');
    }

    /// <summary>Base address of the worker's <c>/metrics</c>, <c>/health/live</c> and <c>/health/ready</c>.</summary>
    public Uri OperationsUrl { get; }

    public string Log => _process.Tail();

    public void Start() => _process.Start();

    /// <summary>SIGKILL: no drain, no goodbye; whatever was not acknowledged must come back from the broker.</summary>
    public Task KillAsync() => _process.KillAsync();

    public Task StopAsync() => _process.StopAsync(TimeSpan.FromSeconds(40));

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static string FindDotnet()
    {
        foreach (var dir in (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            var candidate = Path.Combine(dir, "dotnet");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("dotnet is not on PATH");
    }
}
