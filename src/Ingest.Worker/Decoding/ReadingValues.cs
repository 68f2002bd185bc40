using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ingest.Worker.Decoding;

/// <summary>
/// A reading's values: field names and numbers, in the order the device sent them. The names are an array shared by every
/// reading of the same shape (a fleet sends a handful: the fields of an air station, of a meter…), so a reading owns only
/// its numbers — a <c>KeyValuePair&lt;string, double&gt;[]</c> per reading was over half of the hot path's allocation.
/// Iterate with <c>foreach</c> or the indexer: the enumerator is a struct. A default instance is empty.
/// </summary>
[CollectionBuilder(typeof(ReadingValues), nameof(Create))]
public readonly struct ReadingValues : IReadOnlyList<KeyValuePair<string, double>>, IEquatable<ReadingValues>
{
    private readonly string[]? _names;
    private readonly double[]? _numbers;

    /// <summary>Takes both arrays as they are: the caller hands over <paramref name="numbers"/> and never changes either.</summary>
    internal ReadingValues(string[] names, double[] numbers)
    {
        if (names.Length != numbers.Length)
        {
            throw new ArgumentException($"{names.Length} names for {numbers.Length} numbers", nameof(names));
        }

        _names = names;
        _numbers = numbers;
    }

    public int Count => _numbers?.Length ?? 0;

    public KeyValuePair<string, double> this[int index] => new(Name(index), Number(index));

    public string Name(int index) => (_names ?? [])[index];

    /// <summary>The names array, shared by every reading of the same shape: a cache keyed on it knows where a name is.</summary>
    internal string[]? Shape => _names;

    public double Number(int index) => (_numbers ?? [])[index];

    /// <summary>
    /// The numbers of <paramref name="values"/> copied, the names shared with earlier readings of the same shape (what the
    /// decoders build from their scratch lists; collection expressions come here too).
    /// </summary>
    public static ReadingValues Create(ReadOnlySpan<KeyValuePair<string, double>> values)
    {
        var numbers = new double[values.Length];
        for (var i = 0; i < numbers.Length; i++)
        {
            numbers[i] = values[i].Value;
        }

        return new ReadingValues(NameShapes.Of(values), numbers);
    }

    /// <inheritdoc cref="Create(ReadOnlySpan{KeyValuePair{string, double}})"/>
    public static ReadingValues Create(List<KeyValuePair<string, double>> values) => Create(CollectionsMarshal.AsSpan(values));

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, double>> IEnumerable<KeyValuePair<string, double>>.GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<KeyValuePair<string, double>>)this).GetEnumerator();

    /// <summary>Same names with the same numbers, in the same order.</summary>
    public bool Equals(ReadingValues other)
    {
        if (Count != other.Count)
        {
            return false;
        }

        for (var i = 0; i < Count; i++)
        {
            if (!string.Equals(Name(i), other.Name(i), StringComparison.Ordinal) || !Number(i).Equals(other.Number(i)))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is ReadingValues other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        for (var i = 0; i < Count; i++)
        {
            hash.Add(Name(i), StringComparer.Ordinal);
            hash.Add(Number(i));
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(ReadingValues left, ReadingValues right) => left.Equals(right);

    public static bool operator !=(ReadingValues left, ReadingValues right) => !left.Equals(right);

    public override string ToString() => string.Join(", ", this.Select(v => $"{v.Key}={v.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));

    public struct Enumerator(ReadingValues values)
    {
        private int _index = -1;

        public readonly KeyValuePair<string, double> Current => values[_index];

        public bool MoveNext() => ++_index < values.Count;
    }
}

/// <summary>
/// The name arrays of the shapes this thread decoded last, so readings of the same shape share one. Names come from the
/// decoder's <see cref="NameTable"/>, so a match is mostly reference comparisons. A small round-robin cache per thread:
/// no locks, and a fleet of more shapes than it holds only allocates a names array per reading, as before.
/// </summary>
internal static class NameShapes
{
    private const int Slots = 16;

    [ThreadStatic]
    private static string[][]? t_shapes;

    [ThreadStatic]
    private static int t_next;

    /// <summary>The shared names array equal to the keys of <paramref name="values"/>.</summary>
    public static string[] Of(ReadOnlySpan<KeyValuePair<string, double>> values)
    {
        var shapes = t_shapes ??= new string[Slots][];
        foreach (var shape in shapes)
        {
            if (shape is not null && Matches(shape, values))
            {
                return shape;
            }
        }

        var names = new string[values.Length];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = values[i].Key;
        }

        shapes[t_next] = names;
        t_next = (t_next + 1) % Slots;
        return names;
    }

    private static bool Matches(string[] shape, ReadOnlySpan<KeyValuePair<string, double>> values)
    {
        if (shape.Length != values.Length)
        {
            return false;
        }

        for (var i = 0; i < shape.Length; i++)
        {
            if (!string.Equals(shape[i], values[i].Key, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
