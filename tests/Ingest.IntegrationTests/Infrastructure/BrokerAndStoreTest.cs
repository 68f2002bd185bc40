namespace Ingest.IntegrationTests.Infrastructure;

/// <summary>
/// A test class with its own mosquitto and influxd, each on a free loopback port, and a temporary data folder for the
/// workers it starts; all stopped and removed after its tests.
/// </summary>
public abstract class BrokerAndStoreTest(string dataFolderPrefix) : IAsyncLifetime
{
    protected MosquittoServer Mqtt { get; private set; } = null!;

    protected InfluxServer Influx { get; private set; } = null!;

    protected string DataDirectory { get; } = Directory.CreateTempSubdirectory(dataFolderPrefix).FullName;

    public virtual async ValueTask InitializeAsync()
    {
        Mqtt = await MosquittoServer.StartAsync();
        Influx = await InfluxServer.StartAsync();
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Mqtt.DisposeAsync();
        await Influx.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
        GC.SuppressFinalize(this);
    }
}
