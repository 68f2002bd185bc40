using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DeviceSim.Publishing;
using Ingest.Contracts;
using MQTTnet;
using MQTTnet.Protocol;

namespace DeviceSim.Faults;

/// <summary>
/// The worker's side of a fault run, seen from the broker: subscribed to <c>{root}/deadletter/#</c> before the fleet
/// starts, it keeps every dead-letter record (the worker's JSON lines) whose topic names one of this run's devices, and
/// at the end compares their reasons with the reasons the injected faults must be given. Dead letters are QoS 0, so a
/// broker under strain may drop some; the worker's quarantine files are the durable record.
/// </summary>
public sealed class DeadLetterCheck : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly Topics _topics;
    private readonly ConcurrentDictionary<string, bool> _devices = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Reason, string Device)> _records = new();
    private readonly ConcurrentDictionary<string, int> _expected = new(StringComparer.Ordinal);
    private int _unreadable;

    private DeadLetterCheck(IMqttClient client, Topics topics, IEnumerable<string> devices)
    {
        _client = client;
        _topics = topics;
        foreach (var device in devices)
        {
            _devices[device] = true;
        }

        _client.ApplicationMessageReceivedAsync += e =>
        {
            Take(e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
    }

    /// <summary>Connects (the broker settings' shared user, if any) and subscribes; <paramref name="devices"/> are the fleet's ids.</summary>
    public static async Task<DeadLetterCheck> StartAsync(BrokerSettings broker, string clientId, IEnumerable<string> devices, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var builder = broker.ClientOptions(clientId);
        if (broker.Username is not null)
        {
            builder = builder.WithCredentials(broker.Username, broker.Password ?? "");
        }

        var topics = new Topics(broker.TopicRoot);
        var check = new DeadLetterCheck(client, topics, devices);
        try
        {
            await client.ConnectAsync(builder.Build(), cancellationToken);
            var granted = await client.SubscribeAsync($"{topics.Root}/deadletter/#", MqttQualityOfServiceLevel.AtMostOnce, cancellationToken);
            if (granted.Items.Any(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2))
            {
                throw new IOException($"the broker refused the subscription to {topics.Root}/deadletter/# (no read access for this user?)");
            }
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await check.DisposeAsync();
            throw new IOException($"cannot watch dead letters on {broker.Host}:{broker.Port}: {ex.Message}", ex);
        }

        return check;
    }

    /// <summary>Notes an injected fault: one dead letter of its reason is due when the worker must reject it.</summary>
    public void Expect(InjectedFault fault)
    {
        _devices[fault.TopicDeviceId] = true;
        if (fault.ExpectedReason is { } reason)
        {
            _expected.AddOrUpdate(reason, 1, (_, n) => n + 1);
        }
    }

    /// <summary>Waits until every expected dead letter has come (or <paramref name="grace"/> has passed), then compares.</summary>
    public async Task<DeadLetterReport> CompleteAsync(TimeSpan grace, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + grace;
        while (!Compare().AllMatch && time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
        }

        return Compare();
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }

    private DeadLetterReport Compare()
    {
        var seen = _records.Where(r => _devices.ContainsKey(r.Device)).GroupBy(r => r.Reason).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var rows = _expected.Keys.Union(seen.Keys).Order(StringComparer.Ordinal)
            .Select(reason => new DeadLetterRow(reason, _expected.GetValueOrDefault(reason), seen.GetValueOrDefault(reason)))
            .ToList();
        return new DeadLetterReport($"{_topics.Root}/deadletter/#", rows, Volatile.Read(ref _unreadable));
    }

    private void Take(byte[] payload)
    {
        foreach (var line in Encoding.UTF8.GetString(payload).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                using var record = JsonDocument.Parse(line);
                var reason = record.RootElement.GetProperty("reason").GetString();
                var topic = record.RootElement.GetProperty("topic").GetString();
                if (reason is not null && topic is not null && _topics.TryParse(topic, out var parsed))
                {
                    _records.Enqueue((reason, parsed.DeviceId));
                }
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                Interlocked.Increment(ref _unreadable);
            }
        }
    }
}

/// <summary>One reason: dead letters due (from the injected faults) and received.</summary>
public sealed record DeadLetterRow(string Reason, int Expected, int Received)
{
    public bool Matches => Expected == Received;
}

/// <summary>The comparison at the end of a fault run.</summary>
public sealed record DeadLetterReport(string Filter, IReadOnlyList<DeadLetterRow> Rows, int Unreadable)
{
    public bool AllMatch => Unreadable == 0 && Rows.All(r => r.Matches);

    public void WriteTo(TextWriter output)
    {
        output.WriteLine($"── Tin nhắn bị cách ly / Dead letters ({Filter}, this run's devices) ──");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"reason",-22}{"expected",9}{"received",10}"));
        foreach (var row in Rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {row.Reason,-22}{row.Expected,9}{row.Received,10}  {(row.Matches ? "ok" : row.Received < row.Expected ? "MISSING" : "UNEXPECTED")}"));
        }

        if (Unreadable > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Unreadable} dead-letter line(s) were not quarantine records"));
        }

        output.WriteLine(AllMatch
            ? "  every fault the worker must reject was dead-lettered with its reason"
            : "  MISMATCH: compare with the worker's quarantine files and its Registry:UnknownDevice setting");
    }
}
