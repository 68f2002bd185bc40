using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Ingest.Mqtt;
using MQTTnet.Channel;

namespace Ingest.Worker.Tests.Mqtt;

/// <summary>
/// The buffers under MQTTnet's packet reader and writer: whatever sizes the reader asks for, it gets the stream's bytes in
/// order, end of stream as 0, with far fewer reads of the socket; packets written while a send is under way go out
/// together in the next one, in order; a failed send is reported, a disconnect waits for what is pending. (Every
/// integration test runs the worker's MQTT client through it against a real broker; this pins the buffer arithmetic.)
/// </summary>
public sealed class BufferedChannelTests
{
    [Fact]
    public async Task SmallReads_AreServedFromFewLargeOnes_InOrder()
    {
        var stream = Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7)).ToArray();
        var inner = new ScriptedChannel(stream, maxChunk: 3_000);
        var sut = new BufferedChannel(inner, readBufferSize: 4096);

        var received = new List<byte>();
        var sizes = new[] { 1, 1, 2, 200, 4096, 5000, 13 };
        for (var i = 0; ; i++)
        {
            var buffer = new byte[sizes[i % sizes.Length]];
            var n = await sut.ReadAsync(buffer, 0, buffer.Length, TestContext.Current.CancellationToken);
            if (n == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        Assert.Equal(stream, received);
        Assert.True(inner.Reads <= 10, $"{inner.Reads} reads of the socket for {received.Count} bytes");
    }

    [Fact]
    public async Task ReadAtOffset_WritesOnlyItsSlice()
    {
        var sut = new BufferedChannel(new ScriptedChannel([1, 2, 3, 4, 5], maxChunk: 5), readBufferSize: 64);
        var buffer = new byte[6];

        var n = await sut.ReadAsync(buffer, 2, 3, TestContext.Current.CancellationToken);

        Assert.Equal(3, n);
        Assert.Equal(new byte[] { 0, 0, 1, 2, 3, 0 }, buffer);
    }

    [Fact]
    public async Task WritesDuringASend_GoOutTogetherInTheNext_InOrder()
    {
        var (inner, sut) = await WithAHeldSendAsync(first: 0);
        for (var i = 1; i < 100; i++)
        {
            // Each write returns at once: copied, not yet sent.
            Assert.True(sut.WriteAsync(Packet(i), true, TestContext.Current.CancellationToken).IsCompletedSuccessfully);
        }

        inner.ReleaseSend();
        await sut.DisconnectAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, 100).SelectMany(i => Packet(i).ToArray()), inner.Written);
        Assert.Equal(2, inner.Sends);
    }

    [Fact]
    public async Task AFailedSend_IsReportedByALaterWrite()
    {
        var inner = new ScriptedChannel([], maxChunk: 1) { FailSends = true };
        var sut = new BufferedChannel(inner);

        await sut.WriteAsync(Packet(1), true, TestContext.Current.CancellationToken);
        var failure = await Record.ExceptionAsync(async () =>
        {
            for (var i = 0; i < 1_000; i++)
            {
                await sut.WriteAsync(Packet(2), true, TestContext.Current.CancellationToken);
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }
        });

        Assert.IsType<IOException>(failure);
    }

    [Fact]
    public async Task Disconnect_WaitsForThePendingSend()
    {
        var (inner, sut) = await WithAHeldSendAsync(first: 7);

        var disconnect = sut.DisconnectAsync(TestContext.Current.CancellationToken);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(disconnect.IsCompleted);
        Assert.False(inner.Disconnected);

        inner.ReleaseSend();
        await disconnect.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(inner.Disconnected);
        Assert.Equal(Packet(7).ToArray(), inner.Written);
    }

    [Fact]
    public async Task Disconnect_OutOfTimeForAStuckSend_StillDisconnects()
    {
        var (inner, sut) = await WithAHeldSendAsync(first: 7);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await sut.DisconnectAsync(timeout.Token).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.True(inner.Disconnected);
        inner.ReleaseSend();
    }

    [Fact]
    public async Task Acknowledge_WritesAPubAck_NeverInsideAPacketMqttnetIsPartWayThrough()
    {
        var inner = new ScriptedChannel([], maxChunk: 1);
        var sut = new BufferedChannel(inner);
        var cancellation = TestContext.Current.CancellationToken;
        byte[] header = [0x30, 0x05, 0x00, 0x01, (byte)'t'];
        byte[] payload = [(byte)'a', (byte)'b'];

        sut.Acknowledge(0x0102);
        await sut.WriteAsync(new ReadOnlySequence<byte>(header), isEndOfPacket: false, cancellation);
        sut.Acknowledge(0x0304);
        sut.Acknowledge(0x0506);
        await sut.WriteAsync(new ReadOnlySequence<byte>(payload), isEndOfPacket: true, cancellation);
        sut.Acknowledge(0x0708);
        await sut.DisconnectAsync(cancellation);

        Assert.Equal(
            [0x40, 0x02, 0x01, 0x02, .. header, .. payload, 0x40, 0x02, 0x03, 0x04, 0x40, 0x02, 0x05, 0x06, 0x40, 0x02, 0x07, 0x08],
            inner.Written);
    }

    [Fact]
    public async Task Acknowledge_ReleasesTheBound_AndAfterAFailedSendSendsNothing()
    {
        byte[][] packets = [Publish(qos: 1, 30), Publish(qos: 1, 40)];
        var inner = new ScriptedChannel([.. packets.SelectMany(p => p)], maxChunk: 4096) { FailSends = true };
        var sut = new BufferedChannel(inner, readBufferSize: 64, maxUnacknowledged: 1);
        var cancellation = TestContext.Current.CancellationToken;

        Assert.Equal(packets[0], await ReadPacketAsync(sut, cancellation));
        var blocked = ReadPacketAsync(sut, cancellation);
        await Task.Delay(100, cancellation);
        Assert.False(blocked.IsCompleted, "a second un-acknowledged PUBLISH was read with a bound of one");

        sut.Acknowledge(1);
        Assert.Equal(packets[1], await blocked.WaitAsync(TimeSpan.FromSeconds(5), cancellation));

        // The send of the first PUBACK fails (connection reset): the next is dropped quietly, the broker resends.
        await Task.Delay(100, cancellation);
        sut.Acknowledge(2);
        Assert.Equal(0, sut.Unacknowledged);
        Assert.Empty(inner.Written);
    }

    /// <summary>A channel whose first send, of packet <paramref name="first"/>, has begun and is held.</summary>
    private static async Task<(ScriptedChannel Inner, BufferedChannel Sut)> WithAHeldSendAsync(int first)
    {
        var inner = new ScriptedChannel([], maxChunk: 1);
        var sut = new BufferedChannel(inner);
        var sendStarted = inner.HoldNextSend();
        await sut.WriteAsync(Packet(first), true, TestContext.Current.CancellationToken);
        await sendStarted.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        return (inner, sut);
    }

    /// <summary>A PUBACK-sized packet whose bytes tell its number.</summary>
    private static ReadOnlySequence<byte> Packet(int number) => new([0x40, 0x02, (byte)(number >> 8), (byte)number]);

    /// <summary>
    /// A socket that hands out its bytes in chunks of at most <c>maxChunk</c>, then end of stream; records what is sent,
    /// and can hold a send until released, or fail every send.
    /// </summary>
    [Fact]
    public async Task AtItsBound_NoFurtherPacketIsRead_UntilAnAcknowledgementIsWritten()
    {
        // Five QoS 1 PUBLISH packets with a QoS 0 one among them (never acknowledged, so never counted), then a PINGRESP.
        byte[][] packets = [Publish(qos: 1, 300), Publish(qos: 0, 20), Publish(qos: 1, 10), Publish(qos: 1, 200), Publish(qos: 1, 5), Publish(qos: 1, 7), [0xD0, 0x00]];
        var sut = new BufferedChannel(new ScriptedChannel([.. packets.SelectMany(p => p)], maxChunk: 4096), readBufferSize: 64, maxUnacknowledged: 3);
        var cancellation = TestContext.Current.CancellationToken;

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(packets[i], await ReadPacketAsync(sut, cancellation));
        }

        Assert.Equal(3, sut.Unacknowledged);
        var blocked = ReadPacketAsync(sut, cancellation);
        await Task.Delay(100, cancellation);
        Assert.False(blocked.IsCompleted, "a fourth un-acknowledged PUBLISH was read");

        await sut.WriteAsync(new ReadOnlySequence<byte>([0x40, 0x02, 0x00, 0x01]), true, cancellation); // PUBACK
        Assert.Equal(packets[4], await blocked.WaitAsync(TimeSpan.FromSeconds(5), cancellation));
        Assert.Equal(3, sut.Unacknowledged);

        await sut.WriteAsync(new ReadOnlySequence<byte>([0xC0, 0x00]), true, cancellation); // PINGREQ: no acknowledgement
        var stillBlocked = ReadPacketAsync(sut, cancellation);
        await Task.Delay(100, cancellation);
        Assert.False(stillBlocked.IsCompleted, "a PINGREQ released a message");
    }

    [Fact]
    public async Task ByteBound_CountsPublishBodies_AndAReconnectStartsAfresh()
    {
        byte[][] packets = [Publish(qos: 1, 1000), Publish(qos: 1, 1000), Publish(qos: 1, 10)];
        var sut = new BufferedChannel(new ScriptedChannel([.. packets.SelectMany(p => p)], maxChunk: 4096), readBufferSize: 64, maxUnacknowledgedBytes: 1500);
        var cancellation = TestContext.Current.CancellationToken;

        Assert.Equal(packets[0], await ReadPacketAsync(sut, cancellation));
        Assert.Equal(packets[1], await ReadPacketAsync(sut, cancellation));
        var blocked = ReadPacketAsync(sut, cancellation);
        await Task.Delay(100, cancellation);
        Assert.False(blocked.IsCompleted, "read on past 2,000 un-acknowledged bytes with a bound of 1,500");

        // A new connection: the old one's messages are the broker's to resend, so nothing is held any more.
        await sut.ConnectAsync(cancellation);
        Assert.Equal(0, sut.Unacknowledged);
        Assert.Equal(packets[2], await blocked.WaitAsync(TimeSpan.FromSeconds(5), cancellation));
    }

    /// <summary>A PUBLISH packet as on the wire: fixed header with the QoS bits, remaining length (varint), body.</summary>
    private static byte[] Publish(int qos, int bodyLength)
    {
        var packet = new List<byte> { (byte)(0x30 | (qos << 1)) };
        var length = bodyLength;
        do
        {
            var b = (byte)(length & 0x7F);
            length >>= 7;
            packet.Add(length > 0 ? (byte)(b | 0x80) : b);
        }
        while (length > 0);

        packet.AddRange(Enumerable.Range(0, bodyLength).Select(i => (byte)i));
        return [.. packet];
    }

    /// <summary>Reads one packet the way MQTTnet does: the header byte, the length bytes one by one, then the body.</summary>
    private static async Task<byte[]> ReadPacketAsync(BufferedChannel channel, CancellationToken cancellationToken)
    {
        var packet = new List<byte>();
        var one = new byte[1];
        Assert.Equal(1, await channel.ReadAsync(one, 0, 1, cancellationToken));
        packet.Add(one[0]);
        int length = 0, shift = 0;
        do
        {
            Assert.Equal(1, await channel.ReadAsync(one, 0, 1, cancellationToken));
            packet.Add(one[0]);
            length |= (one[0] & 0x7F) << shift;
            shift += 7;
        }
        while ((one[0] & 0x80) != 0);

        var body = new byte[length];
        for (var read = 0; read < length;)
        {
            read += await channel.ReadAsync(body, read, length - read, cancellationToken);
        }

        packet.AddRange(body);
        return [.. packet];
    }

    private sealed class ScriptedChannel(byte[] bytes, int maxChunk) : IMqttChannel
    {
        private readonly Lock _gate = new();
        private readonly List<byte> _written = [];
        private TaskCompletionSource? _sendStarted;
        private TaskCompletionSource? _sendReleased;
        private bool _holdNextSend;
        private int _position;

        public int Reads { get; private set; }

        public int Sends { get; private set; }

        public bool FailSends { get; init; }

        public bool Disconnected { get; private set; }

        public byte[] Written
        {
            get
            {
                lock (_gate)
                {
                    return [.. _written];
                }
            }
        }

        /// <summary>The next send waits for <see cref="ReleaseSend"/>; the task completes when it has begun.</summary>
        public Task HoldNextSend()
        {
            _sendReleased = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _sendStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _holdNextSend = true;
            return _sendStarted.Task;
        }

        public void ReleaseSend() => _sendReleased?.TrySetResult();

        public X509Certificate2 ClientCertificate => null!;

        public EndPoint RemoteEndPoint => new IPEndPoint(IPAddress.Loopback, 1883);

        public EndPoint LocalEndPoint => new IPEndPoint(IPAddress.Loopback, 50000);

        public bool IsSecureConnection => false;

        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DisconnectAsync(CancellationToken cancellationToken)
        {
            Disconnected = true;
            return Task.CompletedTask;
        }

        public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Reads++;
            var n = Math.Min(Math.Min(count, maxChunk), bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return Task.FromResult(n);
        }

        public async Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
        {
            if (FailSends)
            {
                throw new IOException("connection reset by peer");
            }

            if (_holdNextSend)
            {
                _holdNextSend = false;
                _sendStarted!.TrySetResult();
                await _sendReleased!.Task;
            }

            lock (_gate)
            {
                Sends++;
                _written.AddRange(buffer.ToArray());
            }
        }

        public void Dispose()
        {
        }
    }
}
