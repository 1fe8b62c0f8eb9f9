using LockLab.Bench.Harness;
using LockLab.TestServices;

namespace LockLab.Bench;

/// <summary>What every suite gets: the mode, where the repository is, and how to start the lab under test.</summary>
public sealed class BenchContext
{
    private string? _serverFolder;

    /// <param name="quick">Seconds, not minutes: tiny counts and one repetition. For the test suite, so the
    /// benchmarks keep working.</param>
    public BenchContext(bool quick, string repoRoot)
    {
        Quick = quick;
        RepoRoot = repoRoot;
    }

    public bool Quick { get; }
    public string RepoRoot { get; }

    /// <summary>Repetitions of a measurement whose median and min–max are quoted.</summary>
    public int Repeats(int full) => Quick ? 1 : full;

    /// <summary>
    /// Starts the lab in its own process. The full suite measures what a user deploys: the server published in
    /// Release (trimmed, precompressed client) in Production. Quick mode takes the build output beside this program
    /// in Development, where static web assets come from the build.
    /// </summary>
    public async Task<LabServer> StartServerAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        // LOCKLAB_BENCH_SERVER_FOLDER: an already published server (another commit's, to compare with).
        _serverFolder ??= Environment.GetEnvironmentVariable("LOCKLAB_BENCH_SERVER_FOLDER") is { Length: > 0 } folder ? folder
            : Quick ? BuildFolder() : await PublishAsync();
        return await LabServer.StartAsync(_serverFolder, production: !Quick, settings ?? new Dictionary<string, string>());
    }

    /// <summary>The repository containing this program (found by LockLab.sln), or the current folder's.</summary>
    public static string FindRepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "LockLab.sln"))) return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("Run the benchmarks from inside the LockLab repository (LockLab.sln not found).");
    }

    private string BuildFolder()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory); // bench/LockLab.Bench/bin/<Configuration>/net10.0/
        return Path.Combine(RepoRoot, "src", "LockLab.Server", "bin", here.Parent!.Name, here.Name);
    }

    private async Task<string> PublishAsync()
    {
        var output = Path.Combine(RepoRoot, "artifacts", "bench-server");
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        Console.Error.WriteLine($"Publishing the lab (Release) to {output} …");
        await LabPublish.RunAsync(RepoRoot, output);
        return output;
    }
}
