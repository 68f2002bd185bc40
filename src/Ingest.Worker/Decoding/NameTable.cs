using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Ingest.Worker.Decoding;

/// <summary>
/// One string per distinct name that devices send again and again (field names, flags, device ids of gateway children),
/// looked up from the JSON reader's UTF-8 bytes without allocating, instead of a new string per message. Bounded: past
/// <c>capacity</c> names (a fleet sending ever-new names, or hostile input) new ones are allocated as before, not kept.
/// Thread-safe.
/// </summary>
public sealed class NameTable(int capacity = 65_536)
{
    private const int MaxCachedLength = 128;
    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>The string value the reader is on (a property name or a string), shared when it has been seen before.</summary>
    public string Get(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxCachedLength)
        {
            return reader.GetString()!;
        }

        // The reader has validated the UTF-8 already.
        Span<char> chars = stackalloc char[MaxCachedLength];
        var written = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
        return Get(chars[..written]);
    }

    /// <summary>The shared string for <paramref name="text"/>.</summary>
    public string Get(ReadOnlySpan<char> text)
    {
        var lookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(text, out var name))
        {
            return name;
        }

        name = text.ToString();
        if (Volatile.Read(ref _count) < capacity && _names.TryAdd(name, name))
        {
            Interlocked.Increment(ref _count);
        }

        return name;
    }
}
