using System.CommandLine;
using System.CommandLine.Help;
using DeviceSim.Cli;
using DeviceSim.Replay;

namespace DeviceSim.Tests.Cli;

public sealed class HelpTests
{
    public static TheoryData<string> Commands => ["run", "faults", "bench", "replay"];

    [Theory]
    [MemberData(nameof(Commands))]
    public void EveryOption_HasADescriptionWithAnExample(string name)
    {
        var command = CliApp.Build().Subcommands.Single(c => c.Name == name);

        Assert.Contains("Examples:", command.Description, StringComparison.Ordinal);
        foreach (var option in command.Options.Where(o => o is not HelpOption and not VersionOption))
        {
            Assert.False(string.IsNullOrWhiteSpace(option.Description), $"{name} {option.Name} has no description");
            Assert.Contains("Example:", option.Description, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_PrintsEveryOption(string name)
    {
        var output = new StringWriter();
        var exitCode = await CliApp.Build().Parse([name, "--help"]).InvokeAsync(new InvocationConfiguration { Output = output }, TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        foreach (var option in CliApp.Build().Subcommands.Single(c => c.Name == name).Options)
        {
            Assert.Contains(option.Name, output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Replay_ParsesFileSpeedAndTimestamps()
    {
        var result = CliApp.Build().Parse("replay Samples/replay-sample.csv --speed max --timestamps original --port 1884");
        var command = (ReplayCommand)result.CommandResult.Command;

        Assert.Empty(result.Errors);
        Assert.Equal("replay-sample.csv", result.GetValue(command.File)!.Name);
        Assert.True(result.GetValue(command.Speed).IsMax);
        Assert.Equal(ReplayTimestamps.Original, result.GetValue(command.Timestamps));
        Assert.Equal(1884, command.Broker.Bind(result).Port);
    }

    [Theory]
    [InlineData("replay Samples/replay-sample.csv --speed 0")]
    [InlineData("replay Samples/replay-sample.csv --speed fast")]
    [InlineData("replay Samples/replay-sample.csv --timestamps yesterday")]
    [InlineData("replay")]
    public void Replay_BadArguments_AreReported(string commandLine)
    {
        Assert.NotEmpty(CliApp.Build().Parse(commandLine).Errors);
    }
}
