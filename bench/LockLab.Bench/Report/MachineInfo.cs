using System.Runtime.InteropServices;

namespace LockLab.Bench.Report;

/// <summary>What the figures were measured on: they mean little without the machine beside them.</summary>
public static class MachineInfo
{
    public static string Describe()
    {
        var cpu = ReadFirst("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memory = ReadFirst("/proc/meminfo", "MemTotal") is { } total && long.TryParse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], out var kb)
            ? $"{kb / 1024.0 / 1024:0.#} GiB"
            : "unknown";
        return $"{Environment.ProcessorCount} cores ({cpu}), {memory} memory, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }

    public static string? PythonVersion { get; } = Harness.Python.Version();

    private static string? ReadFirst(string file, string key)
    {
        if (!File.Exists(file)) return null;
        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line?[(line.IndexOf(':') + 1)..].Trim();
    }
}
