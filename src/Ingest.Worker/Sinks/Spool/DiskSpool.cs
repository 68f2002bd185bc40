using System.Runtime.InteropServices;
using Ingest.Worker.Hosting;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Sinks.Spool;

/// <summary>
/// An append-only, crash-safe queue of line-protocol batches on disk. Each batch is one segment file, written to a
/// temporary name, fsynced, renamed into place and its folder fsynced, so a segment either exists whole or not at all —
/// after that the readings in it may be acknowledged. Segments are named by a counter and read back oldest first.
/// Segments left by a killed worker are found again at start-up. One writer and one reader may work at the same time.
/// </summary>
public sealed partial class DiskSpool
{
    private const string Extension = ".lp";
    private readonly SpoolOptions _options;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, long> _segments = new(); // number → bytes
    private long _bytes;
    private long _next;

    public DiskSpool(IOptions<SpoolOptions> options, IOptions<IngestOptions> ingest)
    {
        _options = options.Value;
        Directory = Path.GetFullPath(string.IsNullOrWhiteSpace(_options.Directory)
            ? Path.Combine(ingest.Value.DataDirectory, "spool")
            : _options.Directory);
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var stale in System.IO.Directory.GetFiles(Directory, "*.tmp"))
        {
            File.Delete(stale); // never renamed: its readings were never acknowledged
        }

        foreach (var file in System.IO.Directory.GetFiles(Directory, "*" + Extension))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), out var number))
            {
                var length = new FileInfo(file).Length;
                _segments[number] = length;
                _bytes += length;
                _next = Math.Max(_next, number + 1);
            }
        }
    }

    public string Directory { get; }

    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    public int SegmentCount
    {
        get
        {
            lock (_gate)
            {
                return _segments.Count;
            }
        }
    }

    public bool IsEmpty => SegmentCount == 0;

    /// <summary>Whether a batch of about <paramref name="bytes"/> still fits under the bound.</summary>
    public bool HasRoomFor(long bytes) => Bytes + bytes <= _options.MaxBytes;

    /// <summary>Writes a batch durably (UTF-8 lines, each ending in a newline); when this returns, it survives a crash.</summary>
    public async Task AppendAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        long number;
        lock (_gate)
        {
            number = _next++;
        }

        var final = Path.Combine(Directory, $"{number:D16}{Extension}");
        var temporary = final + ".tmp";
        long length;
        await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
        {
            await file.WriteAsync(lines, cancellationToken);
            file.Flush(flushToDisk: true);
            length = file.Length;
        }

        File.Move(temporary, final);
        SyncDirectory();
        lock (_gate)
        {
            _segments[number] = length;
            _bytes += length;
        }
    }

    /// <summary>The oldest segment, if any.</summary>
    public bool TryPeekOldest(out long segment)
    {
        lock (_gate)
        {
            foreach (var number in _segments.Keys)
            {
                segment = number;
                return true;
            }
        }

        segment = 0;
        return false;
    }

    /// <summary>A segment as written: UTF-8 lines, each ending in a newline.</summary>
    public Task<byte[]> ReadAsync(long segment, CancellationToken cancellationToken) => File.ReadAllBytesAsync(PathOf(segment), cancellationToken);

    /// <summary>Removes a segment once its readings are stored.</summary>
    public void Delete(long segment)
    {
        File.Delete(PathOf(segment));
        lock (_gate)
        {
            if (_segments.Remove(segment, out var length))
            {
                _bytes -= length;
            }
        }
    }

    private string PathOf(long segment) => Path.Combine(Directory, $"{segment:D16}{Extension}");

    /// <summary>Makes the rename itself durable (POSIX needs the directory fsynced).</summary>
    private void SyncDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = NativeMethods.Open(Directory, NativeMethods.ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"cannot open spool folder {Directory} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (NativeMethods.Fsync(fd) != 0)
            {
                throw new IOException($"fsync of spool folder {Directory} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = NativeMethods.Close(fd);
        }
    }

    private static partial class NativeMethods
    {
        public const int ReadOnly = 0;

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);
    }
}
