namespace Ingest.Dashboard.Tests.Infrastructure;

/// <summary>The registry the test dashboard loads: a few devices per domain at real Bắc Ninh coordinates.</summary>
public static class TestDevices
{
    public const string AirHistory = "air-hist-0001";
    public const string AirLive = "air-ts-0001";
    public const string AirSecond = "air-yp-0002";
    public const string Water = "water-cau-0001";
    public const string Outfall = "water-qv-0001";
    public const string Meter = "meter-ns-0001";
    public const string MeterSecond = "meter-ns-0002";

    public static readonly string[] RegistryCsv =
    [
        "id,domain,site,zone,kind,lat,lon,site_name",
        $"{AirHistory},air,vsip,Từ Sơn,lcs-roadside,21.0885,105.9960,VSIP Bắc Ninh",
        $"{AirLive},air,tien-son,Tiên Du,lcs-fence,21.1195,106.0005,KCN Tiên Sơn",
        $"{AirSecond},air,yen-phong,Yên Phong,lcs-fence,21.2065,105.9585,KCN Yên Phong",
        $"{Water},water,song-cau,TP Bắc Ninh,river-station,21.2075,106.0875,Sông Cầu – Đáp Cầu",
        $"{Outfall},water,que-vo,Quế Võ,outfall,21.1525,106.1290,KCN Quế Võ",
        $"{Meter},meter,ninh-xa,TP Bắc Ninh,household,21.1800,106.0605,Phường Ninh Xá",
        $"{MeterSecond},meter,ninh-xa,TP Bắc Ninh,commercial,21.1810,106.0625,Phường Ninh Xá",
    ];
}
