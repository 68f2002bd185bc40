using System.Globalization;
using Ingest.IntegrationTests.Infrastructure;

namespace Ingest.Dashboard.Tests.Infrastructure;

/// <summary>Debian's redis-server on a free loopback port, no persistence, data folder deleted on dispose.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private RedisServer(string directory, int port)
    {
        Directory = directory;
        Port = port;
        _process = new ServerProcess("/usr/bin/redis-server", Path.Combine(directory, "redis.log"),
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", directory, "--protected-mode", "yes");
    }

    public int Port { get; }

    public string Directory { get; }

    /// <summary>The StackExchange.Redis configuration string, as <c>SignalR:Redis</c> takes it.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(System.IO.Directory.CreateTempSubdirectory("bn-redis-").FullName, FreePort.Next());
        server._process.Start();
        await server._process.WaitForTcpAsync(server.Port, TimeSpan.FromSeconds(15));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
