using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Ingest.Contracts;

namespace Ingest.Worker.Alerting.Rules;

/// <summary>
/// The rules of one version of the rules file: validated as a whole when loaded (every default, and every override laid
/// over the defaults it changes), then resolved per device — domain defaults, then the device kind's, the site's and the
/// device's overrides — and cached. Thread-safe and immutable apart from the cache.
/// </summary>
public sealed class AlertRuleSet
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly AlertRulesDocument _document;
    private readonly ConcurrentDictionary<(string Domain, string Kind, string Site, string Device), IReadOnlyList<CompiledRule>> _cache = new();

    private AlertRuleSet(AlertRulesDocument document, int version)
    {
        _document = document;
        Version = version;
    }

    /// <summary>Increases with every successful load, so holders of resolved rules can tell they are stale.</summary>
    public int Version { get; }

    /// <summary>Number of default rules across domains (for the log line at load).</summary>
    public int DefaultRuleCount => _document.Domains.Values.Sum(r => r.Count);

    public static AlertRuleSet Empty { get; } = new(new AlertRulesDocument(), 0);

    /// <summary>Parses and validates a rules document; on any error returns null and every message, each naming where it is.</summary>
    public static AlertRuleSet? Parse(string json, string source, int version, out IReadOnlyList<string> errors)
    {
        AlertRulesDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<AlertRulesDocument>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            errors = [$"{source}: {ex.Message}"];
            return null;
        }

        if (document is null)
        {
            errors = [$"{source}: the file is empty (expected an object with \"domains\")"];
            return null;
        }

        errors = Validate(document, source);
        return errors.Count == 0 ? new AlertRuleSet(document, version) : null;
    }

    /// <summary>Reads <paramref name="path"/> and <see cref="Parse"/>s it.</summary>
    public static AlertRuleSet? Load(string path, int version, out IReadOnlyList<string> errors)
    {
        if (!File.Exists(path))
        {
            errors = [$"Alerting:RulesPath: no rules file at {path}"];
            return null;
        }

        return Parse(File.ReadAllText(path), path, version, out errors);
    }

    /// <summary>The enabled rules of one device, defaults first; <paramref name="onError"/> hears of an override combination that does not make a valid rule.</summary>
    public IReadOnlyList<CompiledRule> Resolve(string domain, string? kind, string site, string device, Action<string>? onError = null) =>
        _cache.GetOrAdd((domain, kind ?? "", site, device), key => Build(key.Domain, key.Kind, key.Site, key.Device, onError));

    private IReadOnlyList<CompiledRule> Build(string domain, string kind, string site, string device, Action<string>? onError)
    {
        var merged = new List<RuleSpec>();
        if (_document.Domains.TryGetValue(domain, out var defaults))
        {
            merged.AddRange(defaults);
        }

        Apply(merged, _document.Kinds, kind);
        Apply(merged, _document.Sites, site);
        Apply(merged, _document.Devices, device);

        var result = new List<CompiledRule>(merged.Count);
        foreach (var spec in merged)
        {
            if (spec.Enabled == false)
            {
                continue;
            }

            var errors = new List<string>();
            if (Compile(spec, $"{domain}/{site}/{device} rule {spec.Id}", errors) is { } rule)
            {
                result.Add(rule);
            }
            else
            {
                onError?.Invoke(string.Join("; ", errors));
            }
        }

        return result;
    }

    private static void Apply(List<RuleSpec> merged, IReadOnlyDictionary<string, IReadOnlyList<RuleSpec>> layer, string key)
    {
        if (key.Length == 0 || !layer.TryGetValue(key, out var overrides))
        {
            return;
        }

        foreach (var over in overrides)
        {
            var i = merged.FindIndex(r => r.Id == over.Id);
            if (i >= 0)
            {
                merged[i] = merged[i].Overlay(over);
            }
            else
            {
                merged.Add(over);
            }
        }
    }

    private static List<string> Validate(AlertRulesDocument document, string source)
    {
        var errors = new List<string>();
        foreach (var (domain, rules) in document.Domains)
        {
            if (!Domains.IsTelemetryDomain(domain))
            {
                errors.Add($"{source}: domains.{domain}: unknown domain (expected {string.Join(", ", Domains.Telemetry)})");
            }

            var ids = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < rules.Count; i++)
            {
                var where = $"{source}: domains.{domain}[{i}] ({rules[i].Id ?? "no id"})";
                if (rules[i].Id is { } id && !ids.Add(id))
                {
                    errors.Add($"{where}: duplicate rule id '{id}'");
                }

                Compile(rules[i], where, errors);
            }
        }

        foreach (var (layerName, layer) in new[] { ("kinds", document.Kinds), ("sites", document.Sites), ("devices", document.Devices) })
        {
            foreach (var (key, overrides) in layer)
            {
                for (var i = 0; i < overrides.Count; i++)
                {
                    var over = overrides[i];
                    var where = $"{source}: {layerName}.{key}[{i}] ({over.Id ?? "no id"})";
                    if (string.IsNullOrWhiteSpace(over.Id))
                    {
                        errors.Add($"{where}: an override needs the 'id' of the rule it changes or adds");
                        continue;
                    }

                    var bases = document.Domains.Values.SelectMany(r => r).Where(r => r.Id == over.Id).ToList();
                    if (bases.Count == 0)
                    {
                        Compile(over, where, errors);
                    }

                    foreach (var baseRule in bases)
                    {
                        Compile(baseRule.Overlay(over), where, errors);
                    }
                }
            }
        }

        return errors;
    }

    /// <summary>Checks one rule and fills in its defaults; null (with messages added) when it cannot work.</summary>
    internal static CompiledRule? Compile(RuleSpec spec, string where, List<string> errors)
    {
        var before = errors.Count;
        void Error(string message) => errors.Add($"{where}: {message}");

        if (string.IsNullOrWhiteSpace(spec.Id) || spec.Id.IndexOfAny(['/', '+', '#', ' ']) >= 0)
        {
            Error("'id' is required and must not contain '/', '+', '#' or spaces");
        }

        if (!RuleKinds.TryParse(spec.Kind, out var kind))
        {
            Error($"'kind' must be one of {string.Join(", ", RuleKinds.Names)} (was '{spec.Kind}')");
            return null;
        }

        var severity = AlertSeverity.Warning;
        if (spec.Severity is not null && !Enum.TryParse(spec.Severity, ignoreCase: true, out severity))
        {
            Error($"'severity' must be info, warning or critical (was '{spec.Severity}')");
        }

        NotNegative(spec.Hysteresis, "hysteresis");
        NotNegative(spec.RaiseAfter?.TotalSeconds, "raiseAfter");
        NotNegative(spec.ClearAfter?.TotalSeconds, "clearAfter");

        var rule = new CompiledRule
        {
            Id = spec.Id ?? "",
            Kind = kind,
            Severity = severity,
            Field = spec.Field,
            Above = spec.Above,
            Below = spec.Below,
            Limits = spec.Limits ?? [],
            Hysteresis = spec.Hysteresis ?? 0,
            RaiseAfter = spec.RaiseAfter ?? TimeSpan.Zero,
            ClearAfter = spec.ClearAfter ?? TimeSpan.Zero,
            Window = spec.Window ?? TimeSpan.Zero,
            MinCoverage = spec.MinCoverage ?? 0.75,
            Standard = spec.Standard,
            Title = spec.Title,
            TitleVi = spec.TitleVi,
        };

        switch (kind)
        {
            case RuleKind.Threshold:
                RequireField();
                RequireLimit();
                break;
            case RuleKind.RollingAverage:
                RequireField();
                RequireLimit();
                RequireWindow(TimeSpan.FromDays(366));
                if (rule.MinCoverage is <= 0 or > 1)
                {
                    Error($"'minCoverage' must be in (0, 1] (was {rule.MinCoverage.ToString(CultureInfo.InvariantCulture)})");
                }

                break;
            case RuleKind.AqiBand:
                rule = rule with { FromBand = spec.FromBand ?? 3, CriticalFromBand = spec.CriticalFromBand ?? 5 };
                if (rule.FromBand is < 2 or > 6 || rule.CriticalFromBand is < 1 or > 6)
                {
                    Error("'fromBand' must be 2–6 and 'criticalFromBand' 1–6 (bands of Decision 1459/QĐ-TCMT Table 1)");
                }

                break;
            case RuleKind.WaterLimit:
                RequireField();
                if (spec.Columns is null || spec.Columns.Count == 0)
                {
                    Error("'columns' must list the limits per column/level, e.g. {\"A\": {\"above\": 75}, \"B\": {\"above\": 150}}");
                }
                else if (spec.Column is null || !spec.Columns.TryGetValue(spec.Column, out var column))
                {
                    Error($"'column' must name one of {string.Join(", ", spec.Columns.Keys)} (was '{spec.Column}')");
                }
                else if (column.Above is null && column.Below is null)
                {
                    Error($"column '{spec.Column}' has neither 'above' nor 'below'");
                }
                else
                {
                    rule = rule with { Above = column.Above, Below = column.Below, Limits = [] };
                }

                break;
            case RuleKind.MeterVoltage:
                rule = rule with
                {
                    Field = spec.Field ?? Fields.Voltage,
                    Nominal = spec.Nominal ?? 220,
                    TolerancePercent = spec.TolerancePercent ?? 5,
                    OutageVoltage = spec.OutageVoltage ?? 5,
                };
                Positive(rule.Nominal, "nominal");
                Positive(rule.TolerancePercent, "tolerancePercent");
                break;
            case RuleKind.MeterOutage:
                rule = rule with { Field = spec.Field ?? Fields.Voltage, OutageVoltage = spec.OutageVoltage ?? 5 };
                NotNegative(rule.OutageVoltage, "outageVoltage");
                break;
            case RuleKind.MeterTamper:
                break;
            case RuleKind.MeterFrequency:
                rule = rule with { Field = spec.Field ?? Fields.Frequency, Nominal = spec.Nominal ?? 50, Tolerance = spec.Tolerance ?? 0.2 };
                Positive(rule.Nominal, "nominal");
                Positive(rule.Tolerance, "tolerance");
                break;
            case RuleKind.MeterExport:
                rule = rule with { Field = spec.Field ?? Fields.EnergyExport, Tolerance = spec.Tolerance ?? 0.001, PowerTolerance = spec.PowerTolerance ?? 0.05 };
                NotNegative(rule.Tolerance, "tolerance");
                NotNegative(rule.PowerTolerance, "powerTolerance");
                break;
            case RuleKind.MeterEnergyBackwards:
                rule = rule with { Field = spec.Field ?? Fields.EnergyImport, Tolerance = spec.Tolerance ?? 0.001 };
                NotNegative(rule.Tolerance, "tolerance");
                break;
            case RuleKind.RateOfChange:
                RequireField();
                rule = rule with { MaxRatePerMinute = spec.MaxRatePerMinute ?? 0, MinInterval = spec.MinInterval ?? TimeSpan.FromSeconds(1) };
                Positive(rule.MaxRatePerMinute, "maxRatePerMinute");
                Positive(rule.MinInterval.TotalSeconds, "minInterval");
                break;
            case RuleKind.FlatLine:
                RequireField();
                RequireWindow(TimeSpan.FromDays(31));
                rule = rule with { Tolerance = spec.Tolerance ?? 0 };
                NotNegative(rule.Tolerance, "tolerance");
                break;
            case RuleKind.Offline:
                RequireWindow(TimeSpan.FromDays(7));
                break;
        }

        return errors.Count == before ? rule : null;

        void RequireField()
        {
            if (string.IsNullOrWhiteSpace(spec.Field))
            {
                Error($"'field' is required for {spec.Kind} (one of the stored field names, e.g. {Fields.Pm25})");
            }
        }

        void RequireLimit()
        {
            if (spec.Above is null && spec.Below is null && (spec.Limits is null || spec.Limits.Count == 0))
            {
                Error($"{spec.Kind} needs 'above', 'below' or dated 'limits'");
            }

            if (spec.Above is { } a && spec.Below is { } b && b >= a)
            {
                Error($"'below' ({b.ToString(CultureInfo.InvariantCulture)}) must be less than 'above' ({a.ToString(CultureInfo.InvariantCulture)})");
            }
        }

        void RequireWindow(TimeSpan max)
        {
            if (spec.Window is not { } w || w <= TimeSpan.Zero || w > max)
            {
                Error($"'window' is required for {spec.Kind}: a duration above 0 and at most {max.TotalDays.ToString(CultureInfo.InvariantCulture)} days, e.g. \"1.00:00:00\"");
            }
        }

        void Positive(double value, string name)
        {
            if (!(value > 0))
            {
                Error($"'{name}' must be above 0");
            }
        }

        void NotNegative(double? value, string name)
        {
            if (value is < 0)
            {
                Error($"'{name}' must not be negative");
            }
        }
    }
}
