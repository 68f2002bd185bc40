using System.Globalization;
using Ingest.Contracts;

namespace Ingest.Dashboard.Localization;

/// <summary>
/// The dashboard's own words in Vietnamese (default) and English, chosen by the request culture. The pages use the
/// indexer; scripts get <see cref="ForClient"/> as JSON. Device-originated text never goes through here.
/// </summary>
public sealed class Texts
{
    private static readonly Dictionary<string, (string Vi, string En)> Table = new(StringComparer.Ordinal)
    {
        ["app.title"] = ("Giám sát môi trường và năng lượng Bắc Ninh", "Bắc Ninh environment and energy monitoring"),
        ["nav.overview"] = ("Tổng quan", "Overview"),
        ["nav.air"] = ("Không khí", "Air"),
        ["nav.water"] = ("Nước", "Water"),
        ["nav.energy"] = ("Năng lượng", "Energy"),
        ["nav.map"] = ("Bản đồ", "Map"),
        ["nav.logout"] = ("Đăng xuất", "Sign out"),
        ["nav.language"] = ("English", "Tiếng Việt"),
        ["login.title"] = ("Đăng nhập", "Sign in"),
        ["login.user"] = ("Tên đăng nhập", "User name"),
        ["login.password"] = ("Mật khẩu", "Password"),
        ["login.submit"] = ("Đăng nhập", "Sign in"),
        ["login.failed"] = ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password."),
        ["login.external"] = ("Đăng nhập bằng tài khoản tổ chức", "Sign in with your organisation account"),
        ["conn.connecting"] = ("Đang kết nối…", "Connecting…"),
        ["conn.live"] = ("Trực tuyến", "Live"),
        ["conn.lost"] = ("Mất kết nối — đang kết nối lại…", "Connection lost — reconnecting…"),
        ["overview.title"] = ("Cảnh báo đang mở", "Open alerts"),
        ["overview.counts"] = ("Theo lĩnh vực", "By domain"),
        ["overview.none"] = ("Không có cảnh báo nào đang mở.", "No open alerts."),
        ["filter.domain"] = ("Lĩnh vực", "Domain"),
        ["filter.site"] = ("Địa điểm", "Site"),
        ["filter.severity"] = ("Mức độ", "Severity"),
        ["filter.all"] = ("Tất cả", "All"),
        ["col.raised"] = ("Thời điểm", "Raised"),
        ["col.severity"] = ("Mức độ", "Severity"),
        ["col.domain"] = ("Lĩnh vực", "Domain"),
        ["col.site"] = ("Địa điểm", "Site"),
        ["col.device"] = ("Thiết bị", "Device"),
        ["col.message"] = ("Nội dung", "Message"),
        ["col.value"] = ("Giá trị / giới hạn", "Value / limit"),
        ["col.state"] = ("Trạng thái", "State"),
        ["col.ack"] = ("Xác nhận", "Acknowledgement"),
        ["col.station"] = ("Trạm", "Station"),
        ["col.aqi"] = ("VN_AQI", "VN_AQI"),
        ["col.band"] = ("Mức", "Band"),
        ["col.dominant"] = ("Chất chính", "Dominant"),
        ["col.lastseen"] = ("Lần cuối", "Last seen"),
        ["col.kind"] = ("Loại", "Kind"),
        ["col.standard"] = ("Quy chuẩn", "Standard"),
        ["col.meter"] = ("Công tơ", "Meter"),
        ["col.voltage"] = ("Điện áp (V)", "Voltage (V)"),
        ["col.power"] = ("Công suất (kW)", "Power (kW)"),
        ["col.today"] = ("Điện năng hôm nay (kWh)", "Energy today (kWh)"),
        ["col.events"] = ("Mất điện / can thiệp", "Outage / tamper"),
        ["col.time"] = ("Thời gian", "Time"),
        ["col.rule"] = ("Quy tắc", "Rule"),
        ["ack.button"] = ("Xác nhận", "Acknowledge"),
        ["ack.by"] = ("bởi", "by"),
        ["state.raised"] = ("Mới", "Raised"),
        ["state.acknowledged"] = ("Đã xác nhận", "Acknowledged"),
        ["state.cleared"] = ("Đã hết", "Cleared"),
        ["severity.critical"] = ("Nghiêm trọng", "Critical"),
        ["severity.warning"] = ("Cảnh báo", "Warning"),
        ["severity.info"] = ("Thông tin", "Info"),
        ["domain.air"] = ("Không khí", "Air"),
        ["domain.water"] = ("Nước", "Water"),
        ["domain.meter"] = ("Điện", "Electricity"),
        ["domain.gw"] = ("Cổng kết nối", "Gateways"),
        ["devices.online"] = ("trực tuyến", "online"),
        ["devices.offline"] = ("ngoại tuyến", "offline"),
        ["devices.unknown"] = ("chưa rõ", "unknown"),
        ["alerts.open"] = ("cảnh báo mở", "open alerts"),
        ["alerts.open.one"] = ("cảnh báo mở", "open alert"),
        ["air.title"] = ("Chất lượng không khí", "Air quality"),
        ["air.note"] = ("Giới hạn theo QCVN 05:2023/BTNMT; VN_AQI theo Quyết định 1459/QĐ-TCMT.", "Limits from QCVN 05:2023/BTNMT; VN_AQI per Decision 1459/QĐ-TCMT."),
        ["water.title"] = ("Chất lượng nước", "Water quality"),
        ["water.note"] = ("Sông: QCVN 08:2023/BTNMT mức B; cửa xả công nghiệp: QCVN 40:2011/BTNMT cột B.", "Rivers: QCVN 08:2023/BTNMT level B; industrial outfalls: QCVN 40:2011/BTNMT column B."),
        ["energy.title"] = ("Điện năng", "Electricity"),
        ["energy.load"] = ("Biểu đồ phụ tải", "Load curve"),
        ["energy.note"] = ("Điện áp 220 V ±5 %, tần số 50 ± 0,2 Hz (TT 39/2015/TT-BCT).", "Voltage 220 V ±5 %, frequency 50 ± 0.2 Hz (Circular 39/2015/TT-BCT)."),
        ["energy.now"] = ("hiện tại", "now"),
        ["energy.outages"] = ("mất điện hôm nay", "outages today"),
        ["energy.tampers"] = ("can thiệp hôm nay", "tamper today"),
        ["energy.flag.outage"] = ("mất điện", "outage"),
        ["energy.flag.tamper"] = ("can thiệp", "tamper"),
        ["map.title"] = ("Bản đồ thiết bị", "Device map"),
        ["map.note"] = ("Vị trí theo sổ đăng ký thiết bị; màu theo trạng thái.", "Positions from the device registry; colour by state."),
        ["device.title"] = ("Thiết bị", "Device"),
        ["device.field"] = ("Thông số", "Field"),
        ["device.range"] = ("Khoảng thời gian", "Range"),
        ["device.export"] = ("Tải dữ liệu", "Download data"),
        ["device.alerts"] = ("Lịch sử cảnh báo", "Alert history"),
        ["device.points"] = ("điểm, mỗi điểm", "points, one per"),
        ["device.nodata"] = ("Không có dữ liệu trong khoảng này.", "No data in this range."),
        ["device.forbidden"] = ("Bạn không có quyền xem thiết bị này.", "You may not see this device."),
        // Device kinds in words (DeviceKinds); any other kind of a registry is shown as written.
        ["kind." + DeviceKinds.LowCostRoadside] = ("Cảm biến giá rẻ – ven đường", "Low-cost sensor, roadside"),
        ["kind." + DeviceKinds.LowCostSchool] = ("Cảm biến giá rẻ – trường học", "Low-cost sensor, school"),
        ["kind." + DeviceKinds.LowCostFence] = ("Cảm biến giá rẻ – hàng rào KCN", "Low-cost sensor, industrial-zone fence"),
        ["kind." + DeviceKinds.RiverStation] = ("Trạm quan trắc sông", "River station"),
        ["kind." + DeviceKinds.Outfall] = ("Cửa xả thải", "Outfall"),
        ["kind." + DeviceKinds.Household] = ("Hộ gia đình", "Household"),
        ["kind." + DeviceKinds.HouseholdSolar] = ("Hộ gia đình có điện mặt trời", "Household with solar"),
        ["kind." + DeviceKinds.Commercial] = ("Cơ sở kinh doanh", "Commercial"),
        ["kind." + DeviceKinds.Submeter] = ("Công tơ phụ", "Sub-meter"),
        ["chart.min"] = ("thấp nhất", "min"),
        ["chart.max"] = ("cao nhất", "max"),
        ["unit.seconds"] = ("giây", "s"),
        ["unit.minutes"] = ("phút", "min"),
        ["unit.hours"] = ("giờ", "h"),
        ["common.none"] = ("—", "—"),
        ["common.exceeded"] = ("vượt giới hạn", "over the limit"),
    };

    public static IReadOnlyCollection<string> Keys => Table.Keys;

    static Texts()
    {
        // Field labels from the shared contract: the name people read ("fieldname.pm25": PM2.5) and with the stored unit
        // ("field.pm25": PM2.5 (µg/m³)).
        foreach (var (field, (vi, en)) in Fields.Names)
        {
            var unit = Fields.StoredUnits.TryGetValue(field, out var u) && u.Length > 0 ? $" ({u})" : "";
            Table[$"fieldname.{field}"] = (vi, en);
            Table[$"field.{field}"] = (vi + unit, en + unit);
        }
    }

    public static bool IsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";

    public string this[string key] => Table.TryGetValue(key, out var text) ? (IsEnglish ? text.En : text.Vi) : key;

    /// <summary>Every text in the request's language, for the page scripts.</summary>
    public IReadOnlyDictionary<string, string> ForClient() => Table.ToDictionary(t => t.Key, t => IsEnglish ? t.Value.En : t.Value.Vi, StringComparer.Ordinal);

    public string Language => IsEnglish ? "en" : "vi";
}
