using System.Text;
using Ingest.Contracts;
using Ingest.Worker.Decoding;
using Ingest.Worker.Validation;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Tests.Decoding;

/// <summary>A reading's values: names shared per shape, numbers its own, compared by content.</summary>
public sealed class ReadingValuesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 11, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Readings_of_one_shape_share_the_names_and_keep_their_own_numbers()
    {
        KeyValuePair<string, double>[] first = [new("pm25", 1), new("pm10", 2)];
        KeyValuePair<string, double>[] second = [new("pm25", 3), new("pm10", 4)];
        KeyValuePair<string, double>[] reordered = [new("pm10", 5), new("pm25", 6)];

        Assert.Same(NameShapes.Of(first), NameShapes.Of(second));
        Assert.NotSame(NameShapes.Of(first), NameShapes.Of(reordered));
        Assert.Equal(["pm10", "pm25"], NameShapes.Of(reordered));

        var a = ReadingValues.Create(first);
        var b = ReadingValues.Create(second);
        Assert.Equal(first, a);
        Assert.Equal(second, b);
    }

    [Fact]
    public void More_shapes_than_the_cache_holds_still_get_their_own_names()
    {
        var shapes = Enumerable.Range(0, 40).Select(i => new KeyValuePair<string, double>[] { new($"f{i}", i), new("rh", i) }).ToList();

        var values = shapes.Select(s => ReadingValues.Create(s)).ToList();

        for (var i = 0; i < shapes.Count; i++)
        {
            Assert.Equal(shapes[i], values[i]);
        }
    }

    [Fact]
    public void Values_are_equal_by_names_and_numbers_in_order()
    {
        ReadingValues built = [new("voltage", 221.5), new("power", 1.2)];
        var copied = ReadingValues.Create(new List<KeyValuePair<string, double>> { new("voltage", 221.5), new("power", 1.2) });

        Assert.Equal(built, copied);
        Assert.Equal(built.GetHashCode(), copied.GetHashCode());
        Assert.NotEqual(built, [new("power", 1.2), new("voltage", 221.5)]);
        Assert.NotEqual(built, [new("voltage", 221.5), new("power", 1.3)]);
        Assert.Equal("voltage=221.5, power=1.2", built.ToString());
    }

    [Fact]
    public void A_default_instance_is_empty()
    {
        var none = default(ReadingValues);

        Assert.Empty(none);
        Assert.Equal(none, []);
        Assert.Throws<IndexOutOfRangeException>(() => none[0]);
    }

    [Fact]
    public void A_names_count_other_than_the_numbers_count_is_refused() =>
        Assert.Throws<ArgumentException>(() => new ReadingValues(["a", "b"], [1]));

    [Theory]
    [InlineData(null)]
    [InlineData(0L)]
    [InlineData(long.MaxValue)]
    public void The_sequence_number_is_kept_exactly(long? sequence)
    {
        var reading = new Reading("air", "air-1", "tien-son", Now, true, sequence, [new("pm25", 1)], []);

        Assert.Equal(sequence, reading.Sequence);
        Assert.Null((reading with { Sequence = null }).Sequence);
        Assert.Equal(7, (reading with { Sequence = 7 }).Sequence);
        Assert.Equal(reading, reading with { Values = [new("pm25", 1)] });
    }

    [Fact]
    public void Decoded_documents_keep_their_own_field_order_and_numbers()
    {
        var decoder = new PlatformJsonDecoder(Options.Create(new ValidationOptions()));
        var topic = new DeviceTopic(TopicKind.Telemetry, Domains.Air, "tien-son", "air-1");

        var a = Decode(decoder, topic, """{"id":"air-1","values":{"pm25":12.5,"pm10":30}}""");
        var b = Decode(decoder, topic, """{"id":"air-1","values":{"pm25":13.5,"pm10":31}}""");
        var c = Decode(decoder, topic, """{"id":"air-1","values":{"pm10":32,"pm25":14.5}}""");

        Assert.Equal([new("pm25", 12.5), new("pm10", 30)], a);
        Assert.Equal([new("pm25", 13.5), new("pm10", 31)], b);
        Assert.Equal([new("pm10", 32), new("pm25", 14.5)], c);
    }

    private static ReadingValues Decode(PlatformJsonDecoder decoder, DeviceTopic topic, string json)
    {
        var result = decoder.Decode(Encoding.UTF8.GetBytes(json), topic, Now);
        Assert.True(result.IsSuccess, $"{result.Reason}: {result.Detail}");
        return Assert.Single(result.Readings).Values;
    }
}
