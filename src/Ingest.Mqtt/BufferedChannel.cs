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
/// An MQTT channel that buffers both ways, to spend fewer system calls per message.
/// <para>Reads ahead: MQTTnet reads each packet in pieces (the fixed header, the length bytes, the body), and on a bare
/// socket each piece is a <c>recv</c>, three or more per message; measured on the worker, those calls were a sixth of its
/// CPU at a few thousand messages a second. This channel fills one buffer per call and serves the pieces from it. Only
/// the client's receive loop reads, so that buffer needs no lock.</para>
/// <para>Coalesces writes: a worker acknowledges thousands of messages in a row once a batch is stored, one small PUBACK
/// each. A write is copied into a pending buffer and returns; one flush loop on the thread pool sends everything pending in
/// one <c>send</c>, again and again until nothing is left. Packets keep their order; under light load a packet goes out as
/// soon as the pool runs the loop. A failed send is reported by the next write (MQTTnet's receive loop sees the broken
/// connection too); a disconnect first waits for what is pending. Pending bytes past 1 MiB make writers wait for the send.</para>
/// <para>Bounds what the client holds: with <paramref name="maxUnacknowledged"/> (or <paramref name="maxUnacknowledgedBytes"/>)
/// set, no further packet is handed to MQTTnet while that many QoS 1/2 PUBLISH packets (or that many of their bytes)
/// have been received and not yet acknowledged (PUBACK or PUBREC written), so the broker's further messages wait in the
/// broker, not in the client's memory. MQTT 5's Receive Maximum asks the broker for the same, but mosquitto 2.0.11 does
/// not keep to it once acknowledgements flow (eclipse-mosquitto/mosquitto#2301; measured in BENCHMARKS.md): a consumer
/// that fell behind held every message the broker had for it.</para>
/// <para>Acknowledges by packet id: <see cref="Acknowledge"/> writes a QoS 1 message's PUBACK itself, between MQTTnet's
/// packets, so a consumer that acknowledges once a message is stored keeps only the id until then, not MQTTnet's
/// received message (event arguments, application message, packet, delegate: measured, about 400 bytes a message in
/// flight, copied by every garbage collection that finds it alive).</para>
/// </summary>
public sealed class BufferedChannel(IMqttChannel inner, int readBufferSize = 64 * 1024, int maxUnacknowledged = 0, long maxUnacknowledgedBytes = 0) : IMqttChannel
{
    private readonly byte[] _buffer = new byte[readBufferSize];
    private int _start;
    private int _end;
    private Task<int>? _lastResult;

    private const int MaxPendingBytes = 1024 * 1024;

    // _pending, _flushScheduled, _flushing and _writeFailure change only under the gate; _sending belongs to the flush loop.
    private readonly Lock _writeGate = new();
    private ArrayBufferWriter<byte> _pending = new(4096);
    private ArrayBufferWriter<byte> _sending = new(4096);
    private Task _flushing = Task.CompletedTask;
    private bool _flushScheduled;
    private Exception? _writeFailure;

    // MQTTnet may write a packet in two pieces (header, then payload); PUBACKs of Acknowledge wait here until it is whole.
    private readonly ArrayBufferWriter<byte> _deferred = new(64);
    private bool _midPacket;

    // The incoming packet framing, followed byte by byte as the reader is served: what kind of packet starts, its length.
    // With no bound set the framing is not followed and no read waits.
    private readonly bool _bounded = maxUnacknowledged > 0 || maxUnacknowledgedBytes > 0;
    private readonly Lock _flowGate = new();
    private readonly Queue<int> _unacknowledgedSizes = new();
    private long _unacknowledgedBytes;
    private TaskCompletionSource _released = NewSignal();
    private FrameState _frame;
    private byte _header;
    private int _remaining;
    private int _lengthShift;

    private enum FrameState
    {
        Header,
        Length,
        Body,
    }

    /// <summary>QoS 1/2 PUBLISH packets received on this connection and not yet acknowledged.</summary>
    public int Unacknowledged
    {
        get
        {
            lock (_flowGate)
            {
                return _unacknowledgedSizes.Count;
            }
        }
    }

    public X509Certificate2 ClientCertificate => inner.ClientCertificate;

    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => inner.LocalEndPoint;

    public bool IsSecureConnection => inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken)
    {
        _start = _end = 0;
        _frame = FrameState.Header;
        lock (_flowGate)
        {
            // Packet ids and their acknowledgements are per connection: what the last one held is the broker's to resend.
            _unacknowledgedSizes.Clear();
            _unacknowledgedBytes = 0;
            _released.TrySetResult();
            _released = NewSignal();
        }

        lock (_writeGate)
        {
            _pending.ResetWrittenCount();
            _deferred.ResetWrittenCount();
            _midPacket = false;
            _writeFailure = null;
        }

        return inner.ConnectAsync(cancellationToken);
    }

    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        Task flushing;
        lock (_writeGate)
        {
            flushing = _flushScheduled ? _flushing : Task.CompletedTask;
        }

        try
        {
            await flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Out of time (a peer that stopped reading): the disconnect below closes the socket, which ends the send too.
        }

        await inner.DisconnectAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (_bounded && _frame == FrameState.Header && IsFull(out var released))
        {
            return ReadWhenReleasedAsync(released, buffer, offset, count, cancellationToken);
        }

        return ReadNowAsync(buffer, offset, count, cancellationToken);
    }

    private Task<int> ReadNowAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
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
            ? ReadDirectAsync(buffer, offset, count, cancellationToken)
            : FillAndTakeAsync(buffer, offset, count, cancellationToken);
    }

    private async Task<int> ReadWhenReleasedAsync(Task released, byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        // Waits at a packet boundary until acknowledgements make room: MQTTnet's receive loop (and the socket) wait too.
        while (true)
        {
            await released.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!IsFull(out released))
            {
                return await ReadNowAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<int> ReadDirectAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var n = await inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        Follow(buffer.AsSpan(offset, n));
        return n;
    }

    private bool IsFull(out Task released)
    {
        lock (_flowGate)
        {
            released = _released.Task;
            return (maxUnacknowledged > 0 && _unacknowledgedSizes.Count >= maxUnacknowledged)
                || (maxUnacknowledgedBytes > 0 && _unacknowledgedBytes >= maxUnacknowledgedBytes);
        }
    }

    /// <summary>Follows the framing of bytes handed to the reader; counts each QoS 1/2 PUBLISH once its length is known.</summary>
    private void Follow(ReadOnlySpan<byte> bytes)
    {
        if (!_bounded)
        {
            return;
        }

        var i = 0;
        while (i < bytes.Length)
        {
            switch (_frame)
            {
                case FrameState.Header:
                    (_header, _remaining, _lengthShift, _frame) = (bytes[i++], 0, 0, FrameState.Length);
                    break;
                case FrameState.Length:
                    var b = bytes[i++];
                    _remaining |= (b & 0x7F) << _lengthShift;
                    _lengthShift += 7;
                    if ((b & 0x80) == 0)
                    {
                        PacketStarted();
                    }

                    break;
                default:
                    var skip = Math.Min(_remaining, bytes.Length - i);
                    (i, _remaining) = (i + skip, _remaining - skip);
                    if (_remaining == 0)
                    {
                        _frame = FrameState.Header;
                    }

                    break;
            }
        }
    }

    private void PacketStarted()
    {
        // PUBLISH is type 3, its QoS in bits 1–2 of the fixed header; QoS 0 is never acknowledged, so never counted.
        if (_header >> 4 == 3 && ((_header >> 1) & 3) != 0)
        {
            lock (_flowGate)
            {
                _unacknowledgedSizes.Enqueue(_remaining);
                _unacknowledgedBytes += _remaining;
            }
        }

        _frame = _remaining == 0 ? FrameState.Header : FrameState.Body;
    }

    /// <summary>A PUBACK or PUBREC written: the oldest message is acknowledged (a consumer acknowledges in arrival order).</summary>
    private void Acknowledged()
    {
        lock (_flowGate)
        {
            if (_unacknowledgedSizes.TryDequeue(out var size))
            {
                _unacknowledgedBytes -= size;
                _released.TrySetResult();
                _released = NewSignal();
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
    {
        lock (_writeGate)
        {
            if (!_midPacket && !buffer.IsEmpty && buffer.FirstSpan[0] >> 4 is 4 or 5)
            {
                Acknowledged();
            }

            _midPacket = !isEndOfPacket;
            if (_writeFailure is not null)
            {
                return Task.FromException(_writeFailure);
            }

            foreach (var segment in buffer)
            {
                _pending.Write(segment.Span);
            }

            if (!_midPacket && _deferred.WrittenCount > 0)
            {
                _pending.Write(_deferred.WrittenSpan);
                _deferred.ResetWrittenCount();
            }

            ScheduleFlush();
            return _pending.WrittenCount > MaxPendingBytes ? _flushing : Task.CompletedTask;
        }
    }

    /// <summary>
    /// Acknowledges the QoS 1 PUBLISH with this packet id: its PUBACK (reason Success, no properties: the two-byte form
    /// of MQTT 5, the same bytes in 3.1.1) goes out with the next send, after any packet MQTTnet is part-way through.
    /// The caller keeps MQTT's rule of acknowledging in arrival order. Nothing is sent once the connection has failed:
    /// the broker resends what was not acknowledged.
    /// </summary>
    public void Acknowledge(ushort packetId)
    {
        ReadOnlySpan<byte> puback = [0x40, 0x02, (byte)(packetId >> 8), (byte)packetId];
        lock (_writeGate)
        {
            Acknowledged();
            if (_writeFailure is not null)
            {
                return;
            }

            if (_midPacket)
            {
                _deferred.Write(puback);
                return;
            }

            _pending.Write(puback);
            ScheduleFlush();
        }
    }

    private void ScheduleFlush()
    {
        if (!_flushScheduled)
        {
            _flushScheduled = true;
            _flushing = Task.Run(FlushLoopAsync, CancellationToken.None);
        }
    }

    public void Dispose() => inner.Dispose();

    private async Task FlushLoopAsync()
    {
        while (true)
        {
            lock (_writeGate)
            {
                if (_pending.WrittenCount == 0)
                {
                    _flushScheduled = false;
                    return;
                }

                (_pending, _sending) = (_sending, _pending);
            }

            try
            {
                await inner.WriteAsync(new ReadOnlySequence<byte>(_sending.WrittenMemory), true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                lock (_writeGate)
                {
                    _writeFailure = e;
                    _flushScheduled = false;
                }

                // Recorded, not thrown: nobody awaits this loop, the next write reports the failure.
                return;
            }

            _sending.ResetWrittenCount();
        }
    }

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
        Follow(_buffer.AsSpan(_start, n));
        _start += n;
        return n;
    }
}

/// <summary>
/// Builds MQTTnet's TCP channel adapter as its default factory does, with the channel wrapped in a
/// <see cref="BufferedChannel"/>. Pass to <c>MqttClientFactory.CreateMqttClient(adapterFactory)</c>. A consumer that
/// acknowledges its messages itself passes its bounds (see <see cref="BufferedChannel"/>); 0 means none.
/// </summary>
public sealed class BufferedAdapterFactory(int maxUnacknowledged = 0, long maxUnacknowledgedBytes = 0) : IMqttClientAdapterFactory
{
    private BufferedChannel? _channel;

    /// <summary>The channel of the latest connection (null over WebSocket): where <see cref="BufferedChannel.Acknowledge"/> goes.</summary>
    public BufferedChannel? Channel => Volatile.Read(ref _channel);

    public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        IMqttChannel channel = options.ChannelOptions switch
        {
            MqttClientTcpOptions => new BufferedChannel(new MqttTcpChannel(options), maxUnacknowledged: maxUnacknowledged, maxUnacknowledgedBytes: maxUnacknowledgedBytes),
            MqttClientWebSocketOptions webSocket => new MqttWebSocketChannel(webSocket),
            _ => throw new NotSupportedException($"channel options {options.ChannelOptions?.GetType().Name} are not supported"),
        };
        Volatile.Write(ref _channel, channel as BufferedChannel);
        var formatter = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        return new MqttChannelAdapter(channel, formatter, logger)
        {
            AllowPacketFragmentation = options.AllowPacketFragmentation,
            PacketInspector = packetInspector,
        };
    }
}
