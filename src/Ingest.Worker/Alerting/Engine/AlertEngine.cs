using Ingest.Contracts;
using Ingest.Worker.Alerting.Aqi;
using Ingest.Worker.Alerting.Rules;
using Ingest.Worker.Decoding;
using Ingest.Worker.Enrichment;
using Microsoft.Extensions.Logging;

namespace Ingest.Worker.Alerting.Engine;

/// <summary>
/// Evaluates readings, status messages, acknowledgements and the passing of time against the rules, and keeps the alert
/// lifecycle: raised → (acknowledged) → cleared, at most one open alert per (rule, device). A condition must hold for the
/// rule's <c>raiseAfter</c> (device time) before it raises, and be gone — past the hysteresis — for <c>clearAfter</c>
/// before it clears, so a signal wobbling around a limit does not flap. Offline is judged on <see cref="TimeProvider"/>
/// time (silence) and from status messages. Not thread-safe: one evaluator calls it, one input at a time.
/// </summary>
public sealed partial class AlertEngine(Func<AlertRuleSet> rules, TimeProvider time, TimeSpan standardsUtcOffset, TimeSpan aqiHourGrace, ILogger logger)
{
    private const string AqiStandard = "Decision 1459/QĐ-TCMT";
    private readonly Dictionary<string, DeviceState> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DeviceState Device, string RuleId)> _open = new(StringComparer.Ordinal);

    /// <summary>True when the set of open alerts changed since the flag was last reset (the state file needs writing).</summary>
    public bool OpenAlertsChanged { get; set; }

    public int DeviceCount => _devices.Count;

    public int OpenCount => _open.Count;

    /// <summary>The latest event of every open alert.</summary>
    public IReadOnlyList<AlertEvent> OpenAlerts() =>
        [.. _open.Values.Select(o => o.Device.States[o.RuleId].Open).OfType<AlertEvent>()];

    /// <summary>Takes back the open alerts of a previous run (state file), so they are cleared, not raised again.</summary>
    public void Restore(IEnumerable<AlertEvent> open)
    {
        foreach (var alert in open)
        {
            if (alert.State == AlertState.Cleared)
            {
                continue;
            }

            var device = Device(alert.Domain, alert.Site, alert.DeviceId);
            var state = device.State(alert.RuleId);
            state.Open = alert;
            if (alert.RuleKind == RuleKinds.EventKind(RuleKind.AqiBand) && alert.Value is { } aqi)
            {
                state.OpenBand = AqiBand.Of((int)aqi).Level;
            }

            _open[alert.AlertId] = (device, alert.RuleId);
        }
    }

    public void OnReading(Reading reading, DateTimeOffset receivedAt, EngineOutput output)
    {
        var device = Device(reading.Measurement, reading.Site, reading.DeviceId);
        device.Kind = Tag(reading, ReadingEnricher.KindTag) ?? device.Kind;
        device.LastSeen = time.GetUtcNow();
        EnsureRules(device, output);
        var localDate = DateOnly.FromDateTime(reading.Timestamp.ToOffset(standardsUtcOffset).DateTime);
        var (rules, states) = (device.Rules, device.RuleStates);
        for (var r = 0; r < rules.Count; r++)
        {
            var rule = rules[r];
            var state = states[r];
            switch (rule.Kind)
            {
                case RuleKind.Offline:
                    if (state.Open is not null)
                    {
                        Clear(rule, state, null, reading.Timestamp, receivedAt, output);
                    }

                    break;
                case RuleKind.AqiBand:
                    device.Aqi ??= new AqiHours(standardsUtcOffset);
                    if (device.Aqi.Add(reading) is { } finished)
                    {
                        OnAqiClosed(device, finished, receivedAt, output);
                    }

                    break;
                default:
                    if (Observe(rule, state, reading, localDate) is { } observation)
                    {
                        Apply(device, rule, state, observation, reading.Timestamp, receivedAt, output);
                    }

                    break;
            }
        }
    }

    public void OnStatus(string domain, string site, string deviceId, bool online, DateTimeOffset receivedAt, EngineOutput output)
    {
        var device = Device(domain, site, deviceId);
        EnsureRules(device, output);
        var now = time.GetUtcNow();
        if (online)
        {
            device.LastSeen = now;
        }

        foreach (var rule in device.Rules.Where(r => r.Kind == RuleKind.Offline))
        {
            var state = device.State(rule.Id);
            if (online && state.Open is not null)
            {
                Clear(rule, state, null, now, receivedAt, output);
            }
            else if (!online && state.Open is null)
            {
                var (en, vi) = AlertMessages.Offline(fromStatus: true, rule.Window);
                Raise(device, rule, state, null, null, null, now, receivedAt, en, vi, rule.Severity, output);
            }
        }
    }

    /// <summary>Marks an open alert acknowledged; false when no open alert has that id (already cleared, or unknown).</summary>
    public bool OnAcknowledge(AlertAcknowledgement ack, EngineOutput output)
    {
        if (!_open.TryGetValue(ack.AlertId, out var where) || where.Device.States[where.RuleId].Open is not { } open)
        {
            return false;
        }

        if (open.State == AlertState.Acknowledged)
        {
            return true;
        }

        var acknowledged = open with
        {
            State = AlertState.Acknowledged,
            AcknowledgedAt = ack.AcknowledgedAt,
            AcknowledgedBy = ack.AcknowledgedBy,
            EventAt = time.GetUtcNow(),
        };
        where.Device.States[where.RuleId].Open = acknowledged;
        OpenAlertsChanged = true;
        output.Alerts.Add((acknowledged, null));
        return true;
    }

    /// <summary>Silence beyond each offline rule's window, and AQI hours that ended without a later reading.</summary>
    public void OnTick(EngineOutput output)
    {
        var now = time.GetUtcNow();
        foreach (var device in _devices.Values)
        {
            if (device.Aqi?.CurrentHour is { } hour && now > hour.AddHours(1) + aqiHourGrace && device.Aqi.Close() is { } finished)
            {
                OnAqiClosed(device, finished, null, output);
            }

            if (device.LastSeen is not { } lastSeen)
            {
                continue;
            }

            foreach (var rule in device.Rules)
            {
                if (rule.Kind == RuleKind.Offline && now - lastSeen > rule.Window && device.State(rule.Id).Open is null)
                {
                    var silence = now - lastSeen;
                    var (en, vi) = AlertMessages.Offline(fromStatus: false, rule.Window);
                    Raise(device, rule, device.State(rule.Id), null, Math.Round(silence.TotalSeconds, 3), rule.Window.TotalSeconds, now, null, en, vi, rule.Severity, output, "s");
                }
            }
        }
    }

    private readonly record struct Observation(bool Breached, double? Value, double? Limit, bool IsBelow = false);

    private static Observation? Observe(CompiledRule rule, RuleState state, Reading reading, DateOnly localDate)
    {
        var value = rule.Field is null ? null : FieldValue(reading, rule.Field, state);
        var open = state.Open is not null;
        switch (rule.Kind)
        {
            case RuleKind.Threshold:
            case RuleKind.WaterLimit:
                return value is { } v ? Compare(v, rule.AboveOn(localDate), rule.Below, rule.Hysteresis, open) : null;
            case RuleKind.MeterFrequency:
                return value is { } f ? Compare(f, rule.Nominal + rule.Tolerance, rule.Nominal - rule.Tolerance, rule.Hysteresis, open) : null;
            case RuleKind.MeterVoltage:
                if (value is not { } volts || volts <= rule.OutageVoltage)
                {
                    return null; // no supply is the outage rule's business
                }

                var band = rule.Nominal * rule.TolerancePercent / 100;
                return Compare(volts, rule.Nominal + band, rule.Nominal - band, rule.Hysteresis, open);
            case RuleKind.RollingAverage:
                if (value is not { } sample)
                {
                    return null;
                }

                state.Window ??= new RollingWindow(rule.Window);
                state.Window.Add(reading.Timestamp, sample);
                return state.Window.Mean(rule.MinCoverage) is { } mean
                    ? Compare(mean, rule.AboveOn(localDate), rule.Below, rule.Hysteresis, open)
                    : null;
            case RuleKind.MeterOutage:
                var flagged = HasFlag(reading, Flags.Outage);
                if (!flagged && value is null)
                {
                    return null;
                }

                return new Observation(flagged || value <= rule.OutageVoltage, value, rule.OutageVoltage, IsBelow: true);
            case RuleKind.MeterTamper:
                return new Observation(HasFlag(reading, Flags.Tamper), null, null);
            case RuleKind.MeterExport:
            {
                if (IsLate(state, reading))
                {
                    return null;
                }

                double? delta = value is { } e && state.Previous is { } pe ? e - pe : null;
                if (value is not null)
                {
                    state.Previous = value;
                    state.PreviousAt = reading.Timestamp;
                }

                var power = Value(reading, Fields.Power);
                if (delta is null && power is null)
                {
                    return null;
                }

                var exporting = delta > rule.Tolerance || power < -rule.PowerTolerance;
                return new Observation(exporting, delta ?? power, delta is not null ? rule.Tolerance : -rule.PowerTolerance);
            }

            case RuleKind.MeterEnergyBackwards:
            {
                if (value is not { } energy || IsLate(state, reading))
                {
                    return null;
                }

                var previous = state.Previous;
                state.Previous = energy;
                state.PreviousAt = reading.Timestamp;
                return previous is { } p ? new Observation(energy < p - rule.Tolerance, energy, p, IsBelow: true) : null;
            }

            case RuleKind.RateOfChange:
            {
                if (value is not { } x || IsLate(state, reading))
                {
                    return null;
                }

                var (previous, previousAt) = (state.Previous, state.PreviousAt);
                if (previousAt is { } last && reading.Timestamp - last < rule.MinInterval)
                {
                    // Too close to the last reading used: keep comparing against that one.
                    return null;
                }

                state.Previous = x;
                state.PreviousAt = reading.Timestamp;
                if (previous is not { } p || previousAt is not { } pt)
                {
                    return null;
                }

                var rate = Math.Abs(x - p) / (reading.Timestamp - pt).TotalMinutes;
                return new Observation(rate > rule.MaxRatePerMinute, Math.Round(rate, 6), rule.MaxRatePerMinute);
            }

            case RuleKind.FlatLine:
            {
                if (value is not { } x)
                {
                    return null;
                }

                if (state.FlatValue is not { } flat || Math.Abs(x - flat) > rule.Tolerance || state.FlatSince is null)
                {
                    state.FlatValue = x;
                    state.FlatSince = reading.Timestamp;
                    return new Observation(false, x, null);
                }

                return new Observation(reading.Timestamp - state.FlatSince.Value >= rule.Window, x, null);
            }

            default:
                return null;
        }
    }

    /// <summary>
    /// A reading not newer than the last one this rule used (a redelivery after a reconnect, or a device's backlog out of
    /// order): rules that compare consecutive values skip it, so a redelivered old register value is not "going backwards".
    /// </summary>
    private static bool IsLate(RuleState state, Reading reading) => state.PreviousAt is { } last && reading.Timestamp <= last;

    /// <summary>Above/below with hysteresis: while an alert is open, the value must come back past the limit by the hysteresis.</summary>
    private static Observation Compare(double value, double? above, double? below, double hysteresis, bool open)
    {
        if (above is { } a && (open ? value > a - hysteresis : value > a))
        {
            return new Observation(true, value, a);
        }

        if (below is { } b && (open ? value < b + hysteresis : value < b))
        {
            return new Observation(true, value, b, IsBelow: true);
        }

        return new Observation(false, value, above ?? below, IsBelow: above is null);
    }

    private void Apply(DeviceState device, CompiledRule rule, RuleState state, Observation observation, DateTimeOffset at, DateTimeOffset receivedAt, EngineOutput output)
    {
        if (observation.Breached)
        {
            state.NormalSince = null;
            if (state.Open is null)
            {
                state.BreachSince ??= at;
                if (at - state.BreachSince.Value >= rule.RaiseAfter)
                {
                    var unit = rule.Field is null ? null : Fields.StoredUnits.GetValueOrDefault(rule.Field);
                    var (en, vi) = AlertMessages.Raised(rule, observation.Value, observation.Limit, unit, observation.IsBelow);
                    Raise(device, rule, state, rule.Field, observation.Value, observation.Limit, at, receivedAt, en, vi, rule.Severity, output, unit);
                }
            }
        }
        else
        {
            state.BreachSince = null;
            if (state.Open is not null)
            {
                state.NormalSince ??= at;
                if (at - state.NormalSince.Value >= rule.ClearAfter)
                {
                    Clear(rule, state, observation.Value, at, receivedAt, output);
                }
            }
        }
    }

    private void OnAqiClosed(DeviceState device, AqiClosed closed, DateTimeOffset? receivedAt, EngineOutput output)
    {
        if (closed is { Day: { } day, Daily: { } daily })
        {
            output.DailyAqi.Add(new DailyAqi(device.DeviceId, device.Site, day, daily));
        }

        var hour = closed.Hour;
        if (closed.Hourly is not { } result)
        {
            return; // §2.1.b: no AQI without PM2.5 or PM10
        }

        output.Aqi.Add(new AqiUpdate
        {
            DeviceId = device.DeviceId,
            Site = device.Site,
            Hour = hour,
            Aqi = result.Value,
            Band = result.Band.Level,
            BandNameVi = result.Band.NameVi,
            BandNameEn = result.Band.NameEn,
            Colour = result.Band.Colour,
            Dominant = result.Dominant,
            SubIndices = result.SubIndices,
        });

        var end = hour.AddHours(1);
        foreach (var rule in device.Rules.Where(r => r.Kind == RuleKind.AqiBand))
        {
            var state = device.State(rule.Id);
            var level = result.Band.Level;
            var severity = level >= rule.CriticalFromBand ? AlertSeverity.Critical : rule.Severity;
            var limit = AqiBand.All[rule.FromBand - 1].From;
            var (en, vi) = AlertMessages.Aqi(result, rule.Standard ?? AqiStandard);
            if (level >= rule.FromBand && state.Open is null)
            {
                Raise(device, rule, state, null, result.Value, limit, end, receivedAt, en, vi, severity, output);
                state.OpenBand = level;
            }
            else if (level >= rule.FromBand && level > state.OpenBand && state.Open is { } open)
            {
                // A worse band while open: raised again under the same id, and it needs a new acknowledgement.
                var worse = open with
                {
                    State = AlertState.Raised, Severity = severity, Value = result.Value, Message = en, MessageVi = vi,
                    EventAt = time.GetUtcNow(), AcknowledgedAt = null, AcknowledgedBy = null,
                };
                state.Open = worse;
                state.OpenBand = level;
                OpenAlertsChanged = true;
                output.Alerts.Add((worse, receivedAt));
            }
            else if (level < rule.FromBand && state.Open is not null)
            {
                Clear(rule, state, result.Value, end, receivedAt, output);
            }
        }
    }

    private void Raise(
        DeviceState device, CompiledRule rule, RuleState state, string? field, double? value, double? limit, DateTimeOffset at,
        DateTimeOffset? receivedAt, string message, string messageVi, AlertSeverity severity, EngineOutput output, string? unit = null)
    {
        var alert = new AlertEvent
        {
            AlertId = Guid.NewGuid().ToString("N"),
            State = AlertState.Raised,
            Severity = severity,
            RuleId = rule.Id,
            RuleKind = RuleKinds.EventKind(rule.Kind),
            Domain = device.Domain,
            Site = device.Site,
            DeviceId = device.DeviceId,
            Field = field,
            Value = value,
            Limit = limit,
            Unit = string.IsNullOrEmpty(unit) ? null : unit,
            Standard = rule.Kind == RuleKind.AqiBand ? rule.Standard ?? AqiStandard : rule.Standard,
            Message = message,
            MessageVi = messageVi,
            RaisedAt = at,
            EventAt = time.GetUtcNow(),
        };
        state.Open = alert;
        state.BreachSince = null;
        state.NormalSince = null;
        _open[alert.AlertId] = (device, rule.Id);
        OpenAlertsChanged = true;
        output.Alerts.Add((alert, receivedAt));
    }

    private void Clear(CompiledRule? rule, RuleState state, double? value, DateTimeOffset at, DateTimeOffset? receivedAt, EngineOutput output, (string En, string Vi)? reason = null)
    {
        if (state.Open is not { } open)
        {
            return;
        }

        var (en, vi) = reason ?? AlertMessages.Cleared(rule, open.RuleId, value, open.Unit);
        var cleared = open with
        {
            State = AlertState.Cleared,
            Value = value ?? open.Value,
            Message = en,
            MessageVi = vi,
            EventAt = time.GetUtcNow(),
            ClearedAt = at,
        };
        state.Open = null;
        state.BreachSince = null;
        state.NormalSince = null;
        state.OpenBand = 0;
        _open.Remove(open.AlertId);
        OpenAlertsChanged = true;
        output.Alerts.Add((cleared, receivedAt));
    }

    private DeviceState Device(string domain, string site, string deviceId)
    {
        if (!_devices.TryGetValue(deviceId, out var device))
        {
            device = new DeviceState(deviceId, domain, site);
            _devices[deviceId] = device;
        }
        else if (device.Site != site || device.Domain != domain)
        {
            device.Site = site;
            device.Domain = domain;
            device.RulesVersion = -1;
        }

        return device;
    }

    /// <summary>Resolves the device's rules when the file changed (or its kind or site did); closes alerts of rules that are gone.</summary>
    private void EnsureRules(DeviceState device, EngineOutput output)
    {
        var current = rules();
        if (device.RulesVersion == current.Version && device.RulesKind == device.Kind)
        {
            return;
        }

        Resolve(device, current);
        device.RulesVersion = current.Version;
        device.RulesKind = device.Kind;
        foreach (var (ruleId, state) in device.States)
        {
            if (state.Open is not null && !device.Rules.Any(r => r.Id == ruleId))
            {
                Clear(null, state, null, time.GetUtcNow(), null, output, AlertMessages.RuleRemoved(ruleId));
            }
        }
    }

    // Apart from EnsureRules, which runs for every reading: the lambda's closure would be allocated on every call.
    private void Resolve(DeviceState device, AlertRuleSet current) =>
        device.UseRules(current.Resolve(device.Domain, device.Kind, device.Site, device.DeviceId, error => LogRuleUnusable(device.DeviceId, error)));

    // Index loops over the reading's lists: a foreach through IReadOnlyList boxes an enumerator per call, and these run
    // for every rule of every reading. Generic over the list type, so the values (a struct) are not boxed either.
    private static double? Value(Reading reading, string field) =>
        IndexOf<ReadingValues, double>(reading.Values, field) is var i and >= 0 ? reading.Values.Number(i) : null;

    /// <summary>
    /// <see cref="Value"/> for a rule's own field, remembering where it was: a device sends the same shape of reading each
    /// time, so the next reading needs one comparison of names arrays instead of a search by name.
    /// </summary>
    private static double? FieldValue(Reading reading, string field, RuleState state)
    {
        var values = reading.Values;
        var (shape, index) = state.FieldAt;
        if (shape is null || !ReferenceEquals(shape, values.Shape))
        {
            index = IndexOf<ReadingValues, double>(values, field);
            state.FieldAt = (values.Shape, index);
        }

        return index >= 0 ? values.Number(index) : null;
    }

    private static string? Tag(Reading reading, string name) =>
        IndexOf<IReadOnlyList<KeyValuePair<string, string>>, string>(reading.Tags, name) is var i and >= 0 ? reading.Tags[i].Value : null;

    private static int IndexOf<TPairs, T>(TPairs pairs, string key)
        where TPairs : IReadOnlyList<KeyValuePair<string, T>>
    {
        for (var i = 0; i < pairs.Count; i++)
        {
            if (pairs[i].Key == key)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool HasFlag(Reading reading, string flag)
    {
        var flags = reading.Flags;
        for (var i = 0; i < flags.Count; i++)
        {
            if (string.Equals(flags[i], flag, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 710, Level = LogLevel.Error, Message = "Alert rule unusable for device {DeviceId}: {Error}")]
    private partial void LogRuleUnusable(string deviceId, string error);
}
