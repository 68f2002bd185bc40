using System.Globalization;
using Ingest.Contracts;
using Ingest.Worker.Alerting.Aqi;
using Ingest.Worker.Alerting.Rules;

namespace Ingest.Worker.Alerting.Engine;

/// <summary>
/// The English and Vietnamese sentences of alert events. Numbers are written as each language writes them: 96.5 in
/// English, 96,5 in Vietnamese (as the dashboard shows values beside the message); no thousands separator in either.
/// </summary>
public static class AlertMessages
{
    // Built here rather than taken from the vi-VN culture, which a host without ICU data would not have.
    private static readonly NumberFormatInfo VietnameseNumbers = new() { NumberDecimalSeparator = ",", NumberGroupSeparator = "." };

    public static string N(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "?";

    /// <summary>A field's English and Vietnamese names (<see cref="Fields.Names"/>), or its key in both.</summary>
    private static (string En, string Vi) NamesOf(string field) =>
        Fields.Names.TryGetValue(field, out var names) ? (names.En, names.Vi) : (field, field);

    /// <summary>A number in a Vietnamese sentence: decimal comma.</summary>
    public static string Nv(double? value) => value is { } v ? v.ToString("0.###", VietnameseNumbers) : "?";

    /// <summary>The rule's own title, or one made from its kind and field.</summary>
    public static (string En, string Vi) Title(CompiledRule rule)
    {
        var (en, vi) = NamesOf(rule.Field ?? "");
        var hours = rule.Window.TotalHours >= 1;
        var span = hours ? rule.Window.TotalHours : rule.Window.TotalMinutes;
        var window = string.Create(CultureInfo.InvariantCulture, $"{span:0.#} {(hours ? "h" : "min")}");
        var windowVi = $"{span.ToString("0.#", VietnameseNumbers)} {(hours ? "giờ" : "phút")}";
        var made = rule.Kind switch
        {
            RuleKind.RollingAverage => ($"{en} {window} mean", $"{vi} trung bình {windowVi}"),
            RuleKind.AqiBand => ("Air quality index VN_AQI", "Chỉ số chất lượng không khí VN_AQI"),
            RuleKind.MeterOutage => ("Power outage", "Mất điện"),
            RuleKind.MeterTamper => ("Meter tamper", "Can thiệp công tơ"),
            RuleKind.MeterExport => ("Unexpected energy export", "Phát điện năng ngược bất thường"),
            RuleKind.MeterEnergyBackwards => ($"{en} went backwards", $"{vi} bị giảm"),
            RuleKind.RateOfChange => ($"{en} changing implausibly fast", $"{vi} thay đổi quá nhanh bất thường"),
            RuleKind.FlatLine => ($"{en} sensor stuck", $"Cảm biến {vi} bị treo"),
            RuleKind.Offline => ("Device offline", "Thiết bị mất kết nối"),
            _ => (en, vi),
        };
        return (rule.Title ?? made.Item1, rule.TitleVi ?? made.Item2);
    }

    public static (string En, string Vi) Raised(CompiledRule rule, double? value, double? limit, string? unit, bool isBelow)
    {
        var (en, vi) = Title(rule);
        var u = string.IsNullOrEmpty(unit) ? "" : " " + unit;
        var std = rule.Standard is null ? "" : $" ({rule.Standard})";
        return rule.Kind switch
        {
            RuleKind.MeterTamper => ($"{en}: tamper flag set{std}", $"{vi}: cờ tamper được bật{std}"),
            RuleKind.MeterOutage => ($"{en}: no supply (voltage {N(value)} V){std}", $"{vi}: không có điện (điện áp {Nv(value)} V){std}"),
            RuleKind.MeterExport => ($"{en}: {N(value)}{u}{std}", $"{vi}: {Nv(value)}{u}{std}"),
            RuleKind.MeterEnergyBackwards => ($"{en}: {N(value)}{u} after {N(limit)}{u}{std}", $"{vi}: {Nv(value)}{u} sau {Nv(limit)}{u}{std}"),
            RuleKind.RateOfChange => ($"{en}: {N(value)}{u}/min, more than {N(limit)}{u}/min", $"{vi}: {Nv(value)}{u}/phút, vượt {Nv(limit)}{u}/phút"),
            RuleKind.FlatLine => ($"{en}: unchanged at {N(value)}{u} for {rule.Window.TotalMinutes:0} min", $"{vi}: không đổi ở {Nv(value)}{u} trong {rule.Window.TotalMinutes:0} phút"),
            _ => isBelow
                ? ($"{en} {N(value)}{u} below the limit {N(limit)}{u}{std}", $"{vi} {Nv(value)}{u} thấp hơn giới hạn {Nv(limit)}{u}{std}")
                : ($"{en} {N(value)}{u} above the limit {N(limit)}{u}{std}", $"{vi} {Nv(value)}{u} vượt giới hạn {Nv(limit)}{u}{std}"),
        };
    }

    public static (string En, string Vi) Cleared(CompiledRule? rule, string ruleId, double? value, string? unit)
    {
        var (en, vi) = rule is null ? (ruleId, ruleId) : Title(rule);
        var u = string.IsNullOrEmpty(unit) ? "" : " " + unit;
        return value is null
            ? ($"{en}: back to normal", $"{vi}: đã trở lại bình thường")
            : ($"{en}: back to normal ({N(value)}{u})", $"{vi}: đã trở lại bình thường ({Nv(value)}{u})");
    }

    public static (string En, string Vi) Aqi(AqiResult result, string? standard)
    {
        var std = standard is null ? "" : $" ({standard})";
        var (en, vi) = NamesOf(result.Dominant);
        return ($"VN_AQI {result.Value}: {result.Band.NameEn}, dominant {en}{std}",
            $"VN_AQI {result.Value}: {result.Band.NameVi}, chất ô nhiễm chính {vi}{std}");
    }

    public static (string En, string Vi) Offline(bool fromStatus, TimeSpan silence) => fromStatus
        ? ("Device offline: its status message says offline", "Thiết bị mất kết nối: bản tin trạng thái báo offline")
        : ($"Device offline: nothing heard for more than {silence.TotalSeconds:0} s", $"Thiết bị mất kết nối: không nhận được dữ liệu quá {silence.TotalSeconds:0} giây");

    public static (string En, string Vi) RuleRemoved(string ruleId) =>
        ($"Rule {ruleId} was removed or switched off; alert closed", $"Quy tắc {ruleId} đã bị xóa hoặc tắt; cảnh báo được đóng");
}
