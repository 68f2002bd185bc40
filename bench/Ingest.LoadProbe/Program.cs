using System.Text.Json;
using Ingest.LoadProbe;
using Ingest.LoadProbe.Ceilings;
using Ingest.LoadProbe.Load;

// Load and measurement tool of bench/run.sh. Human progress on stderr; one JSON object (the result) on stdout.
const string Usage = """
    Ingest.LoadProbe — measurements for bench/run.sh (loopback servers only)
      influx-ceiling  --influx-url URL [--influx-db telemetry] [--points 500000] [--batch 5000] [--concurrency 2] [--devices 1000]
      broker-ceiling  --port PORT [--messages 200000] [--connections 1] [--window 1000] [--devices 1000]
      load            --port PORT --influx-url URL --rate READINGS_PER_S --duration SECONDS [--mode single|gateway]
                      [--devices 1000] [--gateways 20] [--batch 100] [--connections 4] [--window 2000] [--watch-pid PID]
                      [--alert-devices 0] [--alert-period 2] [--poll 0.25] [--latency-sample 100] [--settle 5] [--drain-timeout 60]
                      [--max-lag 2] [--pass-ratio 0.95] [--label TEXT] [--run-id ID] [--series-id ID]
    Every command is bounded in count and time. Exit code 0 when measured (a failed step is a result, not an error).
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    var options = new ProbeArgs(args[1..]);
    Dictionary<string, object?> result = args[0] switch
    {
        "influx-ceiling" => await new InfluxCeiling(options).RunAsync(cancel.Token),
        "broker-ceiling" => await new BrokerCeiling(options).RunAsync(cancel.Token),
        "load" => await new LoadStep(options).RunAsync(cancel.Token),
        _ => throw new ArgumentException($"unknown command '{args[0]}'"),
    };
    Console.Out.WriteLine(JsonSerializer.Serialize(result));
    return 0;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine(Usage);
    return 2;
}
catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
{
    Console.Error.WriteLine($"error: {ex.GetType().Name}: {ex.Message}");
    return 1;
}
