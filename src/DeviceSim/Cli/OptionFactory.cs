using System.CommandLine;

namespace DeviceSim.Cli;

/// <summary>Builders for the option shapes the commands share (durations, counts with bounds).</summary>
public static class OptionFactory
{
    public static Option<TimeSpan?> Duration(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "duration",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (DurationParser.TryParse(text, out var value))
            {
                return value;
            }

            result.AddError($"{name}: '{text}' is not a duration (examples: 500ms, 5s, 10m, 24h, 1h30m)");
            return null;
        },
    };

    public static Option<int?> Count(string name, string description, int min = 0, int max = int.MaxValue)
    {
        var option = new Option<int?>(name) { Description = description, HelpName = "n" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } value && (value < min || value > max))
            {
                result.AddError($"{name} must be between {min} and {max}");
            }
        });
        return option;
    }

    public static Option<double> Rate(string name, string description)
    {
        var option = new Option<double>(name) { Description = description, HelpName = "rate" };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<double>();
            if (value is < 0 or > 1 || double.IsNaN(value))
            {
                result.AddError($"{name} must be a probability between 0 and 1");
            }
        });
        return option;
    }
}
