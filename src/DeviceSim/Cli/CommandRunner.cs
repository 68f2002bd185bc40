namespace DeviceSim.Cli;

/// <summary>Runs a command's work and turns the errors a tester can cause (bad file, bad combination) into one clear line and exit code 1.</summary>
public static class CommandRunner
{
    public static bool IsTerminal => !Console.IsOutputRedirected;

    public static async Task<int> RunAsync(System.CommandLine.ParseResult result, Func<TextWriter, Task<int>> work)
    {
        var output = result.InvocationConfiguration.Output;
        try
        {
            return await work(output);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or IOException or UnauthorizedAccessException)
        {
            await result.InvocationConfiguration.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
    }
}
