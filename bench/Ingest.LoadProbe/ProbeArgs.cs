using System.Globalization;

namespace Ingest.LoadProbe;

/// <summary><c>--name value</c> options of a probe command, with typed, defaulted look-ups; an unknown option is an error.</summary>
public sealed class ProbeArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public ProbeArgs(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            var name = args[i][2..];
            var value = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
            _values[name] = value;
        }
    }

    public string Text(string name, string fallback)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out var v) ? v : fallback;
    }

    public string? OptionalText(string name)
    {
        _used.Add(name);
        return _values.GetValueOrDefault(name);
    }

    public int Int(string name, int fallback) => (int)Long(name, fallback);

    public long Long(string name, long fallback) =>
        _values.ContainsKey(name) ? long.Parse(Text(name, ""), NumberStyles.Integer, CultureInfo.InvariantCulture) : Used(name, fallback);

    public double Double(string name, double fallback) =>
        _values.ContainsKey(name) ? double.Parse(Text(name, ""), NumberStyles.Float, CultureInfo.InvariantCulture) : Used(name, fallback);

    public bool Flag(string name) => _values.ContainsKey(name) ? bool.Parse(Text(name, "true")) : Used(name, false);

    /// <summary>Seconds, as a number (fractions allowed): <c>--duration 2.5</c>.</summary>
    public TimeSpan Seconds(string name, double fallback) => TimeSpan.FromSeconds(Double(name, fallback));

    /// <summary>Throws when an option was given that the command never asked for (a misspelling).</summary>
    public void EnsureAllUsed()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
        }
    }

    private T Used<T>(string name, T fallback)
    {
        _used.Add(name);
        return fallback;
    }
}
