using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LockLab.TestServices;

/// <summary>
/// The two commands README.md gives a new user ("## The two commands"): the first shell block runs the lab, the second
/// runs the tests. Read from the file as a user copies them, so that what is tested is what is written.
/// </summary>
public static partial class ReadmeCommands
{
    public static string Run(string repositoryRoot) => Blocks(repositoryRoot)[0];

    public static string Test(string repositoryRoot) => Blocks(repositoryRoot)[1];

    private static string[] Blocks(string repositoryRoot)
    {
        var readme = File.ReadAllText(Path.Combine(repositoryRoot, "README.md"));
        var start = readme.IndexOf("\n## The two commands", StringComparison.Ordinal);
        if (start < 0) throw new InvalidOperationException("README.md has no '## The two commands' section.");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? readme[start..] : readme[start..end];
        var blocks = ShellBlock().Matches(section).Select(m => m.Groups[1].Value.Trim()).ToArray();
        return blocks.Length >= 2 ? blocks : throw new InvalidOperationException("README.md's '## The two commands' needs two ```bash blocks: run, then test.");
    }

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}

/// <summary>
/// What a user gets from <c>git clone</c>: the repository's tracked files only, in a fresh folder (no <c>bin</c>,
/// <c>obj</c>, <c>data</c> or anything else a build or a run left behind). Deleted on dispose.
/// </summary>
public sealed class FreshClone : IDisposable
{
    private FreshClone(string folder) => Folder = folder;

    public string Folder { get; }

    public static async Task<FreshClone> CreateAsync(string repositoryRoot)
    {
        var clone = new FreshClone(Directory.CreateTempSubdirectory("locklab-clone-").FullName);
        try
        {
            var info = new ProcessStartInfo("git", ["-C", repositoryRoot, "ls-files", "-z"]) { RedirectStandardOutput = true, UseShellExecute = false };
            using var git = Process.Start(info)!;
            var files = await git.StandardOutput.ReadToEndAsync();
            await git.WaitForExitAsync();
            if (git.ExitCode != 0) throw new InvalidOperationException($"git ls-files failed in {repositoryRoot}");
            foreach (var file in files.Split('\0', StringSplitOptions.RemoveEmptyEntries))
            {
                var source = Path.Combine(repositoryRoot, file);
                if (!File.Exists(source)) continue; // deleted in the work tree, not yet committed
                var target = Path.Combine(clone.Folder, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target);
            }
            return clone;
        }
        catch
        {
            clone.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A process of the clone still exiting may hold a file for a moment; the leftover check names it if it stays.
        }
    }
}

/// <summary>
/// The lab started in a folder exactly as README.md says (its run command, through bash, with nothing added), with its
/// output collected. On dispose the whole process tree (dotnet run, the server, its workers) is killed.
/// </summary>
public sealed partial class ReadmeLab : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ReadmeLab(Process process, string command)
    {
        _process = process;
        Command = command;
    }

    /// <summary>The command as README.md gives it.</summary>
    public string Command { get; }

    public string Output { get { lock (_output) return string.Join('\n', _output); } }

    public IReadOnlyList<string> Lines { get { lock (_output) return [.. _output]; } }

    /// <summary>Where the lab listens, as it logged it (<c>http://[::]:5080</c> becomes <c>http://127.0.0.1:5080</c>).</summary>
    public Task<Uri> Listening => _listening.Task;

    public static ReadmeLab Start(string folder, string repositoryRootForCommand)
    {
        var command = ReadmeCommands.Run(repositoryRootForCommand);
        var info = new ProcessStartInfo("bash", ["-c", command])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // A user's shell, not a test host's: whatever MSBuild or the test runner put in this process's environment
        // (which SDK, which MSBuild) must not steer the user's `dotnet run`.
        foreach (var name in info.Environment.Keys.Where(IsBuildVariable).ToList()) info.Environment.Remove(name);
        var lab = new ReadmeLab(Process.Start(info)!, command);
        lab._process.OutputDataReceived += (_, e) => lab.OnOutput(e.Data);
        lab._process.ErrorDataReceived += (_, e) => lab.OnOutput(e.Data);
        lab._process.BeginOutputReadLine();
        lab._process.BeginErrorReadLine();
        return lab;
    }

    private static bool IsBuildVariable(string name) =>
        name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("MSBUILD", StringComparison.Ordinal)
        || name.StartsWith("VSTEST", StringComparison.Ordinal) || name.StartsWith("TESTINGPLATFORM", StringComparison.Ordinal)
        || name is "DOTNET_HOST_PATH" or "DOTNET_CLI_TELEMETRY_SESSIONID" or "ASPNETCORE_ENVIRONMENT" or "DOTNET_ENVIRONMENT";

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            _listening.TrySetException(new InvalidOperationException($"`{Command}` ended before the lab listened:\n{Output}"));
            return;
        }
        lock (_output) _output.Add(line);
        var listening = ListeningLine().Match(line);
        if (listening.Success)
        {
            var host = listening.Groups["host"].Value is "[::]" or "0.0.0.0" or "*" or "+" ? "127.0.0.1" : listening.Groups["host"].Value;
            _listening.TrySetResult(new Uri($"{listening.Groups["scheme"].Value}://{host}:{listening.Groups["port"].Value}"));
        }
    }

    [GeneratedRegex(@"Now listening on: (?<scheme>https?)://(?<host>\[[^\]]+\]|[^:/]+):(?<port>\d+)")]
    private static partial Regex ListeningLine();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
