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

    [Theory]
    [InlineData("vi", "field.pm25", "PM2.5 (µg/m³)")]
    [InlineData("vi", "fieldname.no2", "NO₂")]
    [InlineData("vi", "field.do", "Oxy hòa tan DO (mg/L)")]
    [InlineData("en", "field.do", "Dissolved oxygen (mg/L)")]
    [InlineData("vi", "field.ph", "pH")]
    [InlineData("en", "field.voltage", "Voltage (V)")]
    public void FieldLabels_NameAndStoredUnit_InThePagesLanguage(string language, string key, string expected)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = language == "en" ? LocalizationExtensions.English : LocalizationExtensions.Vietnamese;
        try
        {
            var texts = new Texts();
            Assert.Equal(expected, texts[key]);
            Assert.Equal(expected, texts.ForClient()[key]);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
