using System.Buffers;
using Ingest.Worker.Decoding;

namespace Ingest.Worker.Sinks.Influx;

/// <summary>
/// The lines of one write, as UTF-8 in one buffer reused from batch to batch: the body of a write is a slice of it (a
/// contiguous run of lines, each ending in a newline), so a batch split to find rejected lines needs no copies, and no
/// reading costs a string. Each line remembers its owner (the index of the message it came from). Not thread-safe: one
/// per loop.
/// </summary>
public sealed class LineBatch
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly List<int> _ends = [];
    private readonly List<int> _owners = [];

    public int Count => _ends.Count;

    /// <summary>Bytes of all lines, newlines included.</summary>
    public long Bytes => _buffer.WrittenCount;

    public void Add(Reading reading, int owner)
    {
        PointMapper.WriteLineProtocol(reading, _buffer);
        End(owner);
    }

    /// <summary>Lines already in line protocol (a spool segment: UTF-8, newline-separated); each owns itself (owner = its index).</summary>
    public void AddLines(ReadOnlySpan<byte> lines)
    {
        foreach (var range in lines.Split((byte)'\n'))
        {
            if (range.Start.Equals(range.End))
            {
                continue;
            }

            _buffer.Write(lines[range]);
            End(_ends.Count);
        }
    }

    public int Owner(int line) => _owners[line];

    /// <summary>Lines <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive) as one write body.</summary>
    public ReadOnlyMemory<byte> Body(int from, int to)
    {
        var start = from == 0 ? 0 : _ends[from - 1];
        return _buffer.WrittenMemory[start.._ends[to - 1]];
    }

    /// <summary>One line without its newline (for a quarantine record).</summary>
    public ReadOnlyMemory<byte> Line(int line) => Body(line, line + 1)[..^1];

    public void Clear()
    {
        _buffer.ResetWrittenCount();
        _ends.Clear();
        _owners.Clear();
    }

    private void End(int owner)
    {
        _buffer.Write("\n"u8);
        _ends.Add(_buffer.WrittenCount);
        _owners.Add(owner);
    }
}
