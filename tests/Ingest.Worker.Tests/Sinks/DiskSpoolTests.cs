using System.Text;
using Ingest.Worker.Hosting;
using Ingest.Worker.Sinks.Spool;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Tests.Sinks;

public sealed class DiskSpoolTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"spool-test-{Guid.NewGuid():N}");

    private DiskSpool CreateSut(long maxBytes = 1024 * 1024) =>
        new(Options.Create(new SpoolOptions { Directory = _directory, MaxBytes = maxBytes }), Options.Create(new IngestOptions()));

    [Fact]
    public async Task Append_ThenRead_OldestFirst()
    {
        var sut = CreateSut();

        await sut.AppendAsync(Lines("a,device=1 v=1 1", "a,device=1 v=2 2"), TestContext.Current.CancellationToken);
        await sut.AppendAsync(Lines("a,device=1 v=3 3"), TestContext.Current.CancellationToken);

        Assert.Equal(2, sut.SegmentCount);
        Assert.True(sut.TryPeekOldest(out var first));
        Assert.Equal(["a,device=1 v=1 1", "a,device=1 v=2 2"], Lines(await sut.ReadAsync(first, TestContext.Current.CancellationToken)));
        sut.Delete(first);
        Assert.True(sut.TryPeekOldest(out var second));
        Assert.Equal(["a,device=1 v=3 3"], Lines(await sut.ReadAsync(second, TestContext.Current.CancellationToken)));
        sut.Delete(second);
        Assert.True(sut.IsEmpty);
        Assert.Equal(0, sut.Bytes);
    }

    [Fact]
    public async Task NewInstance_FindsSegmentsOfAKilledWorker_AndIgnoresUnfinishedOnes()
    {
        var before = CreateSut();
        await before.AppendAsync(Lines("a v=1 1"), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(_directory, "0000000000000009.lp.tmp"), "half", TestContext.Current.CancellationToken);

        var sut = CreateSut();
        await sut.AppendAsync(Lines("a v=2 2"), TestContext.Current.CancellationToken);

        Assert.Equal(2, sut.SegmentCount);
        Assert.False(File.Exists(Path.Combine(_directory, "0000000000000009.lp.tmp")));
        Assert.True(sut.TryPeekOldest(out var oldest));
        Assert.Equal(["a v=1 1"], Lines(await sut.ReadAsync(oldest, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task HasRoomFor_PastTheBound_False()
    {
        var sut = CreateSut(maxBytes: 1024 * 1024);
        await sut.AppendAsync(Lines(new string('x', 600 * 1024)), TestContext.Current.CancellationToken);

        Assert.True(sut.HasRoomFor(100 * 1024));
        Assert.False(sut.HasRoomFor(500 * 1024));
    }

    private static byte[] Lines(params string[] lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));

    private static string[] Lines(byte[] segment) => Encoding.UTF8.GetString(segment).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
