namespace Ingest.Dashboard.Standards;

/// <summary>A limit a reading is shown against: exceeded when below <see cref="Min"/> or above <see cref="Max"/>.</summary>
public sealed record Limit(string Field, double? Min, double? Max, string Averaging, string Standard);

/// <summary>
/// The limits the views compare readings with (shared/reference/vn-standards.md). The dashboard only colours a value
/// against them; raising alerts (with averaging, hysteresis and duration) is the worker's alert engine's job.
/// </summary>
public static class Limits
{
    public const string Qcvn05 = "QCVN 05:2023/BTNMT";
    public const string Qcvn08 = "QCVN 08:2023/BTNMT";
    public const string Qcvn40 = "QCVN 40:2011/BTNMT";
    public const string Circular39 = "TT 39/2015/TT-BCT";

    /// <summary>QCVN 05:2023 Table 1 (µg/Nm³). PM2.5 24 h is 45 from 01/01/2026 (50 before).</summary>
    public static readonly IReadOnlyList<Limit> Air =
    [
        new("pm25", null, 45, "24 h", Qcvn05),
        new("pm10", null, 100, "24 h", Qcvn05),
        new("tsp", null, 300, "1 h", Qcvn05),
        new("co", null, 30_000, "1 h", Qcvn05),
        new("no2", null, 200, "1 h", Qcvn05),
        new("so2", null, 350, "1 h", Qcvn05),
        new("o3", null, 200, "1 h", Qcvn05),
    ];

    /// <summary>QCVN 08:2023 Table 2, river level B (NH4+ from Table 1, health limit for all surface water).</summary>
    public static readonly IReadOnlyList<Limit> RiverWater =
    [
        new("ph", 6.0, 8.5, "B", Qcvn08),
        new("do", 5.0, null, "B", Qcvn08),
        new("bod5", null, 6, "B", Qcvn08),
        new("cod", null, 15, "B", Qcvn08),
        new("nh4", null, 0.3, "Bảng 1", Qcvn08),
    ];

    /// <summary>QCVN 40:2011 Table 1 column B for industrial outfalls (value C, before Kq·Kf).</summary>
    public static readonly IReadOnlyList<Limit> Outfall =
    [
        new("ph", 5.5, 9, "B", Qcvn40),
        new("bod5", null, 50, "B", Qcvn40),
        new("cod", null, 150, "B", Qcvn40),
        new("tss", null, 100, "B", Qcvn40),
        new("nh4", null, 10, "B", Qcvn40),
        new("temp", null, 40, "B", Qcvn40),
    ];

    /// <summary>Customer connection point, 220 V ±5 %, 50 ± 0.2 Hz (Circular 39/2015 Art. 4–5); cos φ ≥ 0.9 (Circular 15/2014).</summary>
    public static readonly IReadOnlyList<Limit> Meter =
    [
        new("voltage", 209, 231, "±5 %", Circular39),
        new("freq", 49.8, 50.2, "±0.2 Hz", Circular39),
        new("pf", 0.9, null, "cos φ", "TT 15/2014/TT-BCT"),
    ];

    public static bool Exceeds(Limit limit, double value) => value < (limit.Min ?? double.NegativeInfinity) || value > (limit.Max ?? double.PositiveInfinity);
}
