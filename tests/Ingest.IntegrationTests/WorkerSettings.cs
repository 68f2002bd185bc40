using System.Globalization;
using Ingest.IntegrationTests.Infrastructure;

namespace Ingest.IntegrationTests;

/// <summary>Configuration keys for a worker under test: its own client id, topic root and data folder, so tests never share state.</summary>
public static class WorkerSettings
{
    public static Dictionary<string, string?> For(MosquittoServer mqtt, Uri influxUrl, string database, string topicRoot, string dataDirectory) => new()
    {
        ["Mqtt:Host"] = mqtt.Host,
        ["Mqtt:Port"] = mqtt.Port.ToString(CultureInfo.InvariantCulture),
        ["Mqtt:ClientId"] = $"worker-{topicRoot}",
        ["Mqtt:ReconnectInterval"] = "00:00:00.250",
        ["Ingest:TopicRoot"] = topicRoot,
        ["Ingest:DataDirectory"] = dataDirectory,
        ["Ingest:ReportInterval"] = "00:00:02",
        ["Influx:Url"] = influxUrl.ToString(),
        ["Influx:Api"] = "V1",
        ["Influx:Database"] = database,
        ["Influx:BatchSize"] = "2000",
        ["Influx:FlushInterval"] = "00:00:00.100",
        ["Logging:LogLevel:Polly"] = "None",
    };

    /// <summary>A short unique name usable as topic root, database name and client id.</summary>
    public static string UniqueName(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 10)];
}
