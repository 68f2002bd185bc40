using System.Collections;

namespace Ingest.Worker.Decoding;

/// <summary>
/// The readings of one decoded message. Most messages carry one reading, held here without an array (the array was a
/// fixed allocation per message on the hot path); batches hold their list. A default instance is empty.
/// </summary>
public readonly struct ReadingList : IReadOnlyList<Reading>
{
    private readonly Reading? _single;
    private readonly IReadOnlyList<Reading>? _many;

    public ReadingList(Reading single) => _single = single;

    public ReadingList(IReadOnlyList<Reading> many) => _many = many;

    public int Count => _single is not null ? 1 : _many?.Count ?? 0;

    public Reading this[int index] => _single is not null && index == 0
        ? _single
        : _many is not null ? _many[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>A struct enumerator, so <c>foreach</c> over the readings allocates nothing.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<Reading> IEnumerable<Reading>.GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<Reading>)this).GetEnumerator();

    public struct Enumerator(ReadingList list)
    {
        private int _index = -1;

        public readonly Reading Current => list[_index];

        public bool MoveNext() => ++_index < list.Count;
    }
}
