using System.Diagnostics;

namespace LockLab.Bench.Harness;

/// <summary>
/// The Python side of the comparison: our own scripts (python/ beside this program) doing what the lesson's script
/// does, run with the machine's <c>python3</c>. When there is none, the Python columns say so instead of a figure.
/// </summary>
public static class Python
{
    public static string? Version()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("python3", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? text.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no python3 on PATH
        }
    }

    public static bool Available => Report.MachineInfo.PythonVersion is not null;

    /// <summary>Runs <c>python/&lt;script&gt;</c> and returns its standard output lines; throws when it fails.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(string script, params string[] args) =>
        (await TimeLinesAsync(script, args)).Select(l => l.Line).ToList();

    /// <summary>
    /// Runs <c>python/&lt;script&gt;</c> unbuffered and returns each output line with the time it arrived, counted from
    /// just before the interpreter was started (so start-up is included, as it is for the lab's workers).
    /// </summary>
    public static async Task<IReadOnlyList<(TimeSpan At, string Line)>> TimeLinesAsync(string script, params string[] args)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "python", script);
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-u");
        info.ArgumentList.Add(path);
        foreach (var a in args) info.ArgumentList.Add(a);
        var start = Stopwatch.GetTimestamp();
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var lines = new List<(TimeSpan, string)>();
        while (await p.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.Trim().Length > 0) lines.Add((Stopwatch.GetElapsedTime(start), line.Trim()));
        }
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"python3 {script} failed ({p.ExitCode}):\n{await stderr}");
        return lines;
    }
}
