using System.Runtime.InteropServices;

namespace LockLab.Bench.Report;

/// <summary>What the figures were measured on: they mean little without the machine beside them.</summary>
public static class MachineInfo
{
    public static string Describe()
    {
        var cpu = ReadFirst("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memory = ReadFirst("/proc/meminfo", "MemTotal") is { } total
                && long.TryParse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], out var kb)
            ? $"{kb / 1024.0 / 1024:0.#} GiB"
            : "unknown";
        return $"{Environment.ProcessorCount} cores ({cpu}), {memory} memory, {RuntimeInformation.OSDescription}, " +
            $".NET {Environment.Version}";
    }

    public static string? PythonVersion { get; } = Harness.Python.Version();

    /// <summary>
    /// The code the figures belong to: the commit checked out, and whether the working tree differed from it (this
    /// report aside). A figure is rerun when the code on its path changes; the commit says which code that was.
    /// </summary>
    public static string Commit()
    {
        var root = BenchContext.FindRepoRoot();
        var head = Git(root, "rev-parse", "--short=7", "HEAD");
        if (head is null) return "unknown (not a git checkout)";
        var changes = Git(root, "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)docs/benchmarks.md");
        return string.IsNullOrEmpty(changes) ? $"`{head}`" : $"`{head}` with uncommitted changes";
    }

    private static string? Git(string folder, params string[] args)
    {
        try
        {
            var info = new System.Diagnostics.ProcessStartInfo("git")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = folder
            };
            foreach (var a in args) info.ArgumentList.Add(a);
            using var git = System.Diagnostics.Process.Start(info)!;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.StandardError.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git
        }
    }

    private static string? ReadFirst(string file, string key)
    {
        if (!File.Exists(file)) return null;
        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line?[(line.IndexOf(':') + 1)..].Trim();
    }
}
