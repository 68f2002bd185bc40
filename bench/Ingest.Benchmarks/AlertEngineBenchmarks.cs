using BenchmarkDotNet.Attributes;
using Ingest.Contracts;
using Ingest.Worker.Alerting.Engine;
using Ingest.Worker.Alerting.Rules;
using Ingest.Worker.Decoding;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Benchmarks;

/// <summary>
/// The alert engine's work per reading, which the worker does for every stored reading beside the hot path: the worker's
/// own rules file (sixteen air rules: twelve rolling averages, the VN_AQI hours, rate of change, flat line, offline) on
/// air readings of eight values from 1,000 stations, one reading per station per minute of device time, within every
/// limit (the common case: nothing is raised). Each iteration feeds the next 100,000 readings, so device time moves on
/// through hours and days as it does in service: windows slide, AQI hours close.
/// </summary>
[MemoryDiagnoser]
public class AlertEngineBenchmarks
{
    private const int Stations = 1000;
    private const int PerIteration = 100_000;
    private static readonly string[] Names = [Fields.Co, Fields.No2, Fields.O3, Fields.Pm10, Fields.Pm25, Fields.Humidity, Fields.So2, Fields.Temperature];

    private AlertEngine _engine = null!;
    private readonly EngineOutput _output = new();
    private readonly Reading[] _readings = new Reading[PerIteration];
    private readonly string[] _ids = [.. Enumerable.Range(0, Stations).Select(BenchInputs.DeviceId)];
    private readonly KeyValuePair<string, double>[] _values = new KeyValuePair<string, double>[Names.Length];
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        var path = BenchInputs.RepositoryFile("src/Ingest.Worker/alert-rules.json");
        var rules = AlertRuleSet.Load(path, 1, out var errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
        _engine = new AlertEngine(() => rules, TimeProvider.System, TimeSpan.FromHours(7), TimeSpan.FromMinutes(5), NullLogger.Instance);
    }

    [IterationSetup]
    public void NextReadings()
    {
        for (var i = 0; i < PerIteration; i++, _next++)
        {
            var station = (int)(_next % Stations);
            var minute = _next / Stations;
            var wobble = ((station * 7919L) + (minute * 31L)) % 100 / 10.0;
            ReadOnlySpan<double> baselines = [500, 15, 30, 40, 20, 60, 5, 24];
            var values = _values;
            for (var f = 0; f < Names.Length; f++)
            {
                values[f] = new(Names[f], baselines[f] + wobble);
            }

            _readings[i] = new Reading(
                Domains.Air, _ids[station], "bench", BenchInputs.Now.AddMinutes(minute), true, minute, ReadingValues.Create(values), []);
        }
    }

    /// <summary>One reading through every rule of its station. Per reading.</summary>
    [Benchmark(OperationsPerInvoke = PerIteration)]
    public int OnReading()
    {
        var events = 0;
        foreach (var reading in _readings)
        {
            _engine.OnReading(reading, reading.Timestamp, _output);
            events += _output.Alerts.Count;
            _output.Clear();
        }

        return events;
    }
}
