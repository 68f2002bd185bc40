using System.Text.Json;
using Ingest.Contracts;
using Ingest.Worker.Hosting;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Alerting.Fanout;

/// <summary>
/// The open alerts on disk (<c>{Ingest:DataDirectory}/alerts/open-alerts.json</c> by default), so that a restarted worker
/// clears them rather than raising them again. Written atomically: a temporary file is flushed to disk, then renamed over
/// the old one, so a crash leaves either the old or the new list, never half of one.
/// </summary>
public sealed class AlertStateFile(IOptions<AlertingOptions> options, IOptions<IngestOptions> ingest)
{
    public string Path { get; } = string.IsNullOrEmpty(options.Value.StateFile)
        ? System.IO.Path.Combine(ingest.Value.DataDirectory, "alerts", "open-alerts.json")
        : options.Value.StateFile;

    public IReadOnlyList<AlertEvent> Load()
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        using var stream = File.OpenRead(Path);
        return JsonSerializer.Deserialize<List<AlertEvent>>(stream, AlertJson.Options) ?? [];
    }

    public void Save(IReadOnlyList<AlertEvent> open)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, open, AlertJson.Options);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, Path, overwrite: true);
    }
}
