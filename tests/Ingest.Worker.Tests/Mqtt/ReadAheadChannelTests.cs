using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Ingest.Mqtt;
using MQTTnet.Channel;

namespace Ingest.Worker.Tests.Mqtt;

/// <summary>
/// The read-ahead buffer under MQTTnet's packet reader: whatever sizes the reader asks for, it gets the stream's bytes in
/// order, end of stream as 0, with far fewer reads of the socket. (Every integration test runs the worker's MQTT client
/// through it against a real broker; this pins the buffer arithmetic.)
/// </summary>
public sealed class ReadAheadChannelTests
{
    [Fact]
    public async Task SmallReads_AreServedFromFewLargeOnes_InOrder()
    {
        var stream = Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7)).ToArray();
        var inner = new ScriptedChannel(stream, maxChunk: 3_000);
        var sut = new ReadAheadChannel(inner, bufferSize: 4096);

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
        var sut = new ReadAheadChannel(new ScriptedChannel([1, 2, 3, 4, 5], maxChunk: 5), bufferSize: 64);
        var buffer = new byte[6];

        var n = await sut.ReadAsync(buffer, 2, 3, TestContext.Current.CancellationToken);

        Assert.Equal(3, n);
        Assert.Equal(new byte[] { 0, 0, 1, 2, 3, 0 }, buffer);
    }

    /// <summary>A socket that hands out its bytes in chunks of at most <c>maxChunk</c>, then end of stream.</summary>
    private sealed class ScriptedChannel(byte[] bytes, int maxChunk) : IMqttChannel
    {
        private int _position;

        public int Reads { get; private set; }

        public X509Certificate2 ClientCertificate => null!;

        public EndPoint RemoteEndPoint => new IPEndPoint(IPAddress.Loopback, 1883);

        public EndPoint LocalEndPoint => new IPEndPoint(IPAddress.Loopback, 50000);

        public bool IsSecureConnection => false;

        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DisconnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Reads++;
            var n = Math.Min(Math.Min(count, maxChunk), bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return Task.FromResult(n);
        }

        public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
