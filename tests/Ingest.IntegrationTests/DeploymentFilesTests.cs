using System.Diagnostics;
using Ingest.IntegrationTests.Infrastructure;

namespace Ingest.IntegrationTests;

/// <summary>
/// Issue 8's deployment files, validated offline: the compose file by docker-compose's own parser (Debian's
/// docker-compose; no Docker engine needed), the systemd units by systemd-analyze verify.
/// </summary>
public sealed class DeploymentFilesTests(ITestOutputHelper output)
{
    private static readonly string Production = Path.Combine(RepoPaths.Root, "deploy", "production");

    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["WORKER_MQTT_PASSWORD"] = "w",
        ["DASHBOARD_MQTT_PASSWORD"] = "d",
        ["INFLUX_TOKEN"] = "t",
        ["INFLUX_ADMIN_PASSWORD"] = "a",
        ["REDIS_PASSWORD"] = "r",
    };

    [Fact]
    public async Task ComposeFile_IsValid_AndRefusesToStartWithoutItsSecrets()
    {
        var compose = Path.Combine(Production, "compose.yaml");
        var (code, text) = await RunAsync("docker-compose", Production, Secrets, "-f", compose, "config");
        Assert.True(code == 0, $"docker-compose config failed ({code}): {text}");
        output.WriteLine($"docker-compose config: exit 0, services: {string.Join(", ", Services(text))}");
        Assert.Equal(["dashboard", "influxdb", "mosquitto", "redis", "worker-1", "worker-2"], Services(text).Order());
        Assert.Contains("Mqtt__SharedGroup: ingest", text, StringComparison.Ordinal);
        Assert.Contains("SignalR__Redis: redis:6379", text, StringComparison.Ordinal);

        var (missingCode, missingText) = await RunAsync("docker-compose", Production, new Dictionary<string, string>(), "-f", compose, "config", "-q");
        output.WriteLine($"without secrets: exit {missingCode}: {missingText.Trim()}");
        Assert.NotEqual(0, missingCode);
        Assert.Contains("set ", missingText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bn-ingest-worker@.service", "bn-ingest-worker@1.service")]
    [InlineData("bn-dashboard.service", "bn-dashboard.service")]
    public async Task SystemdUnit_PassesSystemdAnalyzeVerify(string file, string unit)
    {
        if (!File.Exists("/usr/bin/systemd-analyze"))
        {
            Assert.Skip("systemd-analyze is not on this machine");
        }

        var folder = Directory.CreateTempSubdirectory("bn-units-").FullName;
        try
        {
            File.Copy(Path.Combine(Production, "systemd", file), Path.Combine(folder, unit));
            var (code, text) = await RunAsync("systemd-analyze", folder, new Dictionary<string, string>(), "verify", Path.Combine(folder, unit));
            output.WriteLine($"systemd-analyze verify {unit}: exit {code} {text.Trim()}");
            Assert.Equal(0, code);
            Assert.True(text.Trim().Length == 0, $"warnings: {text}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IEnumerable<string> Services(string config)
    {
        var inServices = false;
        foreach (var line in config.Split('\n'))
        {
            if (!line.StartsWith(' '))
            {
                inServices = line.StartsWith("services:", StringComparison.Ordinal);
            }
            else if (inServices && line.Length > 3 && line[2] != ' ' && line.TrimEnd().EndsWith(':'))
            {
                yield return line.Trim().TrimEnd(':');
            }
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string command, string directory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in Secrets.Keys)
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
