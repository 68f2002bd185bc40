namespace Ingest.Worker.Alerting.Aqi;

/// <summary>
/// The six VN_AQI bands of Decision 1459/QĐ-TCMT Table 1 with their official Vietnamese names and RGB colours
/// (reference/vn-standards.md §2.5). The English names are translations: the decision gives none.
/// </summary>
public sealed record AqiBand(int Level, int From, int To, string NameVi, string NameEn, string Colour)
{
    public static readonly IReadOnlyList<AqiBand> All =
    [
        new(1, 0, 50, "Tốt", "Good", "#00E400"),
        new(2, 51, 100, "Trung bình", "Moderate", "#FFFF00"),
        new(3, 101, 150, "Kém", "Poor", "#FF7E00"),
        new(4, 151, 200, "Xấu", "Bad", "#FF0000"),
        new(5, 201, 300, "Rất xấu", "Very bad", "#8F3F97"),
        new(6, 301, 500, "Nguy hại", "Hazardous", "#7E0023"),
    ];

    /// <summary>The band of a (rounded) AQI; above 500 is still the last band.</summary>
    public static AqiBand Of(int aqi)
    {
        foreach (var band in All)
        {
            if (aqi <= band.To)
            {
                return band;
            }
        }

        return All[^1];
    }
}
