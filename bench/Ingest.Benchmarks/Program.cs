using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Ingest.Benchmarks -- --filter '*'              (default job: the reference figures)
// dotnet run -c Release --project bench/Ingest.Benchmarks -- --filter '*' --job short  (a quick look)
// BenchmarkDotNet builds a copy of this project per job; on a small busy machine that takes longer than its default
// two minutes, so the build may take up to ten. Reports go to bench/results/micro (git-ignored) unless --artifacts says.
var config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(10));
if (!args.Contains("--artifacts") && RepositoryRoot() is { } root)
{
    config = config.WithArtifactsPath(Path.Combine(root, "bench", "results", "micro"));
}

BenchmarkSwitcher.FromAssembly(typeof(Ingest.Benchmarks.HotPathBenchmarks).Assembly).Run(args, config);

static string? RepositoryRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Ingest.slnx")))
        {
            return dir.FullName;
        }
    }

    return null;
}
