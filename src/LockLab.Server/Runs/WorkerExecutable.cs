using System.Diagnostics;

namespace LockLab.Server.Runs;

/// <summary>
/// Where the worker program is. The server project references the worker, so its build output sits beside the
/// server's: the native app host <c>LockLab.Worker</c> when present (starts faster), else <c>dotnet LockLab.Worker.dll</c>.
/// </summary>
public sealed class WorkerExecutable
{
    public WorkerExecutable(Microsoft.Extensions.Options.IOptions<Configuration.LockLabOptions> options)
    {
        var folder = AppContext.BaseDirectory;
        var host = Path.Combine(folder, OperatingSystem.IsWindows() ? "LockLab.Worker.exe" : "LockLab.Worker");
        AssemblyPath = Path.Combine(folder, "LockLab.Worker.dll");
        HostPath = File.Exists(host) ? host : null;
        // A configured program (an administrator's choice, never a request's) replaces the built one.
        if (options.Value.WorkerPath is { Length: > 0 } configured)
        {
            HostPath = Path.GetFullPath(configured);
            AssemblyPath = HostPath;
        }
    }

    public string AssemblyPath { get; }
    public string? HostPath { get; }
    public bool Exists => HostPath is not null ? File.Exists(HostPath) : File.Exists(AssemblyPath);

    /// <summary>
    /// What of the server's environment a worker gets: what a .NET program needs to start and to format text, nothing
    /// more. The server's environment holds its secrets (<c>LockLab__PresenterKey</c>, the database password in
    /// <c>LockLab__Database</c>), and a worker has no use for them.
    /// </summary>
    public static readonly IReadOnlySet<string> InheritedVariables = new HashSet<string>(StringComparer.Ordinal)
    {
        "PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "TZ", "DOTNET_ROOT", "DOTNET_ROOT_X64", "DOTNET_ROOT_ARM64",
    };

    public ProcessStartInfo CreateStartInfo()
    {
        var info = CreateFor();
        foreach (var name in info.Environment.Keys.ToList())
        {
            // The runtime's own knobs (DOTNET_gcServer, DOTNET_TieredPGO, …) are kept: they tune, they hold no secret.
            // Not DOTNET_Section__Key: the host reads those as configuration, secrets included.
            var runtimeKnob = name.StartsWith("DOTNET_", StringComparison.Ordinal) && !name.Contains("__", StringComparison.Ordinal);
            if (!InheritedVariables.Contains(name) && !runtimeKnob) info.Environment.Remove(name);
        }
        return info;
    }

    private ProcessStartInfo CreateFor()
    {
        ProcessStartInfo info;
        if (HostPath is not null)
        {
            info = new ProcessStartInfo(HostPath);
            // The app host must find the same runtime the server runs on, wherever the SDK was installed.
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_ROOT")) && RuntimeRoot is { } root)
            {
                info.Environment["DOTNET_ROOT"] = root;
            }
        }
        else
        {
            info = new ProcessStartInfo(Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet");
            info.ArgumentList.Add(AssemblyPath);
        }
        return info;
    }

    /// <summary>The .NET install the server runs on: <c>{root}/shared/Microsoft.NETCore.App/{version}/</c>.</summary>
    private static string? RuntimeRoot =>
        Path.GetDirectoryName(typeof(object).Assembly.Location) is { } framework
            ? Path.GetFullPath(Path.Combine(framework, "..", "..", ".."))
            : null;
}
