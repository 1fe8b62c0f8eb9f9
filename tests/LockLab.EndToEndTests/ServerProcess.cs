using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LockLab.EndToEndTests;

/// <summary>
/// The lab exactly as a user runs it: the real server executable in its own OS process on a loopback port,
/// starting its own worker processes.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    public const string Key = "e2e-presenter-key";

    private readonly Process _process;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }
    public string DataPath { get; private init; } = "";

    /// <summary>Whether <see cref="DataPath"/> was made for this server, and so goes with it (a restart on it does not own it).</summary>
    private bool OwnsDataPath { get; init; }
    public int Pid => _process.Id;
    public string Output { get { lock (_output) return string.Join('\n', _output); } }

    /// <param name="dataPath">The run history's folder; a fresh one when null. Pass the same one to restart "the same" lab.</param>
    /// <param name="port">The loopback port; a free one when null. Pass the same one to restart "the same" lab for open pages.</param>
    /// <param name="settings">Extra configuration, e.g. <c>["LockLab__Redis"] = …</c> (environment variable spelling).</param>
    /// <param name="onEveryInterface">Listen on every network interface, as the README's command does, not on loopback only.</param>
    public static async Task<ServerProcess> StartAsync(string? dataPath = null, int? port = null, IReadOnlyDictionary<string, string>? settings = null, bool onEveryInterface = false)
    {
        port ??= LockLab.TestServices.FreePort.Next();
        var ownsDataPath = dataPath is null;
        dataPath ??= Directory.CreateTempSubdirectory("locklab-e2e-data-").FullName;
        var serverDll = Path.Combine(ServerBuildFolder(), "LockLab.Server.dll");
        if (!File.Exists(serverDll)) throw new FileNotFoundException("Build the solution first: the server is missing.", serverDll);

        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(serverDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(serverDll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(onEveryInterface ? $"http://*:{port}" : $"http://127.0.0.1:{port}");
        // Development, as `dotnet run` uses: static web assets are served from the build output.
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["LockLab__PresenterKey"] = Key;
        info.Environment["LockLab__DataPath"] = dataPath;
        foreach (var (name, value) in settings ?? new Dictionary<string, string>()) info.Environment[name] = value;

        var server = new ServerProcess(Process.Start(info)!, new Uri($"http://127.0.0.1:{port}")) { DataPath = dataPath, OwnsDataPath = ownsDataPath };
        server._process.OutputDataReceived += (_, e) => server.OnOutput(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.OnOutput(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await server._listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return server;
        }
        catch
        {
            await server.DisposeAsync(); // a server that never listened must not outlive the test
            throw;
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            _listening.TrySetException(new InvalidOperationException("The server exited during start-up:\n" + Output));
            return;
        }
        lock (_output) _output.Add(line);
        if (line.Contains("Now listening on")) _listening.TrySetResult();
    }

    public HttpClient CreateClient(bool presenter = false)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (presenter) client.DefaultRequestHeaders.Authorization = new("Bearer", Key);
        return client;
    }

    /// <summary>Kills the server the hard way (SIGKILL to the server alone): no shutdown code runs.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: false);

    /// <summary>Asks the server to stop as an orchestrator does (SIGTERM): its shutdown code runs.</summary>
    public void StopGracefully()
    {
        if (Kill(_process.Id, SigTerm) != 0) throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public Task<int> ExitCodeAsync(TimeSpan timeout) => _process.WaitForExitAsync().WaitAsync(timeout).ContinueWith(_ => _process.ExitCode);

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        // Declared first in a test, the server that made the folder is disposed after any restart on it.
        if (OwnsDataPath && Directory.Exists(DataPath)) Directory.Delete(DataPath, recursive: true);
    }

    /// <summary>The server's own build output, same configuration as these tests (Debug or Release).</summary>
    private static string ServerBuildFolder() =>
        Path.Combine(Repository.Root, "src", "LockLab.Server", "bin", Repository.Configuration, Repository.TargetFramework);
}
