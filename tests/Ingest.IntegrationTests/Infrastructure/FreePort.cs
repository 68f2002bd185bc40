using System.Net;
using System.Net.Sockets;

namespace Ingest.IntegrationTests.Infrastructure;

public static class FreePort
{
    /// <summary>A loopback port the OS has just handed out and released.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
