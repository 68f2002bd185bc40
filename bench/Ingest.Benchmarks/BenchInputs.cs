using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ingest.Contracts;
using Ingest.Worker.Decoding;
using Ingest.Worker.Enrichment;
using Ingest.Worker.Hosting;
using Ingest.Worker.Pipeline;
using Ingest.Worker.Validation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ingest.Benchmarks;

/// <summary>
/// The worker's decoding stack built the way the host builds it (default options; without a registry file, or with one
/// naming every bench device with zone and kind, as production runs), and the bench's messages: the same eight-value air
/// document bench/run.sh publishes (about 180 bytes), and a gateway batch of 100.
/// </summary>
public static class BenchInputs
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Devices 0…999 of the bench, as a registry file would list them.</summary>
    public const int RegisteredDevices = 1000;

    public static MessageDecoder CreateDecoder(out PlatformJsonDecoder json, bool withRegistry = false)
    {
        var validation = Options.Create(new ValidationOptions());
        var registryOptions = new RegistryOptions();
        if (withRegistry)
        {
            registryOptions.Path = Path.Combine(Path.GetTempPath(), $"bn-bench-registry-{Environment.ProcessId}.csv");
            File.WriteAllLines(registryOptions.Path, [
                "id,domain,site,zone,kind",
                .. Enumerable.Range(0, RegisteredDevices).Select(i => $"{DeviceId(i)},{Domains.Air},bench,bac-ninh-city,low-cost")]);
        }

        var registry = new DeviceRegistry(Options.Create(registryOptions), TimeProvider.System, NullLogger<DeviceRegistry>.Instance);
        if (withRegistry)
        {
            // Loads the file; the reload loop is not needed here.
            registry.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
            registry.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            File.Delete(registryOptions.Path!);
            if (registry.Count != RegisteredDevices)
            {
                throw new InvalidOperationException($"the bench registry holds {registry.Count} devices");
            }
        }

        json = new PlatformJsonDecoder(validation);
        return new MessageDecoder(
            Options.Create(new IngestOptions()), validation, json, new GatewayBatchDecoder(json, registry, validation), new SenmlDecoder(validation),
            new LineProtocolDecoder(validation), new ReadingEnricher(registry));
    }

    /// <summary>A file of this repository, found from wherever BenchmarkDotNet runs its copy of this project.</summary>
    public static string RepositoryFile(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ingest.slnx")))
            {
                return Path.Combine(dir.FullName, relativePath);
            }
        }

        throw new FileNotFoundException($"no repository above {AppContext.BaseDirectory} holds {relativePath}");
    }

    public static string DeviceId(int i) => string.Create(CultureInfo.InvariantCulture, $"air-bench-{i:00000}");

    public static byte[] Document(int device, long seq)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteDocument(writer, device, seq);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] GatewayBatch(string gateway, int children)
    {
        var buffer = new ArrayBufferWriter<byte>(200 * children);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("gw", gateway);
            writer.WriteStartArray("readings");
            for (var i = 0; i < children; i++)
            {
                WriteDocument(writer, i, 42);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static RawMessage Raw(string topic, byte[] payload) => new(topic, payload, null, Now, Delivery.None);

    public static string Text(byte[] payload) => Encoding.UTF8.GetString(payload);

    private static void WriteDocument(Utf8JsonWriter writer, int device, long seq)
    {
        writer.WriteStartObject();
        writer.WriteString("id", DeviceId(device));
        writer.WriteString("ts", (Now + TimeSpan.FromMilliseconds(seq)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        writer.WriteNumber("seq", seq);
        writer.WriteStartObject("values");
        writer.WriteNumber(Fields.Co, 512.4);
        writer.WriteNumber(Fields.No2, 21.3);
        writer.WriteNumber(Fields.O3, 40.2);
        writer.WriteNumber(Fields.Pm10, 61.7);
        writer.WriteNumber(Fields.Pm25, 35.2);
        writer.WriteNumber(Fields.Humidity, 71.2);
        writer.WriteNumber(Fields.So2, 5.1);
        writer.WriteNumber(Fields.Temperature, 27.4);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
