using Ingest.Contracts;
using Ingest.Worker.Alerting.Rules;

namespace Ingest.Worker.Alerting.Engine;

/// <summary>What the engine remembers of one (rule, device): the open alert, pending raise/clear and the rule's memory.</summary>
public sealed class RuleState
{
    /// <summary>The latest event of the open alert (raised or acknowledged), or null.</summary>
    public AlertEvent? Open { get; set; }

    /// <summary>Device time the condition started holding while no alert is open (minimum duration before raising).</summary>
    public DateTimeOffset? BreachSince { get; set; }

    /// <summary>Device time the condition stopped holding while an alert is open (minimum duration before clearing).</summary>
    public DateTimeOffset? NormalSince { get; set; }

    /// <summary>The previous value and its time (rate of change, energy registers).</summary>
    public double? Previous { get; set; }

    public DateTimeOffset? PreviousAt { get; set; }

    /// <summary>Flat line: the value that has not changed, and since when.</summary>
    public double? FlatValue { get; set; }

    public DateTimeOffset? FlatSince { get; set; }

    public RollingWindow? Window { get; set; }

    /// <summary>AQI: the band level of the open alert.</summary>
    public int OpenBand { get; set; }

    /// <summary>Where the rule's field was in the last reading's values, and that reading's shape (its names array).</summary>
    internal (string[]? Shape, int Index) FieldAt { get; set; }
}

/// <summary>One device as the engine knows it: where it is, its resolved rules, when it was last heard, and per-rule state.</summary>
public sealed class DeviceState(string deviceId, string domain, string site)
{
    public string DeviceId { get; } = deviceId;

    public string Domain { get; set; } = domain;

    public string Site { get; set; } = site;

    public string? Kind { get; set; }

    /// <summary>When the worker last heard from it (TimeProvider time); null until the first reading.</summary>
    public DateTimeOffset? LastSeen { get; set; }

    public IReadOnlyList<CompiledRule> Rules { get; private set; } = [];

    /// <summary>The state of each of <see cref="Rules"/>, by the rule's index: a reading goes through every rule, and a
    /// lookup by rule id per rule per reading was a fifth of the engine's time.</summary>
    public IReadOnlyList<RuleState> RuleStates { get; private set; } = [];

    /// <summary>Rule-set version <see cref="Rules"/> came from; -1 until resolved.</summary>
    public int RulesVersion { get; set; } = -1;

    /// <summary>The kind <see cref="Rules"/> were resolved for.</summary>
    public string? RulesKind { get; set; }

    public Dictionary<string, RuleState> States { get; } = new(StringComparer.Ordinal);

    public AqiHours? Aqi { get; set; }

    /// <summary>Takes a newly resolved set of rules; the state of a rule that stays is kept, save where its field was.</summary>
    public void UseRules(IReadOnlyList<CompiledRule> rules)
    {
        Rules = rules;
        var states = new RuleState[rules.Count];
        for (var i = 0; i < states.Length; i++)
        {
            states[i] = State(rules[i].Id);
            states[i].FieldAt = default; // the reloaded rule may read another field
        }

        RuleStates = states;
    }

    public RuleState State(string ruleId)
    {
        if (!States.TryGetValue(ruleId, out var state))
        {
            state = new RuleState();
            States[ruleId] = state;
        }

        return state;
    }
}
