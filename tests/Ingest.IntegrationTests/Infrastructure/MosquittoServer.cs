using System.Globalization;

namespace Ingest.IntegrationTests.Infrastructure;

/// <summary>
/// Debian's mosquitto on a free loopback port, configured from deploy/local/mosquitto.conf.template (persistence on,
/// queue and in-flight limits lifted, TCP_NODELAY), with its data in a temporary folder deleted on dispose.
/// </summary>
public sealed class MosquittoServer : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private MosquittoServer(string directory, int port, string config)
    {
        DataDirectory = directory;
        Port = port;
        _process = new ServerProcess("/usr/sbin/mosquitto", Path.Combine(directory, "mosquitto.out"), "-c", config);
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>The TLS listener's port, when started with <see cref="StartSecureAsync"/>.</summary>
    public int? TlsPort { get; private init; }

    public string DataDirectory { get; }

    public static async Task<MosquittoServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("bn-mosquitto-").FullName;
        var port = FreePort.Next();
        var config = Path.Combine(directory, "mosquitto.conf");
        File.WriteAllText(config, RepoPaths.FillTemplate(Path.Combine("local", "mosquitto.conf.template"), new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["DATA_DIR"] = directory,
            ["USER"] = System.Environment.UserName,
        }));
        var server = new MosquittoServer(directory, port, config);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>
    /// Mosquitto with anonymous access off, the given password file and ACL (from deploy/security/broker-auth.sh), a TLS
    /// listener with the certificates in <paramref name="certificates"/> (deploy/security/dev-certs.sh) and an
    /// authenticated plain listener: deploy/security/mosquitto-secure.conf.template.
    /// </summary>
    public static async Task<MosquittoServer> StartSecureAsync(string passwordFile, string aclFile, string certificates)
    {
        var directory = Directory.CreateTempSubdirectory("bn-mosquitto-").FullName;
        var (port, tlsPort) = (FreePort.Next(), FreePort.Next());
        var config = Path.Combine(directory, "mosquitto.conf");
        File.WriteAllText(config, RepoPaths.FillTemplate(Path.Combine("security", "mosquitto-secure.conf.template"), new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["TLS_PORT"] = tlsPort.ToString(CultureInfo.InvariantCulture),
            ["DATA_DIR"] = directory,
            ["USER"] = System.Environment.UserName,
            ["PASSWORD_FILE"] = passwordFile,
            ["ACL_FILE"] = aclFile,
            ["CERT_DIR"] = certificates,
        }));
        var server = new MosquittoServer(directory, port, config) { TlsPort = tlsPort };
        await server.StartAgainAsync();
        await server._process.WaitForTcpAsync(tlsPort, TimeSpan.FromSeconds(15));
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

    public TimeSpan CpuTime => _process.CpuTime;

    public string Log => File.Exists(Path.Combine(DataDirectory, "mosquitto.log")) ? File.ReadAllText(Path.Combine(DataDirectory, "mosquitto.log")) : "";

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
