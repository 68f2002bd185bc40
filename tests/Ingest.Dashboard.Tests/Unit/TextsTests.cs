using System.Globalization;
using Ingest.Contracts;
using Ingest.Dashboard.Localization;

namespace Ingest.Dashboard.Tests.Unit;

/// <summary>Field labels come from the shared contract (names and stored units), in the page's language.</summary>
public sealed class TextsTests
{
    [Fact]
    public void EveryStoredField_HasANameInBothLanguages()
    {
        Assert.All(Fields.StoredUnits.Keys, f => Assert.True(Fields.Names.ContainsKey(f), $"no name for {f}"));
        Assert.All(Fields.Names.Values, n => Assert.False(string.IsNullOrWhiteSpace(n.Vi) || string.IsNullOrWhiteSpace(n.En)));
    }

    [Fact]
    public void EveryDeviceKind_HasWordsInBothLanguages()
    {
        var kinds = typeof(DeviceKinds).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.NotEmpty(kinds);
        foreach (var language in new[] { LocalizationExtensions.English, LocalizationExtensions.Vietnamese })
        {
            var texts = Within(language, () => new Texts().ForClient());
            Assert.All(kinds, k => Assert.True(texts.TryGetValue("kind." + k, out var words) && words != k, $"no words for kind {k}"));
        }
    }

    [Theory]
    [InlineData("vi", "field.pm25", "PM2.5 (µg/m³)")]
    [InlineData("vi", "fieldname.no2", "NO₂")]
    [InlineData("vi", "field.do", "Oxy hòa tan DO (mg/L)")]
    [InlineData("en", "field.do", "Dissolved oxygen (mg/L)")]
    [InlineData("vi", "field.ph", "pH")]
    [InlineData("en", "field.voltage", "Voltage (V)")]
    public void FieldLabels_NameAndStoredUnit_InThePagesLanguage(string language, string key, string expected)
    {
        var (text, client) = Within(
            language == "en" ? LocalizationExtensions.English : LocalizationExtensions.Vietnamese,
            () => (new Texts()[key], new Texts().ForClient()[key]));
        Assert.Equal(expected, text);
        Assert.Equal(expected, client);
    }

    private static T Within<T>(CultureInfo culture, Func<T> read)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = culture;
        try
        {
            return read();
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
