using System.Buffers;
using System.Text;
using Ingest.Contracts;
using Ingest.Dashboard.Live;
using Ingest.Dashboard.Registry;
using Ingest.Dashboard.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Dashboard.Tests.Unit;

public sealed class AlertBoardTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<string> All = [Domains.Air, Domains.Water, Domains.Meter, Domains.Gateway];

    [Fact]
    public void Lifecycle_raise_acknowledge_clear()
    {
        var board = new AlertBoard();
        var raised = TestMqtt.AirAlert("a", "s", T0);
        Assert.Same(raised, board.Apply(raised));
        Assert.Null(board.Apply(raised));

        var acked = board.Acknowledge(raised.AlertId, "lan", T0.AddMinutes(1))!;
        Assert.Equal(AlertState.Acknowledged, acked.State);
        Assert.Equal("lan", acked.AcknowledgedBy);

        // A redelivered raise does not undo the acknowledgement; a stale event is ignored.
        Assert.Null(board.Apply(raised with { EventAt = T0.AddMinutes(2) }));
        Assert.Null(board.Apply(raised with { State = AlertState.Cleared, EventAt = T0.AddSeconds(30) }));
        Assert.Equal(AlertState.Acknowledged, board.Find(raised.AlertId)!.State);

        Assert.NotNull(board.Apply(raised with { State = AlertState.Cleared, EventAt = T0.AddMinutes(5) }));
        Assert.Empty(board.Open(All));
        Assert.Null(board.Acknowledge(raised.AlertId, "lan", T0.AddMinutes(6)));
    }

    [Fact]
    public void Open_alerts_are_filtered_by_domain_and_newest_first()
    {
        var board = new AlertBoard();
        var older = TestMqtt.AirAlert("a", "s", T0);
        var newer = TestMqtt.AirAlert("b", "s", T0.AddMinutes(10));
        var meter = TestMqtt.MeterAlert("m", "s", T0.AddMinutes(20));
        board.Apply(older);
        board.Apply(meter);
        board.Apply(newer);
        Assert.Equal([newer.AlertId, older.AlertId], board.Open(new HashSet<string> { Domains.Air }).Select(a => a.AlertId));
        Assert.Equal([meter.AlertId], board.Open(new HashSet<string> { Domains.Meter }).Select(a => a.AlertId));
    }
}

public sealed class DeviceBoardTests
{
    [Fact]
    public void State_comes_from_status_or_else_from_silence()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        var registry = new DeviceRegistry(Options.Create(new RegistryOptions()), NullLogger<DeviceRegistry>.Instance);
        var board = new DeviceBoard(registry, time, Options.Create(new LiveFeedOptions { OfflineAfter = TimeSpan.FromMinutes(5) }));

        var seen = board.Record("air", "s", "quiet", time.GetUtcNow(), new Dictionary<string, double> { ["pm25"] = 12 }, []);
        Assert.Equal("online", seen.State);
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal("offline", board.Find("quiet")!.State);

        Assert.Equal("offline", board.SetStatus("air", "s", "willed", online: false).State);
        board.Record("air", "s", "willed", time.GetUtcNow(), new Dictionary<string, double>(), []);
        Assert.Equal("offline", board.Find("willed")!.State);
        Assert.Equal("online", board.SetStatus("air", "s", "willed", online: true).State);

        Assert.Equal(["quiet", "willed"], board.Devices(new HashSet<string> { "air" }).Select(d => d.Id));
        Assert.Empty(board.Devices(new HashSet<string> { "meter" }));
    }

    [Fact]
    public void Registry_rows_are_read_by_their_header_and_bad_rows_skipped()
    {
        Assert.Equal(
            [
                new RegisteredDevice("air-1", "air", "vsip", "Từ Sơn", "lcs", 21.0885, 105.996),
                new RegisteredDevice("air-2", "air", "vsip", "", "", null, null),
                new RegisteredDevice("air-3", "air", "vsip", "z", "k", null, null),
            ],
            DeviceRegistry.ParseCsv(["id,domain,site,zone,kind,lat,lon", "air-1,air,vsip,Từ Sơn,lcs,21.0885,105.9960", "air-2,air,vsip",
                ",air,vsip,z,k,1,2", "air-x,,vsip", "air-3,air,vsip,z,k,x,y"]));

        // Columns in any order, as the worker reads them; site_name is the site as people call it.
        Assert.Equal(
            [new RegisteredDevice("meter-1", "meter", "tien-son", "Tiên Du", "household", 21.1, 106.0, "KCN Tiên Sơn")],
            DeviceRegistry.ParseCsv(["site_name,lon,lat,kind,zone,site,domain,id", "KCN Tiên Sơn,106.0,21.1,household,Tiên Du,tien-son,meter,meter-1"]));

        Assert.Throws<FormatException>(() => DeviceRegistry.ParseCsv(["device,domain,site", "a,air,s"]).ToList());
    }
}

public sealed class TelemetryReaderTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    private static bool Read(string json, string device, out DateTimeOffset at, out IReadOnlyDictionary<string, double> values, out IReadOnlyList<string> flags) =>
        TelemetryReader.TryRead(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), device, Received, out at, out values, out flags);

    [Fact]
    public void Reads_time_values_and_flags()
    {
        Assert.True(Read("""{"id":"m1","ts":"2026-11-25T07:59:00Z","values":{"voltage":221.5,"power":1.2,"bad":"x"},"flags":["tamper"]}""", "m1", out var at, out var values, out var flags));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 7, 59, 0, TimeSpan.Zero), at);
        Assert.Equal(2, values.Count);
        Assert.Equal(221.5, values["voltage"]);
        Assert.Equal(["tamper"], flags);
    }

    [Theory]
    [InlineData("""{"id":"other","values":{"pm25":1}}""")]
    [InlineData("""{"id":"m1"}""")]
    [InlineData("not json")]
    [InlineData("air,device=m1 pm25=1")]
    public void Anything_else_is_not_read(string payload) => Assert.False(Read(payload, "m1", out _, out _, out _));
}
