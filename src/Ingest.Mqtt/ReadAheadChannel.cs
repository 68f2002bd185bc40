using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;

namespace Ingest.Mqtt;

/// <summary>
/// An MQTT channel that reads ahead: MQTTnet reads each packet in pieces (the fixed header, the length bytes, the body),
/// and on a bare socket each piece is a <c>recv</c> system call, three or more per message. Measured on the worker, those
/// calls were a sixth of its CPU at a few thousand messages a second. This channel fills one buffer per call instead and
/// serves the pieces from it. Only the client's receive loop reads, so the buffer needs no lock; writes pass straight through.
/// </summary>
public sealed class ReadAheadChannel(IMqttChannel inner, int bufferSize = 64 * 1024) : IMqttChannel
{
    private readonly byte[] _buffer = new byte[bufferSize];
    private int _start;
    private int _end;
    private Task<int>? _lastResult;

    public X509Certificate2 ClientCertificate => inner.ClientCertificate;

    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => inner.LocalEndPoint;

    public bool IsSecureConnection => inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken)
    {
        _start = _end = 0;
        return inner.ConnectAsync(cancellationToken);
    }

    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

    public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (_start < _end)
        {
            // Completed tasks are reused while the size repeats (header pieces, same-sized bodies): no allocation per piece.
            var n = Take(buffer, offset, count);
            if (_lastResult is null || _lastResult.Result != n)
            {
                _lastResult = Task.FromResult(n);
            }

            return _lastResult;
        }

        // Nothing buffered: a read at least as large as the buffer goes straight to the socket.
        return count >= _buffer.Length
            ? inner.ReadAsync(buffer, offset, count, cancellationToken)
            : FillAndTakeAsync(buffer, offset, count, cancellationToken);
    }

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);

    public void Dispose() => inner.Dispose();

    private async Task<int> FillAndTakeAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await inner.ReadAsync(_buffer, 0, _buffer.Length, cancellationToken).ConfigureAwait(false);
        return _end == 0 ? 0 : Take(buffer, offset, count);
    }

    private int Take(byte[] buffer, int offset, int count)
    {
        var n = Math.Min(count, _end - _start);
        Buffer.BlockCopy(_buffer, _start, buffer, offset, n);
        _start += n;
        return n;
    }
}

/// <summary>
/// Builds MQTTnet's TCP channel adapter as its default factory does, with the channel wrapped in a
/// <see cref="ReadAheadChannel"/>. Pass to <c>MqttClientFactory.CreateMqttClient(adapterFactory)</c>.
/// </summary>
public sealed class ReadAheadAdapterFactory : IMqttClientAdapterFactory
{
    public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        IMqttChannel channel = options.ChannelOptions switch
        {
            MqttClientTcpOptions => new ReadAheadChannel(new MqttTcpChannel(options)),
            MqttClientWebSocketOptions webSocket => new MqttWebSocketChannel(webSocket),
            _ => throw new NotSupportedException($"channel options {options.ChannelOptions?.GetType().Name} are not supported"),
        };
        var formatter = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        return new MqttChannelAdapter(channel, formatter, logger)
        {
            AllowPacketFragmentation = options.AllowPacketFragmentation,
            PacketInspector = packetInspector,
        };
    }
}
