namespace Ingest.Worker.Alerting.Aqi;

/// <summary>The breakpoint columns of Decision 1459/QĐ-TCMT Table 2 (O3 has two: 1 h and 8 h).</summary>
public enum AqiPollutant
{
    O3OneHour,
    O3EightHour,
    Co,
    So2,
    No2,
    Pm10,
    Pm25,
}
