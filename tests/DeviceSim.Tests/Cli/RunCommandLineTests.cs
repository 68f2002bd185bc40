using System.CommandLine;
using DeviceSim.Cli;
using DeviceSim.Publishing;

namespace DeviceSim.Tests.Cli;

public sealed class RunCommandLineTests
{
    private static (ParseResult Result, RunCommand Command) Parse(string commandLine)
    {
        var result = CliApp.Build().Parse(commandLine);
        return (result, (RunCommand)result.CommandResult.Command);
    }

    [Fact]
    public void Parse_RunShCommandLine_BindsEveryOption()
    {
        // Exactly what deploy/local/run.sh passes.
        var (result, sut) = Parse("run --host 127.0.0.1 --port 18830 --air 20 --water 10 --meters 30 --interval 5s --duration 24h --registry-out /tmp/bn-run.x/devices.csv");

        Assert.Empty(result.Errors);
        var broker = sut.Broker.Bind(result);
        var fleet = sut.Fleet.Bind(result);
        Assert.Equal("127.0.0.1", broker.Host);
        Assert.Equal(18830, broker.Port);
        Assert.Equal((20, 10, 30, 0), (fleet.Plan.Air, fleet.Plan.Water, fleet.Plan.Meters, fleet.Plan.Gateways));
        Assert.Equal(TimeSpan.FromSeconds(5), fleet.Limits.Interval);
        Assert.Equal(TimeSpan.FromHours(24), fleet.Limits.Duration);
        Assert.Null(fleet.Limits.MaxMessages);
        Assert.Equal("/tmp/bn-run.x/devices.csv", fleet.RegistryOut);
        Assert.Equal(ConnectionMode.PerDevice, result.GetValue(sut.Broker.Mode));
    }

    [Fact]
    public void Parse_NoDurationOrCount_DefaultDurationIsInForce()
    {
        var (result, sut) = Parse("run --air 1");

        Assert.Empty(result.Errors);
        var fleet = sut.Fleet.Bind(result);
        Assert.Equal(TimeSpan.FromMinutes(10), fleet.Limits.Duration);
        Assert.Equal(TimeSpan.FromSeconds(5), fleet.Limits.Interval);
        Assert.Equal(1, fleet.Seed);
    }

    [Theory]
    [InlineData("--interval 5x")]
    [InlineData("--duration soon")]
    [InlineData("--qos 2")]
    [InlineData("--port 70000")]
    [InlineData("--count 0")]
    [InlineData("--air -1")]
    public void Parse_InvalidValue_ReportsAnError(string options)
    {
        var (result, _) = Parse("run --air 1 " + options);

        Assert.NotEmpty(result.Errors);
    }

    [Fact]
    public void Parse_SitesCommaSeparatedAndRepeated_AreCombined()
    {
        var (result, sut) = Parse("run --air 3 --sites yen-phong,vsip --sites ninh-xa");

        Assert.Empty(result.Errors);
        Assert.Equal(["yen-phong", "vsip", "ninh-xa"], sut.Fleet.Bind(result).Plan.Sites);
    }
}
