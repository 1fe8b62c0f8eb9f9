using System.Net.Http.Json;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LockLab.TestServices;

/// <summary>How a <see cref="LabProcess"/> is started.</summary>
/// <param name="ServerFolder">Where <c>LockLab.Server.dll</c> is: a build output or a published folder.</param>
/// <param name="PresenterKey">The presenter key it is given (<c>LockLab:PresenterKey</c>).</param>
/// <param name="Production">Production (a published folder) or Development (a build output, as the developers' launch profile runs it).</param>
/// <param name="DataPath">The run history's folder; a fresh one, deleted with the process, when null.</param>
/// <param name="Port">The port; a free one when null. The same one restarts "the same" lab for open pages.</param>
/// <param name="OnEveryInterface">Listen on every network interface, as the README's classroom command does.</param>
/// <param name="Settings">Extra configuration in environment-variable spelling (<c>LockLab__Redis</c>, …); last wins.</param>
/// <param name="MaxOutputLines">Lines of its output kept (a long benchmark run writes many).</param>
/// <param name="Tls">Serve HTTPS with this certificate (Kestrel's own settings), plain HTTP beside it on
/// <see cref="LabProcess.PlainAddress"/>.</param>
public sealed record LabProcessOptions(
    string ServerFolder,
    string PresenterKey,
    bool Production = false,
    string? DataPath = null,
    int? Port = null,
    bool OnEveryInterface = false,
    IReadOnlyDictionary<string, string>? Settings = null,
    int MaxOutputLines = int.MaxValue,
    TestCertificate? Tls = null);

/// <summary>
/// The lab as a user runs it, for the end-to-end tests and the benchmark alike: the real server executable in its own
/// OS process, starting its own worker processes, on a loopback address. Disposing it kills the process tree and
/// deletes the data folder it made.
/// </summary>
public sealed class LabProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];
    private readonly int _maxOutputLines;
    private readonly bool _ownsDataPath;

    private readonly TestCertificate? _tls;

    private LabProcess(Process process, Uri address, LabProcessOptions options, string dataPath, bool ownsDataPath)
    {
        _process = process;
        Address = address;
        _tls = options.Tls;
        Key = options.PresenterKey;
        DataPath = dataPath;
        _ownsDataPath = ownsDataPath;
        _maxOutputLines = options.MaxOutputLines;
    }

    /// <summary>Where the lab answers: <c>https://</c> when started with <see cref="LabProcessOptions.Tls"/>.</summary>
    public Uri Address { get; }

    /// <summary>With <see cref="LabProcessOptions.Tls"/>: the plain HTTP address beside the HTTPS one.</summary>
    public Uri? PlainAddress { get; private init; }

    public string Key { get; }

    /// <summary>The run history's folder (SQLite's <c>locklab.db</c> is in it).</summary>
    public string DataPath { get; }

    public int Pid => _process.Id;
    public string Output { get { lock (_output) return string.Join('\n', _output); } }

    public static async Task<LabProcess> StartAsync(LabProcessOptions options)
    {
        var dll = Path.Combine(options.ServerFolder, "LockLab.Server.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("The server is not built: build the solution (or publish it) first.", dll);
        var port = options.Port ?? FreePort.Next();
        var ownsDataPath = options.DataPath is null;
        var dataPath = options.DataPath ?? Directory.CreateTempSubdirectory("locklab-data-").FullName;

        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = options.ServerFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        var host = options.OnEveryInterface ? "*" : "127.0.0.1";
        var plainPort = options.Tls is null ? (int?)null : FreePort.Next();
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(options.Tls is null ? $"http://{host}:{port}" : $"https://{host}:{port};http://{host}:{plainPort}");
        if (options.Tls is { } tls)
        {
            info.Environment["Kestrel__Certificates__Default__Path"] = tls.CertificatePath;
            info.Environment["Kestrel__Certificates__Default__KeyPath"] = tls.KeyPath;
        }
        info.Environment["ASPNETCORE_ENVIRONMENT"] = options.Production ? "Production" : "Development";
        info.Environment["LockLab__PresenterKey"] = options.PresenterKey;
        info.Environment["LockLab__DataPath"] = dataPath;
        foreach (var (name, value) in options.Settings ?? new Dictionary<string, string>()) info.Environment[name] = value;

        var scheme = options.Tls is null ? "http" : "https";
        var lab = new LabProcess(Process.Start(info)!, new Uri($"{scheme}://127.0.0.1:{port}"), options, dataPath, ownsDataPath)
        {
            PlainAddress = plainPort is { } plain ? new Uri($"http://127.0.0.1:{plain}") : null,
        };
        lab._process.OutputDataReceived += (_, e) => lab.OnOutput(e.Data);
        lab._process.ErrorDataReceived += (_, e) => lab.OnOutput(e.Data);
        lab._process.BeginOutputReadLine();
        lab._process.BeginErrorReadLine();
        try
        {
            await lab._listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return lab;
        }
        catch
        {
            await lab.DisposeAsync(); // a server that never listened must not outlive its caller
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
        lock (_output)
        {
            if (_output.Count < _maxOutputLines) _output.Add(line);
        }
        if (line.Contains("Now listening on", StringComparison.Ordinal)) _listening.TrySetResult();
    }

    public HttpClient CreateClient(bool presenter = false, TimeSpan? timeout = null)
    {
        var client = _tls is null ? new HttpClient() : new HttpClient(_tls.CreateHandler());
        client.BaseAddress = Address;
        client.Timeout = timeout ?? TimeSpan.FromSeconds(100);
        if (presenter) client.DefaultRequestHeaders.Authorization = new("Bearer", Key);
        return client;
    }

    /// <summary>
    /// Opens a room under this name as the presenter does (<c>PUT /api/rooms/{room}</c>): from then on anyone may join
    /// it. A viewer cannot bring a room into being.
    /// </summary>
    public async Task OpenRoomAsync(string room)
    {
        using var presenter = CreateClient(presenter: true);
        (await presenter.PutAsync($"/api/rooms/{Uri.EscapeDataString(room)}", null)).EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Starts a classroom as the presenter does (<c>POST /api/rooms</c>) and returns its code; with a lesson, puts up that
    /// page of it (<c>POST /api/rooms/{code}/page</c>).
    /// </summary>
    public async Task<string> CreateClassroomAsync(string? lesson = null, int page = 1)
    {
        using var presenter = CreateClient(presenter: true);
        var created = await presenter.PostAsync("/api/rooms", null);
        created.EnsureSuccessStatusCode();
        var code = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("room").GetString()!;
        if (lesson is not null)
            (await presenter.PostAsync($"/api/rooms/{code}/page", JsonContent.Create(new { lesson, page }))).EnsureSuccessStatusCode();
        return code;
    }

    /// <summary>CPU time the server process has used so far (user + system), not its workers'.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Kills the server the hard way (SIGKILL to the server alone): no shutdown code runs.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: false);

    /// <summary>Asks the server to stop as an orchestrator does (SIGTERM): its shutdown code runs.</summary>
    public void StopGracefully()
    {
        if (Kill(_process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
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
        // A test that restarts "the same" lab on this folder disposes the one that made it last.
        if (_ownsDataPath)
        {
            try { Directory.Delete(DataPath, recursive: true); }
            catch (DirectoryNotFoundException) { }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
