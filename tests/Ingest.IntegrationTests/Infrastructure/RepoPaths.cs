namespace Ingest.IntegrationTests.Infrastructure;

public static class RepoPaths
{
    /// <summary>The repository root (the folder holding Ingest.slnx), found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// A template under deploy/ (a bare name means deploy/local) with its @KEY@ placeholders filled: the tests run the
    /// same configuration as run.sh.
    /// </summary>
    public static string FillTemplate(string name, IReadOnlyDictionary<string, string> values)
    {
        var text = File.ReadAllText(Path.Combine(Root, "deploy", name.Contains('/', StringComparison.Ordinal) ? name : Path.Combine("local", name)));
        foreach (var (key, value) in values)
        {
            text = text.Replace($"@{key}@", value, StringComparison.Ordinal);
        }

        return text;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ingest.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Ingest.slnx) above " + AppContext.BaseDirectory);
    }
}
