using System.Diagnostics;

namespace LockLab.Bench.Harness;

/// <summary>
/// The Python side of the comparison: our own scripts (python/ beside this program) doing what the lesson's script
/// does, run with the machine's real interpreter. <c>python3</c> on PATH may be a shim (pyenv's is a shell script that
/// costs ~100 ms before Python starts), which would charge Python for a shell it does not need: the interpreter is
/// asked once for <c>sys.executable</c> and that program is run from then on. Without Python, the suites that compare
/// with it say so, and the benchmark's test fails.
/// </summary>
public static class Python
{
    /// <summary>The real interpreter's path, or null when there is no <c>python3</c>.</summary>
    public static string? Interpreter { get; } = Resolve();

    private static string? Resolve()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("python3", ["-c", "import sys; print(sys.executable)"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true
            })!;
            var path = p.StandardOutput.ReadToEnd().Trim();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 && File.Exists(path) ? path : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no python3 on PATH
        }
    }

    public static string? Version()
    {
        if (Interpreter is null) return null;
        using var p = Process.Start(new ProcessStartInfo(Interpreter, "--version")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true
        })!;
        var text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? $"{text.Trim()} ({Interpreter})" : null;
    }

    public static bool Available => Interpreter is not null;

    /// <summary>What a column shows where Python would be.</summary>
    public const string Missing = "no python3";

    /// <summary>Runs <c>python/&lt;script&gt;</c> and returns its standard output lines; throws when it fails.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(string script, params string[] args) =>
        (await TimeLinesAsync(script, args)).Select(l => l.Line).ToList();

    /// <summary>
    /// Runs <c>python/&lt;script&gt;</c> unbuffered and returns each output line with the time it arrived, counted from
    /// just before the interpreter itself was started: what a student running the script waits, start-up included.
    /// </summary>
    public static async Task<IReadOnlyList<(TimeSpan At, string Line)>> TimeLinesAsync(string script, params string[] args)
    {
        var interpreter = Interpreter
            ?? throw new InvalidOperationException("There is no python3 on this machine: apt-get install python3.");
        var path = Path.Combine(AppContext.BaseDirectory, "python", script);
        var info = new ProcessStartInfo(interpreter) { RedirectStandardOutput = true, RedirectStandardError = true };
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
        if (p.ExitCode != 0) throw new InvalidOperationException($"{interpreter} {script} failed ({p.ExitCode}):\n{await stderr}");
        return lines;
    }
}
