namespace Ingest.IntegrationTests.Infrastructure;

/// <summary>
/// Debian's mosquitto on a free loopback port, configured from deploy/local/mosquitto.conf.template (persistence on,
/// queue and in-flight limits lifted, TCP_NODELAY), with its data in a temporary folder deleted on dispose.
/// </summary>
public sealed class MosquittoServer : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private MosquittoServer(string directory, int port)
    {
        DataDirectory = directory;
        Port = port;
        var config = Path.Combine(directory, "mosquitto.conf");
        File.WriteAllText(config, RepoPaths.FillTemplate("mosquitto.conf.template", new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DATA_DIR"] = directory,
            ["USER"] = System.Environment.UserName,
        }));
        _process = new ServerProcess("/usr/sbin/mosquitto", Path.Combine(directory, "mosquitto.out"), "-c", config);
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    public string DataDirectory { get; }

    public static async Task<MosquittoServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("bn-mosquitto-").FullName;
        var server = new MosquittoServer(directory, FreePort.Next());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts (again) on the same port with the same persistence file.</summary>
    public async Task StartAgainAsync()
    {
        _process.Start();
        await _process.WaitForTcpAsync(Port, TimeSpan.FromSeconds(15));
    }

    /// <summary>Graceful stop: mosquitto saves its persistence file.</summary>
    public Task StopAsync() => _process.StopAsync();

    public string Log => File.Exists(Path.Combine(DataDirectory, "mosquitto.log")) ? File.ReadAllText(Path.Combine(DataDirectory, "mosquitto.log")) : "";

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
