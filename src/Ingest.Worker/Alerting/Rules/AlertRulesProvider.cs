using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Alerting.Rules;

/// <summary>
/// Holds the current <see cref="AlertRuleSet"/>. <see cref="LoadAtStartup"/> refuses to start on an invalid file, with
/// every problem in the message; afterwards a file watcher reloads on change, and a file that no longer validates is
/// logged and ignored (the previous rules stay in force). Thread-safe.
/// </summary>
public sealed partial class AlertRulesProvider : IDisposable
{
    private readonly ILogger<AlertRulesProvider> _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private FileSystemWatcher? _watcher;
    private ITimer? _debounce;
    private int _version;
    private volatile AlertRuleSet _current = AlertRuleSet.Empty;

    public AlertRulesProvider(IOptions<AlertingOptions> options, TimeProvider time, ILogger<AlertRulesProvider> logger)
    {
        _logger = logger;
        _time = time;
        var path = options.Value.RulesPath;
        Path = System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.Combine(AppContext.BaseDirectory, path);
    }

    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    /// <summary>The rules file in use (absolute).</summary>
    public string Path { get; }

    public AlertRuleSet Current => _current;

    /// <summary>Raised after a successful reload.</summary>
    public event Action<AlertRuleSet>? Reloaded;

    /// <summary>Loads the file; throws with every validation message when it is missing or invalid. Then watches it.</summary>
    public void LoadAtStartup()
    {
        var rules = AlertRuleSet.Load(Path, Interlocked.Increment(ref _version), out var errors)
            ?? throw new OptionsValidationException("Alerting", typeof(AlertingOptions),
                [.. errors.Prepend($"The alert rules file is not valid; fix it or set Alerting:RulesPath ({errors.Count} problem(s))")]);
        _current = rules;
        LogLoaded(Path, rules.DefaultRuleCount);
        Watch();
    }

    /// <summary>Reads the file again now; false (and the old rules kept) when it does not validate.</summary>
    public bool Reload()
    {
        lock (_gate)
        {
            AlertRuleSet? rules;
            IReadOnlyList<string> errors;
            try
            {
                rules = AlertRuleSet.Load(Path, Interlocked.Increment(ref _version), out errors);
            }
            catch (IOException ex)
            {
                LogReloadFailed(Path, ex.Message);
                return false;
            }

            if (rules is null)
            {
                LogReloadFailed(Path, string.Join(Environment.NewLine, errors));
                return false;
            }

            _current = rules;
            LogLoaded(Path, rules.DefaultRuleCount);
            Reloaded?.Invoke(rules);
            return true;
        }
    }

    private void Watch()
    {
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            return;
        }

        // Editors save in bursts (truncate, write, rename): wait for the burst to end before reading.
        _debounce = _time.CreateTimer(_ => Reload(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watcher = new FileSystemWatcher(directory, System.IO.Path.GetFileName(Path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => _debounce.Change(Debounce, Timeout.InfiniteTimeSpan);
        _watcher.Created += (_, _) => _debounce.Change(Debounce, Timeout.InfiniteTimeSpan);
        _watcher.Renamed += (_, _) => _debounce.Change(Debounce, Timeout.InfiniteTimeSpan);
        _watcher.EnableRaisingEvents = true;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _debounce?.Dispose();
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Alert rules loaded from {Path}: {Rules} default rule(s)")]
    private partial void LogLoaded(string path, int rules);

    [LoggerMessage(EventId = 701, Level = LogLevel.Error, Message = "Alert rules in {Path} not reloaded, the previous rules stay in force: {Errors}")]
    private partial void LogReloadFailed(string path, string errors);
}
